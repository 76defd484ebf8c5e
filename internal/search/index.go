package search

import (
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/fhirpath"
)

// Indexer extracts search index entries from resources using the R4
// SearchParameter expressions (search.html, "Search Parameter Types").
//
// Every expression is compiled once, per resource type, by NewIndexer:
// union branches for other resource types are dropped, simple paths become
// a direct walk over the decoded JSON, and the rest is parsed as FHIRPath.
// An Indexer is immutable and safe for concurrent use.
type Indexer struct {
	m       *r4.Model
	fpModel fhirpath.Model
	byType  map[string][]*compiled
	// compartment holds, per resource type, the reference parameters that
	// put it into a Patient compartment.
	compartment map[string]map[string]bool
	skipped     []string
}

// compiled is one search parameter ready to run on one resource type.
type compiled struct {
	sp    *r4.SearchParam
	typ   Type
	ev    evaluator
	comps []component // composite parameters only
}

type component struct {
	code string
	typ  Type
	ev   evaluator
}

// evaluator runs an expression: fast paths first, then the FHIRPath
// fallback (nil when every branch is a fast path).
type evaluator struct {
	paths []path
	expr  *fhirpath.Expression
}

// NewIndexer compiles the search parameters of every resource type of m.
// It fails only if an R4 expression does not parse, which would be a bug
// in the model. Parameters Sen does not index are listed by Skipped.
func NewIndexer(m *r4.Model) (*Indexer, error) {
	ix := &Indexer{
		m:           m,
		fpModel:     fhirpath.R4(m),
		byType:      make(map[string][]*compiled),
		compartment: make(map[string]map[string]bool),
	}
	cache := make(map[string]*fhirpath.Expression)
	skipped := make(map[string]bool)
	for _, rt := range m.ResourceTypes() {
		for _, sp := range m.SearchParams(rt) {
			if skip, why := skipParam(sp); skip {
				skipped[sp.Code+" ("+why+")"] = true
				continue
			}
			ev, err := ix.compile(rt, sp.Expression, cache)
			if err != nil {
				return nil, fmt.Errorf("search: compile %s for %s: %w", sp.URL, rt, err)
			}
			if ev.empty() {
				continue // every branch is for another type
			}
			c := &compiled{sp: sp, typ: Type(sp.Type), ev: ev}
			for _, comp := range sp.Components {
				cev, err := ix.compile("", comp.Expression, cache)
				if err != nil {
					return nil, fmt.Errorf("search: compile %s component %s: %w", sp.URL, comp.Code, err)
				}
				c.comps = append(c.comps, component{code: comp.Code, typ: Type(comp.Type), ev: cev})
			}
			if c.typ == TypeComposite && len(c.comps) == 0 {
				skipped[sp.Code+" (composite without components)"] = true
				continue
			}
			ix.byType[rt] = append(ix.byType[rt], c)
		}
		if params := m.CompartmentParams("Patient", rt); len(params) > 0 {
			set := make(map[string]bool, len(params))
			for _, p := range params {
				set[p] = true
			}
			ix.compartment[rt] = set
		}
	}
	for s := range skipped {
		ix.skipped = append(ix.skipped, s)
	}
	return ix, nil
}

// skipParam tells which parameters are not extracted: _lastUpdated is the
// store's own column; special parameters (near, _text, _content, _query)
// and parameters without an expression need bespoke handling by the store.
func skipParam(sp *r4.SearchParam) (bool, string) {
	switch {
	case sp.Code == "_lastUpdated":
		return true, "store column"
	case sp.Type == string(TypeSpecial):
		return true, "special"
	case sp.Expression == "":
		return true, "no expression"
	}
	return false, ""
}

// Skipped lists the parameter codes NewIndexer did not compile, with the
// reason, in no particular order.
func (ix *Indexer) Skipped() []string { return ix.skipped }

// Param returns the definition of the search parameter code on
// resourceType, or nil.
func (ix *Indexer) Param(resourceType, code string) *r4.SearchParam {
	return ix.m.SearchParam(resourceType, code)
}

func (ix *Indexer) compile(resType, expr string, cache map[string]*fhirpath.Expression) (evaluator, error) {
	var ev evaluator
	var rest []string
	for _, br := range splitUnion(expr) {
		p, skip, ok := compilePath(ix.m, resType, br)
		switch {
		case skip:
		case ok:
			ev.paths = append(ev.paths, p)
		default:
			rest = append(rest, br)
		}
	}
	if len(rest) > 0 {
		src := strings.Join(rest, " | ")
		e, ok := cache[src]
		if !ok {
			var err error
			e, err = fhirpath.Parse(src)
			if err != nil {
				return evaluator{}, err
			}
			cache[src] = e
		}
		ev.expr = e
	}
	return ev, nil
}

func (ev evaluator) empty() bool { return len(ev.paths) == 0 && ev.expr == nil }

// run evaluates over focus (the resource, or a composite item) and
// appends the results to out. res is the resource, for %resource.
func (ix *Indexer) run(ev evaluator, focus item, isRoot bool, res *resource, out []item) ([]item, error) {
	for _, p := range ev.paths {
		out = p.eval(ix.m, focus, out)
	}
	if ev.expr != nil {
		var input fhirpath.Value
		if isRoot {
			input = res.node()
		} else {
			input = fhirpath.NewNode(focus.v, focus.t)
		}
		col, err := ev.expr.Evaluate(input, &fhirpath.Options{Model: ix.fpModel, Resource: res.node(), Resolver: resolveStub})
		if err != nil {
			return out, err
		}
		for _, v := range col {
			out = append(out, item{v: v.Raw(), t: fhirTypeName(v.TypeName())})
		}
	}
	return out, nil
}

// resolveStub answers resolve() in search expressions, which only ask
// "resolve() is T": it returns an empty resource of the referenced type.
func resolveStub(ref string) (fhirpath.Value, bool) {
	t, _, _, _ := parseReference(ref)
	if t == "" {
		return nil, false
	}
	return fhirpath.NewNode(map[string]any{"resourceType": t}, t), true
}

// fhirTypeName maps FHIRPath System types to the FHIR primitive names the
// converters know ("System.Boolean" -> "boolean").
func fhirTypeName(t string) string {
	if s, ok := strings.CutPrefix(t, "System."); ok && s != "" {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return t
}

// resource is the decoded resource being indexed.
type resource struct {
	root item
	fp   fhirpath.Value
}

func (r *resource) node() fhirpath.Value {
	if r.fp == nil {
		r.fp = fhirpath.NewNode(r.root.v, r.root.t)
	}
	return r.fp
}

// Index decodes body, a resource of resourceType, and extracts its index
// entries and Patient compartments. Errors are *fhir.Error of KindInvalid
// for a body that is not a JSON object of that type; KindInvalid with the
// parameter named if an expression cannot be evaluated on it.
func (ix *Indexer) Index(resourceType string, body []byte) (Indexed, error) {
	// fhirpath's decoder builds the same tree as encoding/json with
	// UseNumber, several times faster.
	v, err := fhirpath.DecodeJSON(body)
	if err != nil {
		return Indexed{}, &fhir.Error{Kind: fhir.KindInvalid, Msg: "resource body is not valid JSON", Err: err}
	}
	root, ok := v.Raw().(map[string]any)
	if !ok {
		return Indexed{}, fhir.Errorf(fhir.KindInvalid, "resource body is not a JSON object")
	}
	return ix.IndexValue(resourceType, root)
}

// IndexValue is Index on an already decoded resource (decoded with
// json.Decoder.UseNumber, so that decimal precision survives). It does
// not modify root.
func (ix *Indexer) IndexValue(resourceType string, root map[string]any) (idx Indexed, err error) {
	if rt, _ := root["resourceType"].(string); rt != resourceType {
		return Indexed{}, fhir.Errorf(fhir.KindInvalid, "resourceType is %q, expected %q", rt, resourceType)
	}
	params, ok := ix.byType[resourceType]
	if !ok && !ix.m.IsResource(resourceType) {
		return Indexed{}, fhir.Errorf(fhir.KindInvalid, "unknown resource type %q", resourceType)
	}
	defer func() {
		// An evaluator bug must not take the server down with one resource.
		if r := recover(); r != nil {
			idx, err = Indexed{}, fmt.Errorf("search: index %s: panic: %v", resourceType, r)
		}
	}()
	res := &resource{root: item{v: root, t: resourceType}}
	var items, compItems []item
	// Most parameters find nothing: a small start capacity avoids zeroing
	// a large Entry array per resource.
	entries := make([]Entry, 0, 16)
	for _, c := range params {
		items, err = ix.run(c.ev, res.root, true, res, items[:0])
		if err != nil {
			return Indexed{}, &fhir.Error{Kind: fhir.KindInvalid, Msg: fmt.Sprintf("cannot extract search parameter %s", c.sp.Code), Err: err}
		}
		if c.typ == TypeComposite {
			for _, it := range items {
				parts := make([][]Entry, len(c.comps))
				for i, comp := range c.comps {
					compItems, err = ix.run(comp.ev, it, false, res, compItems[:0])
					if err != nil {
						return Indexed{}, &fhir.Error{Kind: fhir.KindInvalid, Msg: fmt.Sprintf("cannot extract search parameter %s", c.sp.Code), Err: err}
					}
					for _, ci := range compItems {
						parts[i] = convert(comp.code, comp.typ, ci, parts[i])
					}
				}
				entries = combine(c.sp.Code, parts, entries)
			}
			continue
		}
		start := len(entries)
		for _, it := range items {
			entries = convert(c.sp.Code, c.typ, it, entries)
		}
		entries = dedupe(entries, start)
	}
	idx.Entries = entries
	idx.Patients = ix.patients(resourceType, root, entries)
	return idx, nil
}

// dedupe removes repeated entries from entries[start:] (FHIRPath unions
// are sets: Patient.name.given lists "Peter" once even if two names have it).
func dedupe(entries []Entry, start int) []Entry {
	if len(entries)-start < 2 || len(entries)-start > 256 {
		return entries
	}
	out := entries[:start]
	for i := start; i < len(entries); i++ {
		dup := false
		for j := start; j < len(out); j++ {
			if sameEntry(&out[j], &entries[i]) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, entries[i])
		}
	}
	return out
}

func sameEntry(a, b *Entry) bool {
	return a.System == b.System && a.Code == b.Code && a.Text == b.Text &&
		a.TypeSystem == b.TypeSystem && a.TypeCode == b.TypeCode &&
		a.Value == b.Value && a.RefType == b.RefType && a.RefID == b.RefID &&
		a.RefURL == b.RefURL && a.RefVersion == b.RefVersion &&
		a.Low.Equal(b.Low) && a.High.Equal(b.High) &&
		a.Number == b.Number && a.NumLow == b.NumLow && a.NumHigh == b.NumHigh &&
		a.CanonicalCode == b.CanonicalCode && a.Canonical == b.Canonical &&
		len(a.Components) == 0 && len(b.Components) == 0
}

func convert(param string, t Type, it item, out []Entry) []Entry {
	switch t {
	case TypeToken:
		return tokenEntries(param, it, out)
	case TypeString:
		return stringEntries(param, it, out)
	case TypeReference:
		return referenceEntries(param, it, out)
	case TypeDate:
		return dateEntries(param, it, out)
	case TypeNumber:
		return numberEntries(param, it, out)
	case TypeQuantity:
		return quantityEntries(param, it, out)
	case TypeURI:
		return uriEntries(param, it, out)
	}
	return out
}

// patients lists the Patient compartments of a resource: a Patient's own
// id, else the Patient ids its compartment parameters reference.
func (ix *Indexer) patients(resourceType string, root map[string]any, entries []Entry) []string {
	var ids []string
	add := func(id string) {
		for _, x := range ids {
			if x == id {
				return
			}
		}
		ids = append(ids, id)
	}
	if resourceType == "Patient" {
		if id, _ := root["id"].(string); id != "" {
			add(id)
		}
	}
	set := ix.compartment[resourceType]
	if len(set) == 0 {
		return ids
	}
	for i := range entries {
		e := &entries[i]
		if e.Type == TypeReference && e.RefType == "Patient" && e.RefID != "" && set[e.Param] {
			add(e.RefID)
		}
	}
	return ids
}
