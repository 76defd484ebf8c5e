package search

import (
	"strings"
	"time"
	"unicode"

	"github.com/sen-emr/sen/internal/fhir"
)

// Doc is a resource as Match sees it: its id, its index entries (from
// Indexer.Index) and its decoded JSON (for _text and _content).
type Doc struct {
	ID      string
	Entries []Entry
	JSON    any
}

// Match reports whether d satisfies c, in Go, with the semantics the SQL
// backends give the same clause (sqlstore/clause.go). It serves resources
// that have no index rows of their own: contained resources (_contained).
// Chains, _has, _list, _lastUpdated and the terminology modifiers (:in,
// :not-in, :above, :below) need other resources or a terminology server
// and answer a KindInvalid error saying so. now is the clock of ap on dates.
func Match(c *Clause, d *Doc, now time.Time) (bool, error) {
	switch {
	case c.Chain != nil || c.Has != nil || c.Param == "_has":
		return false, notInGo("a chain or _has")
	case c.Param == "_list" || c.Param == "_lastUpdated" || c.Param == "_query":
		return false, notInGo(c.Param)
	case c.Param == "_filter":
		if c.Filter == nil {
			return false, fhir.Errorf(fhir.KindInvalid, "_filter has no expression")
		}
		return matchFilter(c.Filter, d, now)
	case c.Param == "_text" || c.Param == "_content":
		words := NarrativeWords(d.JSON)
		if c.Param == "_content" {
			words = ContentWords(d.JSON)
		}
		for i := range c.Values {
			if TextMatch(words, &c.Values[i]) {
				return true, nil
			}
		}
		return false, nil
	case c.Param == "_id":
		return matchID(c, d.ID)
	}
	typ := c.Type
	if typ == TypeReference && c.Modifier == "identifier" {
		typ = TypeToken
	}
	var es []*Entry
	for i := range d.Entries {
		if e := &d.Entries[i]; e.Param == c.Param && e.Type == typ {
			es = append(es, e)
		}
	}
	if c.Modifier == "missing" {
		for _, v := range c.Values {
			if v.Missing != (len(es) == 0) {
				return false, nil
			}
		}
		return true, nil
	}
	negate := false
	switch c.Modifier {
	case "in", "not-in", "above", "below":
		if c.Type == TypeToken || c.Type == TypeURI && (c.Modifier == "in" || c.Modifier == "not-in") {
			return false, notInGo("modifier :" + c.Modifier)
		}
	case "not":
		if c.Type == TypeToken {
			negate = true
		}
	}
	for _, e := range es {
		for i := range c.Values {
			ok, err := matchEntry(c, e, &c.Values[i], now)
			if err != nil {
				return false, err
			}
			if ok {
				return !negate, nil
			}
		}
	}
	return negate, nil
}

func notInGo(what string) error {
	return fhir.Errorf(fhir.KindInvalid, "%s is not supported when searching contained resources", what)
}

func matchFilter(f *Filter, d *Doc, now time.Time) (bool, error) {
	switch f.Op {
	case "":
		if f.Clause == nil {
			return false, fhir.Errorf(fhir.KindInvalid, "_filter: empty comparison")
		}
		return Match(f.Clause, d, now)
	case "and", "or":
		want := f.Op == "or"
		for _, ch := range f.Children {
			ok, err := matchFilter(ch, d, now)
			if err != nil {
				return false, err
			}
			if ok == want {
				return want, nil
			}
		}
		return !want, nil
	case "not":
		if len(f.Children) != 1 {
			return false, fhir.Errorf(fhir.KindInvalid, "_filter: not takes one expression")
		}
		ok, err := matchFilter(f.Children[0], d, now)
		return !ok, err
	}
	return false, fhir.Errorf(fhir.KindInvalid, "_filter: unknown operator %q", f.Op)
}

func matchID(c *Clause, id string) (bool, error) {
	in := false
	for _, v := range c.Values {
		want := v.Raw
		if want == "" {
			want = v.Code
		}
		if want == id {
			in = true
		}
	}
	switch c.Modifier {
	case "":
		return in, nil
	case "not":
		return !in, nil
	case "missing":
		for _, v := range c.Values {
			if v.Missing {
				return false, nil
			}
		}
		return true, nil
	}
	return false, notInGo("modifier :" + c.Modifier + " on _id")
}

func matchEntry(c *Clause, e *Entry, v *Value, now time.Time) (bool, error) {
	switch {
	case c.Type == TypeReference && c.Modifier == "identifier":
		return matchToken("", e, v), nil
	case c.Type == TypeToken:
		return matchToken(c.Modifier, e, v), nil
	case c.Type == TypeString:
		return matchString(c.Modifier, e, v), nil
	case c.Type == TypeURI:
		return matchURI(c.Modifier, e.Value, v.Raw), nil
	case c.Type == TypeReference:
		return matchReference(c.Modifier, e, v), nil
	case c.Type == TypeDate:
		return matchDate(e.Low, e.High, v, now)
	case c.Type == TypeNumber:
		return matchNumber(e.Number, v.Prefix, v.Number, v.NumLow, v.NumHigh)
	case c.Type == TypeQuantity:
		return matchQuantity(e, v)
	case c.Type == TypeComposite:
		return matchComposite(c, e, v, now)
	}
	return false, notInGo("a " + string(c.Type) + " parameter")
}

func matchToken(mod string, e *Entry, v *Value) bool {
	switch mod {
	case "text":
		norm := v.Norm
		if norm == "" {
			norm = Normalize(v.Raw)
		}
		return strings.HasPrefix(Normalize(e.Text), norm)
	case "of-type":
		return e.TypeSystem == v.TypeSystem && e.TypeCode == v.TypeCode && e.Code == v.Code
	}
	switch {
	case v.HasSystem && v.Code == "":
		return e.System == v.System
	case v.HasSystem:
		return e.Code == v.Code && e.System == v.System
	}
	return e.Code == v.Code
}

func matchString(mod string, e *Entry, v *Value) bool {
	norm, stored := v.Norm, e.Norm
	if norm == "" {
		norm = Normalize(v.Raw)
	}
	if stored == "" {
		stored = Normalize(e.Value)
	}
	switch mod {
	case "exact":
		return e.Value == v.Raw
	case "contains":
		return strings.Contains(stored, norm)
	case ModEquals:
		return stored == norm
	case ModEnds:
		return strings.HasSuffix(stored, norm)
	}
	return strings.HasPrefix(stored, norm)
}

func matchURI(mod, stored, want string) bool {
	switch mod {
	case "below":
		return strings.HasPrefix(stored, want)
	case "above":
		// stored is want or want cut before or after one of its '/' past the scheme.
		if !strings.HasPrefix(want, stored) {
			return false
		}
		if len(stored) == len(want) {
			return true
		}
		start := strings.Index(want, "://")
		if start < 0 {
			start = 0
		} else {
			start += 3
		}
		n := len(stored)
		return n >= start && (want[n] == '/' || n > start && want[n-1] == '/')
	}
	return stored == want
}

func matchReference(mod string, e *Entry, v *Value) bool {
	typ := v.RefType
	if mod != "" && unicode.IsUpper(rune(mod[0])) {
		typ = mod
	}
	switch {
	case v.RefURL != "" && v.RefID == "":
		return e.RefURL == v.RefURL
	case typ != "":
		return e.RefID == v.RefID && e.RefType == typ
	}
	id := v.RefID
	if id == "" {
		id = v.Raw
	}
	return e.RefID == id
}

// matchDate compares the stored range [lo, hi] with the value's range as
// search.html#prefix describes for ranges (an unset bound is open).
func matchDate(lo, hi time.Time, v *Value, now time.Time) (bool, error) {
	const minU, maxU = -1 << 62, 1 << 62
	us := func(t time.Time, open int64) int64 {
		if t.IsZero() {
			return open
		}
		return t.UnixMicro()
	}
	l, h := us(lo, minU), us(hi, maxU)
	vl, vh := us(v.Low, minU), us(v.High, maxU)
	switch v.Prefix {
	case "", "eq":
		return l >= vl && h <= vh, nil
	case "ne":
		return l < vl || h > vh, nil
	case "gt":
		return h > vh, nil
	case "lt":
		return l < vl, nil
	case "ge":
		return h > vh || l >= vl && h <= vh, nil
	case "le":
		return l < vl || l >= vl && h <= vh, nil
	case "sa":
		return l > vh, nil
	case "eb":
		return h < vl, nil
	case PrefixOverlaps:
		return l <= vh && h >= vl, nil
	case "ap":
		d := vl - now.UnixMicro()
		if d < 0 {
			d = -d
		}
		w := d / 10
		if w < 86400e6 {
			w = 86400e6
		}
		return l <= vh+w && h >= vl-w, nil
	}
	return false, fhir.Errorf(fhir.KindInvalid, "unknown prefix %q", v.Prefix)
}

func matchNumber(x float64, prefix string, n, lo, hi float64) (bool, error) {
	if lo == 0 && hi == 0 {
		lo, hi = n, n
	}
	switch prefix {
	case "", "eq":
		if lo == hi {
			return x == n, nil
		}
		return x >= lo && x < hi, nil
	case "ne":
		if lo == hi {
			return x != n, nil
		}
		return x < lo || x >= hi, nil
	case "gt", "sa":
		return x > n, nil
	case "lt", "eb":
		return x < n, nil
	case "ge":
		return x >= n, nil
	case "le":
		return x <= n, nil
	case "ap":
		d := n / 10
		if d < 0 {
			d = -d
		}
		return x >= n-d && x <= n+d, nil
	}
	return false, fhir.Errorf(fhir.KindInvalid, "unknown prefix %q", prefix)
}

func matchQuantity(e *Entry, v *Value) (bool, error) {
	if v.UnitCode == "" && v.UnitSystem == "" {
		return matchNumber(e.Number, v.Prefix, v.Number, v.NumLow, v.NumHigh)
	}
	unit := e.Code == v.UnitCode && e.System == v.UnitSystem
	if v.UnitSystem == "" {
		unit = e.Code == v.UnitCode || e.Value == v.UnitCode
	}
	if unit {
		if ok, err := matchNumber(e.Number, v.Prefix, v.Number, v.NumLow, v.NumHigh); ok || err != nil {
			return ok, err
		}
	}
	if !e.HasCanonical {
		return false, nil
	}
	switch {
	case v.HasCanonical:
		if e.CanonicalCode == v.CanonicalCode {
			return matchNumber(e.Canonical, v.Prefix, v.Canonical, v.CanonicalLow, v.CanonicalHigh)
		}
	case v.UnitSystem == "" || v.UnitSystem == UCUMSystem:
		if e.CanonicalCode == v.UnitCode {
			return matchNumber(e.Canonical, v.Prefix, v.Number, v.NumLow, v.NumHigh)
		}
	}
	return false, nil
}

func matchComposite(c *Clause, e *Entry, v *Value, now time.Time) (bool, error) {
	if len(v.Parts) != len(c.Components) || len(e.Components) != len(c.Components) {
		return false, nil
	}
	for j := range c.Components {
		comp := c.Components[j]
		comp.Modifier = ""
		ok, err := matchEntry(&comp, &e.Components[j], &v.Parts[j], now)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}
