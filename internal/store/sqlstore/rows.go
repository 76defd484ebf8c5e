package sqlstore

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/search"
)

// table describes one index table: its name, its kind bit in
// resources.kinds, and its kind-specific columns (after the common prefix
// rid, n, type, param, pkey).
type table struct {
	name string
	bit  int64
	cols []string
}

var (
	tToken     = table{"idx_token", 1 << 0, []string{"system", "code", "text", "tsys", "tcode"}}
	tString    = table{"idx_string", 1 << 1, []string{"value", "norm"}}
	tReference = table{"idx_reference", 1 << 2, []string{"ref_type", "ref_id", "ref_url", "ref_version"}}
	tDate      = table{"idx_date", 1 << 3, []string{"low", "high"}}
	tNumber    = table{"idx_number", 1 << 4, []string{"num", "num_low", "num_high"}}
	tQuantity  = table{"idx_quantity", 1 << 5, []string{"num", "num_low", "num_high", "system", "code", "unit", "canon", "canon_code", "has_canon"}}
	tURI       = table{"idx_uri", 1 << 6, []string{"value"}}
	// A composite value is one row: component k in columns ck_<col> (see
	// compositeCols), up to maxComponents components.
	tComposite = table{"idx_composite", 1 << 7, compositeTableCols()}
	// bitCompartment marks rows in compartments.
	bitCompartment int64 = 1 << 8

	indexTables = []table{tToken, tString, tReference, tDate, tNumber, tQuantity, tURI, tComposite}
)

// tableFor returns the index table of a parameter type.
func tableFor(t search.Type) (table, bool) {
	switch t {
	case search.TypeToken:
		return tToken, true
	case search.TypeString:
		return tString, true
	case search.TypeReference:
		return tReference, true
	case search.TypeDate:
		return tDate, true
	case search.TypeNumber:
		return tNumber, true
	case search.TypeQuantity:
		return tQuantity, true
	case search.TypeURI:
		return tURI, true
	case search.TypeComposite:
		return tComposite, true
	}
	return table{}, false
}

// Instants are stored as microseconds since the epoch. An unset low bound
// is the start of year 1 and an unset high bound the end of year 9999, so
// open-ended periods compare as unbounded.
var (
	minMicros = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxMicros = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

func lowMicros(t time.Time) int64 {
	if t.IsZero() {
		return minMicros
	}
	return t.UnixMicro()
}

func highMicros(t time.Time) int64 {
	if t.IsZero() {
		return maxMicros
	}
	return t.UnixMicro()
}

// numRange returns an entry's implicit range, defaulting to the exact value
// when the extractor left it unset.
func numRange(e *search.Entry) (lo, hi float64) {
	lo, hi = e.NumLow, e.NumHigh
	if lo == 0 && hi == 0 {
		return e.Number, e.Number
	}
	return lo, hi
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// indexRows groups the entries of one resource into rows per table.
type indexRows struct {
	rows map[string][][]any // table name -> rows of kind-specific values
	bits int64
}

func (en *Engine) buildRows(typ string, ix *search.Indexed) (*indexRows, error) {
	out := &indexRows{rows: make(map[string][][]any, 8)}
	for i := range ix.Entries {
		e := &ix.Entries[i]
		if e.Param == "" {
			return nil, fmt.Errorf("index entry %d has no parameter", i)
		}
		if e.Param == "_id" || e.Param == "_lastUpdated" {
			continue // answered from the resources row itself
		}
		if en.aliases.of(typ, e.Param) != nil {
			continue // searched through the rows of the parameters it repeats
		}
		if e.Type == search.TypeComposite {
			vals, err := compositeValues(e)
			if err != nil {
				return nil, fmt.Errorf("index entry %d (%s): %w", i, e.Param, err)
			}
			out.add(tComposite, e.Param, vals)
			continue
		}
		t, ok := tableFor(e.Type)
		if !ok {
			return nil, fmt.Errorf("index entry %d (%s): unsupported parameter type %q", i, e.Param, e.Type)
		}
		out.add(t, e.Param, kindValues(e))
	}
	return out, nil
}

func (r *indexRows) add(t table, param string, vals []any) {
	r.rows[t.name] = append(r.rows[t.name], append([]any{param}, vals...))
	r.bits |= t.bit
}

// kindValues are the kind-specific columns of a non-composite entry, in
// table.cols order.
func kindValues(e *search.Entry) []any {
	switch e.Type {
	case search.TypeToken:
		return []any{e.System, e.Code, fold(e.Text), e.TypeSystem, e.TypeCode}
	case search.TypeString:
		norm := e.Norm
		if norm == "" && e.Value != "" {
			norm = fold(e.Value)
		}
		return []any{e.Value, norm}
	case search.TypeReference:
		return []any{e.RefType, e.RefID, e.RefURL, e.RefVersion}
	case search.TypeDate:
		return []any{lowMicros(e.Low), highMicros(e.High)}
	case search.TypeNumber:
		lo, hi := numRange(e)
		return []any{safeF(e.Number), safeF(lo), safeF(hi)}
	case search.TypeQuantity:
		lo, hi := numRange(e)
		return []any{safeF(e.Number), safeF(lo), safeF(hi), e.System, e.Code, e.Value, safeF(e.Canonical), e.CanonicalCode, b2i(e.HasCanonical)}
	case search.TypeURI:
		return []any{e.Value}
	}
	return nil
}

// safeF maps non-finite numbers (which neither database stores portably)
// to the largest finite ones.
func safeF(f float64) float64 {
	switch {
	case math.IsNaN(f):
		return 0
	case math.IsInf(f, 1):
		return math.MaxFloat64
	case math.IsInf(f, -1):
		return -math.MaxFloat64
	}
	return f
}

// maxComponents is the most components a composite row holds (the R4
// parameters have two or three).
const maxComponents = 3

// compositeCols are the columns of one component, the union of what the
// search condition of each component kind reads.
var compositeCols = []string{"system", "code", "value", "norm", "ref_type", "ref_id", "ref_url",
	"low", "high", "num", "unit", "canon", "canon_code", "has_canon"}

func compositeTableCols() []string {
	out := make([]string, 0, maxComponents*len(compositeCols))
	for k := 0; k < maxComponents; k++ {
		for _, c := range compositeCols {
			out = append(out, fmt.Sprintf("c%d_%s", k, c))
		}
	}
	return out
}

// compositePrefix is the column prefix of component k, so that the search
// conditions of a component read alias.ck_code where a plain parameter's
// read alias.code.
func compositePrefix(alias string, k int) string { return fmt.Sprintf("%s.c%d_", alias, k) }

// compositeValues are the columns of one composite row. Components past
// maxComponents are not stored (searching them is unsupported).
func compositeValues(e *search.Entry) ([]any, error) {
	out := make([]any, 0, maxComponents*len(compositeCols))
	for k := 0; k < maxComponents; k++ {
		if k >= len(e.Components) {
			out = append(out, "", "", "", "", "", "", "", int64(0), int64(0), 0.0, "", 0.0, "", int64(0))
			continue
		}
		vals, err := componentValues(&e.Components[k])
		if err != nil {
			return nil, fmt.Errorf("component %d: %w", k, err)
		}
		out = append(out, vals...)
	}
	return out, nil
}

// componentValues are the compositeCols of one component.
func componentValues(c *search.Entry) ([]any, error) {
	var (
		system, code, value, norm, refType, refID, refURL, unit, canonCode string
		low, high, hasCanon                                                int64
		num, canon                                                         float64
	)
	switch c.Type {
	case search.TypeToken:
		system, code = c.System, c.Code
	case search.TypeString, search.TypeURI:
		value, norm = c.Value, c.Norm
		if norm == "" {
			norm = fold(c.Value)
		}
	case search.TypeReference:
		refType, refID, refURL = c.RefType, c.RefID, c.RefURL
	case search.TypeDate:
		low, high = lowMicros(c.Low), highMicros(c.High)
	case search.TypeNumber, search.TypeQuantity:
		num = safeF(c.Number)
		system, code, unit = c.System, c.Code, c.Value
		canon, canonCode, hasCanon = safeF(c.Canonical), c.CanonicalCode, b2i(c.HasCanonical)
	default:
		return nil, fmt.Errorf("unsupported component type %q", c.Type)
	}
	return []any{system, code, value, norm, refType, refID, refURL, low, high, num, unit, canon, canonCode, hasCanon}, nil
}

// insertSQL renders a multi-row INSERT of n rows into t. Placeholders are
// numbered from 1.
func insertSQL(d Dialect, t table, n int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO ")
	sb.WriteString(t.name)
	sb.WriteString(" (rid, n, type, pkey, param")
	for _, c := range t.cols {
		sb.WriteString(", ")
		sb.WriteString(c)
	}
	sb.WriteString(") VALUES ")
	width := 5 + len(t.cols)
	p := 0
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j := 0; j < width; j++ {
			if j > 0 {
				sb.WriteString(", ")
			}
			p++
			sb.WriteString(d.placeholder(p))
		}
		sb.WriteByte(')')
	}
	return sb.String()
}
