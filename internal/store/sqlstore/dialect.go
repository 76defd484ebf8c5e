package sqlstore

import (
	"strconv"
	"strings"
)

// Dialect is everything that differs between the SQL the backends accept.
// The schemas are designed so that the rest of the SQL is identical.
type Dialect struct {
	Name string
	// Dollar selects PostgreSQL's numbered placeholders ($1, $2 …); false
	// gives SQLite's positional "?".
	Dollar bool
}

// builder accumulates SQL text and its arguments, emitting placeholders in
// the dialect's style.
type builder struct {
	d    Dialect
	sb   strings.Builder
	args []any
}

func newBuilder(d Dialect) *builder { return &builder{d: d} }

// sql appends literal SQL text.
func (b *builder) sql(s ...string) *builder {
	for _, x := range s {
		b.sb.WriteString(x)
	}
	return b
}

// arg appends a placeholder bound to v.
func (b *builder) arg(v any) *builder {
	b.args = append(b.args, v)
	if b.d.Dollar {
		b.sb.WriteByte('$')
		b.sb.WriteString(strconv.Itoa(len(b.args)))
	} else {
		b.sb.WriteByte('?')
	}
	return b
}

// list appends "(?, ?, …)" for the values.
func (b *builder) list(vs ...any) *builder {
	b.sb.WriteByte('(')
	for i, v := range vs {
		if i > 0 {
			b.sb.WriteString(", ")
		}
		b.arg(v)
	}
	b.sb.WriteByte(')')
	return b
}

func (b *builder) String() string { return b.sb.String() }

// placeholders renders n placeholders starting after `used` arguments, for
// statements built without a builder (multi-row inserts).
func (d Dialect) placeholder(n int) string {
	if d.Dollar {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}
