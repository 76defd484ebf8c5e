package search

import (
	"net/url"
	"sort"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
)

// ignoredParams are request parameters that do not affect the search.
var ignoredParams = map[string]bool{"_format": true, "_pretty": true}

// ParseQuery parses the parameters of a search request on resourceType
// ("" for a system-level search) into a Query (R4 search.html).
//
// Parameters are processed in sorted order so the Query is deterministic;
// each occurrence of a parameter is one Clause (ANDed) and its
// comma-separated values are ORed. Unknown parameters are errors when
// strict (the client sent Prefer: handling=strict), otherwise they are
// ignored and listed in Query.Warnings. Unknown modifiers, malformed values
// and invalid result parameters are always errors. Every error is a
// *fhir.Error of KindInvalid naming the parameter.
//
// Conventions for backends: ordered types (number, date, quantity) always
// carry a Prefix ("eq" when the client gave none); date and number values
// carry the inclusive range their precision denotes; string values carry
// Norm for case- and accent-insensitive matching; a chain without a type
// modifier whose reference may point at several types that all define the
// chained parameter has Chained.TargetType "" (any of them).
func ParseQuery(m *r4.Model, resourceType string, params url.Values, strict bool) (*Query, error) {
	p := &queryParser{m: m, strict: strict, q: &Query{Type: resourceType}}
	if resourceType != "" && !m.IsResource(resourceType) {
		return nil, fhir.Errorf(fhir.KindInvalid, "unknown resource type %q", resourceType)
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// _type first: on a system search it decides which parameters exist.
	if vs, ok := params["_type"]; ok {
		if err := p.types(vs); err != nil {
			return nil, err
		}
	}
	for _, k := range keys {
		if k == "_type" || ignoredParams[k] {
			continue
		}
		for _, v := range params[k] {
			if err := p.param(k, v); err != nil {
				return nil, err
			}
		}
	}
	return p.q, nil
}

type queryParser struct {
	m      *r4.Model
	strict bool
	q      *Query
}

func invalid(param, format string, args ...any) *fhir.Error {
	e := fhir.Errorf(fhir.KindInvalid, format, args...)
	e.Msg = "search parameter " + param + ": " + e.Msg
	return e
}

func (p *queryParser) unknown(key, why string) error {
	msg := "unknown search parameter " + key
	if why != "" {
		msg += " (" + why + ")"
	}
	if p.strict {
		return fhir.Errorf(fhir.KindInvalid, "%s", msg)
	}
	p.q.Warnings = append(p.q.Warnings, msg)
	return nil
}

// param handles one occurrence key=value.
func (p *queryParser) param(key, value string) error {
	name, _, _ := strings.Cut(key, ":")
	switch name {
	case "_sort":
		return p.sort(key, value)
	case "_count":
		n, err := nonNegative(key, value)
		p.q.Count = n
		return err
	case "_offset", "_getpagesoffset":
		n, err := nonNegative(key, value)
		p.q.Offset = n
		return err
	case "_cursor":
		p.q.Cursor = value
		return nil
	case "_total":
		return oneOf(key, value, &p.q.Total, "none", "estimate", "accurate")
	case "_summary":
		return oneOf(key, value, &p.q.Summary, "true", "text", "data", "count", "false")
	case "_contained":
		return oneOf(key, value, &p.q.Contained, "true", "false", "both")
	case "_containedType":
		return oneOf(key, value, &p.q.ContainedType, "container", "contained")
	case "_filter":
		if value == "" {
			return invalid(key, "empty expression")
		}
		f, err := parseFilter(p, p.q.Type, p.q.Types, value)
		if err != nil {
			return err
		}
		p.q.Clauses = append(p.q.Clauses, Clause{Param: "_filter", Type: TypeSpecial, Filter: f})
		return nil
	case "_elements":
		for _, e := range strings.Split(value, ",") {
			if e = strings.TrimSpace(e); e != "" {
				if !isIdent(strings.ReplaceAll(e, ".", "_")) {
					return invalid(key, "invalid element name %q", e)
				}
				p.q.Elements = append(p.q.Elements, e)
			}
		}
		return nil
	case "_include", "_revinclude":
		return p.include(key, value)
	}
	if value == "" {
		// An empty value is ignored (search.html: parameters with no value).
		p.q.Warnings = append(p.q.Warnings, "search parameter "+key+" has no value and was ignored")
		return nil
	}
	c, ok, err := p.clause(p.q.Type, p.q.Types, key, value, 0)
	if err != nil || !ok {
		return err
	}
	p.q.Clauses = append(p.q.Clauses, c)
	return nil
}

// maxChainDepth bounds chains and nested _has.
const maxChainDepth = 4

// clause parses key=value as a filter on resources of typ (or, when typ
// is "", of the system-level types). ok is false when the parameter is
// unknown and was ignored.
func (p *queryParser) clause(typ string, types []string, key, value string, depth int) (Clause, bool, error) {
	if depth > maxChainDepth {
		return Clause{}, false, invalid(key, "chain deeper than %d", maxChainDepth)
	}
	if strings.HasPrefix(key, "_has:") {
		return p.has(typ, key, value, depth)
	}
	head, tail, chained := strings.Cut(key, ".")
	name, mod, _ := strings.Cut(head, ":")
	switch name {
	case "_list":
		return p.list(key, mod, value)
	case "_text", "_content":
		if chained {
			return Clause{}, false, invalid(key, "%s cannot be chained", name)
		}
		if mod != "" {
			return Clause{}, false, invalid(key, "%s takes no modifier", name)
		}
		vs, err := textValues(key, value)
		if err != nil {
			return Clause{}, false, err
		}
		return Clause{Param: name, Type: TypeSpecial, Values: vs}, true, nil
	}
	sp, err := p.lookup(typ, types, name)
	if err != nil {
		return Clause{}, false, err
	}
	if sp == nil {
		return Clause{}, false, p.unknown(key, "")
	}
	c := Clause{Param: name, Type: Type(sp.Type), Modifier: mod}
	if chained {
		if c.Type != TypeReference {
			return Clause{}, false, invalid(key, "only reference parameters can be chained, %s is %s", name, sp.Type)
		}
		return p.chain(c, sp, key, tail, value, depth)
	}
	if err := checkModifier(p.m, sp, mod); err != nil {
		return Clause{}, false, invalid(key, "%v", err)
	}
	if mod == "missing" {
		switch value {
		case "true", "false":
			c.Values = []Value{{Raw: value, Missing: value == "true"}}
			return c, true, nil
		}
		return Clause{}, false, invalid(key, "value of :missing must be true or false, not %q", value)
	}
	for _, raw := range splitRaw(value, ',') {
		v, err := parseValue(p.m, sp, mod, raw)
		if err != nil {
			return Clause{}, false, invalid(key, "%v", err)
		}
		c.Values = append(c.Values, v)
	}
	if c.Type == TypeComposite {
		for _, comp := range sp.Components {
			c.Components = append(c.Components, Clause{Param: comp.Code, Type: Type(comp.Type)})
		}
	}
	return c, true, nil
}

// lookup finds a parameter definition; on a system search with _type it
// must exist on every listed type, without _type it must be common to all
// resources (_id, _lastUpdated, _tag ...).
func (p *queryParser) lookup(typ string, types []string, name string) (*r4.SearchParam, error) {
	if typ != "" {
		return p.m.SearchParam(typ, name), nil
	}
	if len(types) == 0 {
		sp := p.m.SearchParam("Patient", name)
		if sp == nil || !isCommon(sp) {
			return nil, nil
		}
		return sp, nil
	}
	var first *r4.SearchParam
	for _, t := range types {
		sp := p.m.SearchParam(t, name)
		if sp == nil {
			return nil, nil
		}
		if first != nil && first.Type != sp.Type {
			return nil, invalid(name, "has different types on %s", strings.Join(types, ","))
		}
		if first == nil {
			first = sp
		}
	}
	return first, nil
}

func isCommon(sp *r4.SearchParam) bool {
	for _, b := range sp.Base {
		if b == "Resource" || b == "DomainResource" {
			return true
		}
	}
	return false
}

// chain parses the tail of subject:Patient.name=x (multi-level allowed).
func (p *queryParser) chain(c Clause, sp *r4.SearchParam, key, tail, value string, depth int) (Clause, bool, error) {
	if c.Modifier != "" && !p.m.IsResource(c.Modifier) {
		return Clause{}, false, invalid(key, "modifier :%s is not a resource type; a chain needs :Type or nothing", c.Modifier)
	}
	tailName, _, _ := strings.Cut(strings.SplitN(tail, ".", 2)[0], ":")
	var targets []string
	if c.Modifier != "" {
		if len(sp.Targets) > 0 && !contains(sp.Targets, c.Modifier) {
			return Clause{}, false, invalid(key, "%s cannot refer to %s", c.Param, c.Modifier)
		}
		targets = []string{c.Modifier}
	} else {
		// The targets on which the chained parameter exists.
		for _, t := range sp.Targets {
			if tailName == "_has" || p.m.SearchParam(t, tailName) != nil {
				targets = append(targets, t)
			}
		}
	}
	if len(targets) == 0 {
		return Clause{}, false, p.unknown(key, "no target of "+c.Param+" has "+tailName)
	}
	target := ""
	if len(targets) == 1 {
		target = targets[0]
	}
	inner, ok, err := p.clause(targets[0], nil, tail, value, depth+1)
	if err != nil || !ok {
		return Clause{}, ok, err
	}
	for _, t := range targets[1:] {
		if sp2 := p.m.SearchParam(t, tailName); sp2 != nil && Type(sp2.Type) != inner.Type {
			return Clause{}, false, invalid(key, "ambiguous chain: %s has different types on %s; add a type modifier (%s:%s.%s)", tailName, strings.Join(targets, ", "), c.Param, targets[0], tail)
		}
	}
	c.Chain = &Chained{TargetType: target, Clause: inner}
	if target == "" {
		c.Chain.Targets = targets
	}
	return c, true, nil
}

// has parses _has:Type:ref:param=value (nested _has allowed).
func (p *queryParser) has(typ, key, value string, depth int) (Clause, bool, error) {
	parts := strings.SplitN(key, ":", 4)
	if len(parts) < 4 || parts[1] == "" || parts[2] == "" || parts[3] == "" {
		return Clause{}, false, invalid(key, "expected _has:Type:reference:parameter")
	}
	src, ref, rest := parts[1], parts[2], parts[3]
	if !p.m.IsResource(src) {
		return Clause{}, false, invalid(key, "unknown resource type %q", src)
	}
	rsp := p.m.SearchParam(src, ref)
	if rsp == nil || rsp.Type != string(TypeReference) {
		return Clause{}, false, invalid(key, "%s is not a reference parameter of %s", ref, src)
	}
	if typ != "" && len(rsp.Targets) > 0 && !contains(rsp.Targets, typ) {
		return Clause{}, false, invalid(key, "%s.%s cannot refer to %s", src, ref, typ)
	}
	inner, ok, err := p.clause(src, nil, rest, value, depth+1)
	if err != nil || !ok {
		return Clause{}, ok, err
	}
	return Clause{Param: "_has", Type: inner.Type, Has: &Has{Type: src, Ref: ref, Clause: inner}}, true, nil
}

// list parses _list=id (search.html#list): the value is a List id or a
// functional list name ($current-allergies).
func (p *queryParser) list(key, mod, value string) (Clause, bool, error) {
	if mod != "" {
		return Clause{}, false, invalid(key, "_list takes no modifier")
	}
	c := Clause{Param: "_list", Type: TypeSpecial}
	for _, raw := range splitEscaped(value, ',') {
		if raw == "" || !(isID(raw) || strings.HasPrefix(raw, "$") && isID(strings.ReplaceAll(raw[1:], "-", ""))) {
			return Clause{}, false, invalid(key, "invalid list id %q", raw)
		}
		c.Values = append(c.Values, Value{Raw: raw, RefType: "List", RefID: raw})
	}
	return c, true, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
