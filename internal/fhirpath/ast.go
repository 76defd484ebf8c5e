package fhirpath

import (
	"strings"
)

// expr is a node of the parsed expression tree. eval applies the node to
// focus, the collection a leading name or function call works on.
type expr interface {
	eval(c *evalCtx, focus Collection) (Collection, error)
	String() string
}

type typeSpec struct {
	ns, name string
}

func (t typeSpec) String() string {
	if t.ns != "" {
		return t.ns + "." + t.name
	}
	return t.name
}

type literalExpr struct {
	val  Value
	text string
	coll Collection // {val}, shared by every evaluation
}

type emptyExpr struct{}

type constExpr struct{ name string }

type varExpr struct{ name string }

type parenExpr struct{ inner expr }

// memberExpr is a name: an element of the focus items, or (first in a
// path) the type of the focus (Patient.name).
type memberExpr struct {
	name, extName string
	first         bool
	delimited     bool
}

type funcExpr struct {
	name string
	args []expr
	def  funcDef
	ts   typeSpec // for is/as/ofType
}

type dotExpr struct{ left, right expr }

type indexExpr struct{ left, index expr }

type unaryExpr struct {
	op      string
	operand expr
}

type binaryExpr struct {
	op          string
	left, right expr
}

type typeOpExpr struct {
	op   string // is, as
	left expr
	ts   typeSpec
}

func newBinary(op string, l, r expr) expr { return &binaryExpr{op: op, left: l, right: r} }

func (e *literalExpr) String() string { return e.text }
func (*emptyExpr) String() string     { return "{}" }
func (e *constExpr) String() string {
	if isPlainName(e.name) {
		return "%" + e.name
	}
	return "%" + quoteBackticks(e.name)
}
func (e *varExpr) String() string   { return e.name }
func (e *parenExpr) String() string { return "(" + e.inner.String() + ")" }
func (e *memberExpr) String() string {
	if e.delimited || !isPlainName(e.name) {
		return quoteBackticks(e.name)
	}
	return e.name
}
func (e *funcExpr) String() string {
	var b strings.Builder
	b.WriteString(e.name)
	b.WriteByte('(')
	for i, a := range e.args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.String())
	}
	b.WriteByte(')')
	return b.String()
}
func (e *dotExpr) String() string   { return e.left.String() + "." + e.right.String() }
func (e *indexExpr) String() string { return e.left.String() + "[" + e.index.String() + "]" }
func (e *unaryExpr) String() string { return e.op + e.operand.String() }
func (e *binaryExpr) String() string {
	return e.left.String() + " " + e.op + " " + e.right.String()
}
func (e *typeOpExpr) String() string { return e.left.String() + " " + e.op + " " + e.ts.String() }

func isPlainName(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentPart(s[i]) {
			return false
		}
	}
	return !operatorWords[s] && s != "true" && s != "false"
}

// quoteBackticks writes name as a delimited identifier that lexQuoted reads
// back as name: backticks and backslashes escaped (a fuzzed constant
// %'`' printed as %``` did not parse).
func quoteBackticks(name string) string {
	var b strings.Builder
	b.WriteByte('`')
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '`', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('`')
	return b.String()
}
