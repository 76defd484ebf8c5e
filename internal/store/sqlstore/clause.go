package sqlstore

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
)

// planner turns the clauses of one query into SQL conditions. Each
// parameter clause becomes "rid IN (SELECT rid FROM idx_<kind> …)", a
// semi-join both databases drive from the (type, param, value…, rid) index,
// or, when probe is set, "EXISTS (SELECT 1 FROM idx_<kind> a WHERE a.rid =
// r.rid AND …)", a look-up of the rows already chosen by a more selective
// clause (drive.go).
type planner struct {
	e     *Engine
	b     *builder
	alias int
	scans scanSets // rids of the clauses evaluated in Go (content.go)
	probe bool     // clauses are correlated EXISTS probes of r.rid
}

// semi opens the semi-join of a clause on resources alias r, over from
// (whose index alias is a): " AND r.rid [NOT] IN (SELECT a.rid FROM from
// WHERE " or, when the planner probes, " AND [NOT] EXISTS (SELECT 1 FROM
// from WHERE a.rid = r.rid AND ". The caller appends the conditions and
// the closing parenthesis. rid is never NULL, so NOT IN and NOT EXISTS
// agree.
func (p *planner) semi(r, a, from string, negate bool) {
	not := ""
	if negate {
		not = "NOT "
	}
	if p.probe {
		p.b.sql(" AND ", not, "EXISTS (SELECT 1 FROM ", from, " WHERE ", a, ".rid = ", r, ".rid AND ")
		return
	}
	p.b.sql(" AND ", r, ".rid ", not, "IN (SELECT ", a, ".rid FROM ", from, " WHERE ")
}

// cols is the prefix of index alias a's columns in the conditions of a
// clause: a, or, for a SQLite probe, "+a", whose unary plus keeps SQLite
// from seeking those columns' index. A probe looks up one resource's rows
// by the table's primary key (rid, n); without statistics SQLite prefers
// the longer equality prefix (type, param) of a search index and then
// reads every row of the parameter for each probe (2.4 s for a
// :missing probe of 184 Observations among 1 M resources). PostgreSQL
// chooses from its statistics and has no unary plus on text.
func (p *planner) cols(a string) string {
	if p.probe && !p.e.d.Dollar {
		return "+" + a
	}
	return a
}

func (p *planner) next(prefix string) string {
	p.alias++
	return prefix + strconv.Itoa(p.alias)
}

func unsupported(format string, args ...any) error {
	return fhir.Errorf(fhir.KindUnsupported, format, args...)
}

// typeFilter restricts index alias a to the resource types being searched;
// with no type (system search without _type) it adds nothing.
func (p *planner) typeFilter(a string, types []string) {
	switch len(types) {
	case 0:
	case 1:
		p.b.sql(" AND ", a, ".type = ").arg(types[0])
	default:
		p.b.sql(" AND ", a, ".type IN ")
		p.b.list(anys(types)...)
	}
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// clause appends " AND <condition>" for c on resources alias r of the given types.
func (p *planner) clause(c *search.Clause, r string, types []string) error {
	switch c.Param {
	case "_id":
		return p.idClause(c, r)
	case "_lastUpdated":
		return p.lastUpdated(c, r)
	case "_has":
		return p.has(c, r, types)
	case "_text", "_content":
		return p.textClause(c, r)
	case "_filter":
		return p.filter(c, r, types)
	case "_list":
		return p.list(c, r)
	case "_query":
		return unsupported("search parameter %s is not supported", c.Param)
	}
	if c.Has != nil {
		return p.has(c, r, types)
	}
	if c.Chain != nil {
		return p.chain(c, r, types)
	}
	t, ok := tableFor(c.Type)
	if !ok {
		return unsupported("search parameter %s of type %s is not supported", c.Param, c.Type)
	}
	if c.Modifier == "missing" {
		for _, v := range c.Values {
			a := p.next("i")
			p.semi(r, a, t.name+" "+a, v.Missing)
			p.paramIs(p.cols(a), c.Param, types, t.name)
			p.typeFilter(p.cols(a), types)
			p.b.sql(")")
		}
		return nil
	}
	if len(c.Values) == 0 {
		return fhir.Errorf(fhir.KindInvalid, "search parameter %s has no value", c.Param)
	}
	negate := false
	if c.Type == search.TypeToken && isTerminologyModifier(c.Modifier) {
		x, neg, err := p.expandToken(c)
		if err != nil {
			return err
		}
		if len(x.Values) == 0 {
			if !neg {
				p.b.sql(" AND 1=0")
			}
			return nil
		}
		c, negate = x, neg
	}
	switch c.Type {
	case search.TypeToken:
		switch c.Modifier {
		case "", "text", "of-type":
		case "not":
			negate = true
		default:
			return unsupported("modifier :%s is not supported on token parameter %s", c.Modifier, c.Param)
		}
	case search.TypeString:
		switch c.Modifier {
		case "", "exact", "contains", search.ModEquals, search.ModEnds:
		default:
			return unsupported("modifier :%s is not supported on string parameter %s", c.Modifier, c.Param)
		}
	case search.TypeURI:
		if c.Modifier != "" && c.Modifier != "above" && c.Modifier != "below" {
			return unsupported("modifier :%s is not supported on uri parameter %s", c.Modifier, c.Param)
		}
	case search.TypeReference:
		switch {
		case c.Modifier == "" || isTypeName(c.Modifier):
		case c.Modifier == "identifier":
			// Reference.identifier is indexed as a token entry of the same parameter.
			t = tToken
		default:
			return unsupported("modifier :%s is not supported on reference parameter %s", c.Modifier, c.Param)
		}
	case search.TypeComposite:
		return p.composite(c, r, types)
	default:
		if c.Modifier != "" {
			return unsupported("modifier :%s is not supported on %s parameter %s", c.Modifier, c.Type, c.Param)
		}
	}
	a := p.next("i")
	p.semi(r, a, t.name+" "+a, negate)
	ca := p.cols(a)
	p.paramIs(ca, c.Param, types, t.name)
	p.typeFilter(ca, types)
	p.b.sql(" AND (")
	for i := range c.Values {
		if i > 0 {
			p.b.sql(" OR ")
		}
		p.b.sql("(")
		if err := p.value(c, t, &c.Values[i], ca+"."); err != nil {
			return err
		}
		p.b.sql(")")
	}
	p.b.sql("))")
	return nil
}

// value appends the condition for one value of c; a is the column prefix
// ("i1." for a parameter's own table, "c1.c0_" for a composite component).
func (p *planner) value(c *search.Clause, t table, v *search.Value, a string) error {
	switch {
	case t.name == tToken.name && c.Type == search.TypeReference: // :identifier
		p.tokenCond(a, "", v)
		return nil
	case c.Type == search.TypeToken:
		p.tokenCond(a, c.Modifier, v)
		return nil
	case c.Type == search.TypeString:
		p.stringCond(a, c.Modifier, v)
		return nil
	case c.Type == search.TypeURI:
		p.uriCond(a, c.Modifier, v)
		return nil
	case c.Type == search.TypeReference:
		p.referenceCond(a, c.Modifier, v)
		return nil
	case c.Type == search.TypeDate:
		return p.dateCond(a+"low", a+"high", v)
	case c.Type == search.TypeNumber:
		return p.numberCond(a+"num", v.Prefix, v.Number, v.NumLow, v.NumHigh)
	case c.Type == search.TypeQuantity:
		return p.quantityCond(a, v)
	}
	return unsupported("search parameter %s of type %s is not supported", c.Param, c.Type)
}

// isTypeName reports whether a modifier names a resource type (subject:Patient).
func isTypeName(s string) bool {
	return s != "" && unicode.IsUpper(rune(s[0]))
}

// idClause: _id matches the logical id.
func (p *planner) idClause(c *search.Clause, r string) error {
	switch c.Modifier {
	case "":
	case "not":
		p.b.sql(" AND ", r, ".id NOT IN ")
		p.b.list(idValues(c)...)
		return nil
	case "missing":
		for _, v := range c.Values {
			if v.Missing {
				p.b.sql(" AND 1=0")
			}
		}
		return nil
	default:
		return unsupported("modifier :%s is not supported on _id", c.Modifier)
	}
	if len(c.Values) == 0 {
		return fhir.Errorf(fhir.KindInvalid, "_id has no value")
	}
	p.b.sql(" AND ", r, ".id IN ")
	p.b.list(idValues(c)...)
	return nil
}

func idValues(c *search.Clause) []any {
	out := make([]any, 0, len(c.Values))
	for _, v := range c.Values {
		id := v.Raw
		if id == "" {
			id = v.Code
		}
		out = append(out, id)
	}
	return out
}

// lastUpdated compares r.ts, an instant (a range of one microsecond).
func (p *planner) lastUpdated(c *search.Clause, r string) error {
	if c.Modifier != "" {
		return unsupported("modifier :%s is not supported on _lastUpdated", c.Modifier)
	}
	if len(c.Values) == 0 {
		return fhir.Errorf(fhir.KindInvalid, "_lastUpdated has no value")
	}
	p.b.sql(" AND (")
	for i := range c.Values {
		if i > 0 {
			p.b.sql(" OR ")
		}
		p.b.sql("(")
		if err := p.dateCond(r+".ts", r+".ts", &c.Values[i]); err != nil {
			return err
		}
		p.b.sql(")")
	}
	p.b.sql(")")
	return nil
}

// tokenCond matches system|code forms (search.html#token).
func (p *planner) tokenCond(a, mod string, v *search.Value) {
	b := p.b
	switch mod {
	case "text":
		norm := v.Norm
		if norm == "" {
			norm = fold(v.Raw)
		}
		b.sql(a, "text LIKE ").arg(likeEscape(norm) + "%").sql(" ESCAPE '\\'")
		return
	case "of-type":
		tsys, tcode, code := v.TypeSystem, v.TypeCode, v.Code
		if tsys == "" && tcode == "" {
			parts := strings.SplitN(v.Raw, "|", 3)
			for len(parts) < 3 {
				parts = append(parts, "")
			}
			tsys, tcode, code = parts[0], parts[1], parts[2]
		}
		b.sql(a, "tsys = ").arg(tsys).sql(" AND ", a, "tcode = ").arg(tcode).sql(" AND ", a, "code = ").arg(code)
		return
	}
	switch {
	case v.HasSystem && v.Code == "":
		b.sql(a, "system = ").arg(v.System)
	case v.HasSystem:
		b.sql(a, "code = ").arg(v.Code).sql(" AND ", a, "system = ").arg(v.System)
	default:
		b.sql(a, "code = ").arg(v.Code)
	}
}

// prefixEnd is an exclusive upper bound for strings starting with s under
// binary collation, so a prefix match is an index range scan.
func prefixEnd(s string) string { return s + "\U0010FFFF" }

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// stringCond: default is a case- and accent-insensitive prefix match on norm.
func (p *planner) stringCond(a, mod string, v *search.Value) {
	norm := v.Norm
	if norm == "" {
		norm = fold(v.Raw)
	}
	switch mod {
	case "exact":
		p.b.sql(a, "value = ").arg(v.Raw)
	case "contains":
		p.b.sql(a, "norm LIKE ").arg("%" + likeEscape(norm) + "%").sql(" ESCAPE '\\'")
	case search.ModEquals: // _filter eq
		p.b.sql(a, "norm = ").arg(norm)
	case search.ModEnds: // _filter ew
		p.b.sql(a, "norm LIKE ").arg("%" + likeEscape(norm)).sql(" ESCAPE '\\'")
	default:
		p.b.sql(a, "norm >= ").arg(norm).sql(" AND ", a, "norm < ").arg(prefixEnd(norm))
	}
}

// uriCond: exact by default; :below is a prefix range; :above matches the
// stored values that are path prefixes of the search value.
func (p *planner) uriCond(a, mod string, v *search.Value) {
	switch mod {
	case "below":
		p.b.sql(a, "value >= ").arg(v.Raw).sql(" AND ", a, "value < ").arg(prefixEnd(v.Raw))
	case "above":
		p.b.sql(a, "value IN ").list(anys(uriPrefixes(v.Raw))...)
	default:
		p.b.sql(a, "value = ").arg(v.Raw)
	}
}

// uriPrefixes lists s and its prefixes ending before or at each '/' after
// the scheme, e.g. http://x/a/b -> http://x, http://x/, http://x/a, http://x/a/, http://x/a/b.
func uriPrefixes(s string) []string {
	start := strings.Index(s, "://")
	if start < 0 {
		start = 0
	} else {
		start += 3
	}
	out := []string{}
	for i := start; i < len(s); i++ {
		if s[i] == '/' {
			out = append(out, s[:i], s[:i+1])
		}
	}
	return append(out, s)
}

// referenceCond matches Type/id, a bare id (any type, or the :Type
// modifier's), or an absolute URL.
func (p *planner) referenceCond(a, mod string, v *search.Value) {
	b := p.b
	typ := v.RefType
	if isTypeName(mod) {
		typ = mod
	}
	switch {
	case v.RefURL != "" && v.RefID == "":
		b.sql(a, "ref_url = ").arg(v.RefURL)
	case typ != "":
		b.sql(a, "ref_id = ").arg(v.RefID).sql(" AND ", a, "ref_type = ").arg(typ)
	default:
		id := v.RefID
		if id == "" {
			id = v.Raw
		}
		b.sql(a, "ref_id = ").arg(id)
	}
}

// dateCond compares the stored range [lo, hi] with the value's range
// following search.html#prefix for ranges.
func (p *planner) dateCond(lo, hi string, v *search.Value) error {
	b := p.b
	vl, vh := lowMicros(v.Low), highMicros(v.High)
	switch v.Prefix {
	case "", "eq":
		b.sql(lo, " >= ").arg(vl).sql(" AND ", hi, " <= ").arg(vh)
	case "ne":
		b.sql("(", lo, " < ").arg(vl).sql(" OR ", hi, " > ").arg(vh).sql(")")
	case "gt":
		b.sql(hi, " > ").arg(vh)
	case "lt":
		b.sql(lo, " < ").arg(vl)
	case "ge":
		b.sql("(", hi, " > ").arg(vh).sql(" OR (", lo, " >= ").arg(vl).sql(" AND ", hi, " <= ").arg(vh).sql("))")
	case "le":
		b.sql("(", lo, " < ").arg(vl).sql(" OR (", lo, " >= ").arg(vl).sql(" AND ", hi, " <= ").arg(vh).sql("))")
	case "sa":
		b.sql(lo, " > ").arg(vh)
	case "eb":
		b.sql(hi, " < ").arg(vl)
	case search.PrefixOverlaps: // _filter po
		b.sql(lo, " <= ").arg(vh).sql(" AND ", hi, " >= ").arg(vl)
	case "ap":
		// Approximately: overlap with the value widened by 10% of its
		// distance from now (at least a day), as search.html leaves open.
		now := p.e.opts.Now().UnixMicro()
		d := vl - now
		if d < 0 {
			d = -d
		}
		w := d / 10
		if w < 86400e6 {
			w = 86400e6
		}
		b.sql(lo, " <= ").arg(vh+w).sql(" AND ", hi, " >= ").arg(vl - w)
	default:
		return fhir.Errorf(fhir.KindInvalid, "unknown prefix %q", v.Prefix)
	}
	return nil
}

// numberCond compares column col with a number and its implicit precision
// range [lo, hi) (search.html#number).
func (p *planner) numberCond(col, prefix string, n, lo, hi float64) error {
	b := p.b
	if lo == 0 && hi == 0 {
		lo, hi = n, n
	}
	switch prefix {
	case "", "eq":
		if lo == hi {
			b.sql(col, " = ").arg(n)
		} else {
			b.sql(col, " >= ").arg(lo).sql(" AND ", col, " < ").arg(hi)
		}
	case "ne":
		if lo == hi {
			b.sql(col, " <> ").arg(n)
		} else {
			b.sql("(", col, " < ").arg(lo).sql(" OR ", col, " >= ").arg(hi).sql(")")
		}
	case "gt", "sa":
		b.sql(col, " > ").arg(n)
	case "lt", "eb":
		b.sql(col, " < ").arg(n)
	case "ge":
		b.sql(col, " >= ").arg(n)
	case "le":
		b.sql(col, " <= ").arg(n)
	case "ap":
		d := n / 10
		if d < 0 {
			d = -d
		}
		b.sql(col, " >= ").arg(n-d).sql(" AND ", col, " <= ").arg(n + d)
	default:
		return fhir.Errorf(fhir.KindInvalid, "unknown prefix %q", prefix)
	}
	return nil
}

const ucum = "http://unitsofmeasure.org"

// quantityCond compares the value in the unit given, or canonically: the
// stored UCUM-canonical value against the search value converted by
// Options.Canonical (or taken as canonical already when no converter is set).
func (p *planner) quantityCond(a string, v *search.Value) error {
	b := p.b
	if v.UnitCode == "" && v.UnitSystem == "" {
		return p.numberCond(a+"num", v.Prefix, v.Number, v.NumLow, v.NumHigh)
	}
	b.sql("((")
	if v.UnitSystem != "" {
		b.sql(a, "system = ").arg(v.UnitSystem).sql(" AND ", a, "code = ").arg(v.UnitCode)
	} else {
		b.sql("(", a, "code = ").arg(v.UnitCode).sql(" OR ", a, "unit = ").arg(v.UnitCode).sql(")")
	}
	b.sql(" AND ")
	if err := p.numberCond(a+"num", v.Prefix, v.Number, v.NumLow, v.NumHigh); err != nil {
		return err
	}
	b.sql(")")
	if v.HasCanonical {
		b.sql(" OR (", a, "has_canon = 1 AND ", a, "canon_code = ").arg(v.CanonicalCode).sql(" AND ")
		if err := p.numberCond(a+"canon", v.Prefix, v.Canonical, v.CanonicalLow, v.CanonicalHigh); err != nil {
			return err
		}
		b.sql(")")
	} else if v.UnitSystem == "" || v.UnitSystem == ucum {
		cn, clo, chi, cu := v.Number, v.NumLow, v.NumHigh, v.UnitCode
		ok := true
		if conv := p.e.opts.Canonical; conv != nil {
			var ok1, ok2, ok3 bool
			cn, cu, ok1 = conv(v.Number, ucum, v.UnitCode)
			clo, _, ok2 = conv(v.NumLow, ucum, v.UnitCode)
			chi, _, ok3 = conv(v.NumHigh, ucum, v.UnitCode)
			ok = ok1 && ok2 && ok3
		}
		if ok {
			b.sql(" OR (", a, "has_canon = 1 AND ", a, "canon_code = ").arg(cu).sql(" AND ")
			if err := p.numberCond(a+"canon", v.Prefix, cn, clo, chi); err != nil {
				return err
			}
			b.sql(")")
		}
	}
	b.sql(")")
	return nil
}

// chain: subject:Patient.name=x becomes a join from the reference index to
// the target resources, with the tail clause applied to the target.
func (p *planner) chain(c *search.Clause, r string, types []string) error {
	target := c.Chain.TargetType
	if target == "" && isTypeName(c.Modifier) {
		target = c.Modifier
	}
	targets := []string{target}
	if target == "" {
		// Any of the targets that define the chained parameter.
		if targets = c.Chain.Targets; len(targets) == 0 {
			return fhir.Errorf(fhir.KindInvalid, "chained parameter %s needs a target type", c.Param)
		}
	}
	a, t := p.next("i"), p.next("t")
	p.semi(r, a, "idx_reference "+a+" JOIN resources "+t+" ON "+t+".type = "+a+".ref_type AND "+t+".id = "+a+".ref_id", false)
	ca := p.cols(a)
	p.paramIs(ca, c.Param, types, tReference.name)
	p.typeFilter(ca, types)
	if len(targets) == 1 {
		p.b.sql(" AND ", ca, ".ref_type = ").arg(targets[0])
	} else {
		p.b.sql(" AND ", ca, ".ref_type IN ").list(anys(targets)...)
	}
	p.b.sql(" AND ", t, ".deleted = 0")
	if err := p.clause(&c.Chain.Clause, t, targets); err != nil {
		return fmt.Errorf("chain %s.%s: %w", c.Param, c.Chain.Clause.Param, err)
	}
	p.b.sql(")")
	return nil
}

// has: _has:Observation:patient:code=x keeps resources referred to by an
// Observation (through its patient parameter) that matches code=x.
func (p *planner) has(c *search.Clause, r string, types []string) error {
	h := c.Has
	if h == nil || h.Type == "" || h.Ref == "" {
		return fhir.Errorf(fhir.KindInvalid, "_has needs a type, a reference parameter and a condition")
	}
	a, s := p.next("i"), p.next("h")
	p.b.sql(" AND ", r, ".id IN (SELECT ", a, ".ref_id FROM idx_reference ", a, " JOIN resources ", s,
		" ON ", s, ".rid = ", a, ".rid WHERE ", a, ".type = ").arg(h.Type).sql(" AND ")
	p.paramIs(a, h.Ref, []string{h.Type}, tReference.name)
	if len(types) == 1 {
		p.b.sql(" AND ", a, ".ref_type = ").arg(types[0])
	} else {
		p.b.sql(" AND ", a, ".ref_type = ", r, ".type")
	}
	if err := p.clause(&h.Clause, s, []string{h.Type}); err != nil {
		return fmt.Errorf("_has:%s:%s: %w", h.Type, h.Ref, err)
	}
	p.b.sql(")")
	return nil
}

// composite matches one idx_composite row whose component columns all
// match the parts of one value.
func (p *planner) composite(c *search.Clause, r string, types []string) error {
	if c.Modifier != "" {
		return unsupported("modifier :%s is not supported on composite parameter %s", c.Modifier, c.Param)
	}
	n := len(c.Components)
	if n == 0 {
		return fhir.Errorf(fhir.KindInvalid, "composite parameter %s has no components", c.Param)
	}
	if n > maxComponents {
		return unsupported("composite parameter %s has %d components; at most %d are supported", c.Param, n, maxComponents)
	}
	a := p.next("c")
	p.semi(r, a, "idx_composite "+a, false)
	ca := p.cols(a)
	p.paramIs(ca, c.Param, types, tComposite.name)
	p.typeFilter(ca, types)
	p.b.sql(" AND (")
	for i := range c.Values {
		v := &c.Values[i]
		if len(v.Parts) != n {
			return fhir.Errorf(fhir.KindInvalid, "composite parameter %s needs %d components, got %d", c.Param, n, len(v.Parts))
		}
		if i > 0 {
			p.b.sql(" OR ")
		}
		p.b.sql("(")
		for j := range c.Components {
			if j > 0 {
				p.b.sql(" AND ")
			}
			comp := c.Components[j]
			comp.Modifier = ""
			t, ok := tableFor(comp.Type)
			if !ok || comp.Type == search.TypeComposite {
				return unsupported("composite %s: component type %s is not supported", c.Param, comp.Type)
			}
			p.b.sql("(")
			if err := p.value(&comp, t, &v.Parts[j], compositePrefix(ca, j)); err != nil {
				return err
			}
			p.b.sql(")")
		}
		p.b.sql(")")
	}
	p.b.sql("))")
	return nil
}
