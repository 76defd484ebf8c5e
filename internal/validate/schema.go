package validate

import (
	"sort"
	"strings"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// node is the compiled shape of one kind of JSON object: a complex type, a
// resource, an inline backbone element, or the extension twin (_x) of a
// primitive. It is built once by New and never modified afterwards, so a
// Validator is safe for concurrent use.
type node struct {
	name     string            // type name or backbone path, for messages
	fields   map[string]*field // by JSON property name
	elems    []*elemInfo       // every element once, in spec order, for cardinality
	choices  map[string]*elemInfo
	resource bool // the object is a resource (carries resourceType)
	abstract bool
	domain   bool // a DomainResource: has text and contained
	// rootConstraints are the invariants of the type itself (qty-3 on
	// Quantity, bdl-1 on Bundle) that FHIRPath evaluates on each instance.
	rootConstraints []*constraint
}

// elemInfo is one element definition of a node with the JSON names that
// carry it (several for a choice element).
type elemInfo struct {
	el    *r4.ElementDef
	names []string
}

// field is what one JSON property name of a node means.
type field struct {
	el    *r4.ElementDef
	info  *elemInfo
	json  string // the JSON property name ("valueQuantity")
	typ   string // FHIR type of the value ("Quantity", "string", "Resource") or backbone path
	array bool   // max != 1: the JSON value must be an array
	// loc is the FHIRPath step for the property: the JSON name, or
	// "value.ofType(Quantity)" for a choice.
	loc string

	prim     *primitive // non-nil when the value is a FHIR primitive
	twin     *node      // the shape of the _x object of a primitive
	node     *node      // the shape of a complex or backbone value
	resource bool       // the value is a whole resource (contained, entry.resource)
	noTwin   bool       // Element.id, Extension.url, Resource.id: no _x allowed
	binding  *binding   // a required binding with enumerable codes
	// constraints are the element's and its type's invariants (except those
	// this package checks natively) for FHIRPath evaluation.
	constraints []*constraint
}

// constraint is an invariant with its parsed expression (nil until the
// FHIRPath pass parses it, or when parsing failed).
type constraint struct {
	r4.Constraint
	expr compiledExpr
}

// binding is a required binding whose value set is enumerable.
type binding struct {
	url    string
	codes  map[string]bool // code alone
	coding map[string]bool // system + "|" + code
}

// schema is the compiled model.
type schema struct {
	model      *r4.Model
	nodes      map[string]*node // by type name
	prims      map[string]*primitive
	twins      map[string]*node // by primitive type name
	bindings   map[string]*binding
	exprs      map[string]*constraint // by key+expression, so each is parsed once
	backbones  map[string]*node       // by element path, per type being compiled
	contentRef []pendingRef
}

type pendingRef struct {
	f    *field
	path string
}

// nativeKeys are the invariants this package checks without FHIRPath, on
// every element, because they are cheap to check directly and evaluating
// them by FHIRPath on each of thousands of elements would dominate the cost.
var nativeKeys = map[string]bool{
	"ele-1": true, "ext-1": true, "ref-1": true,
	"dom-2": true, "dom-3": true, "dom-4": true, "dom-5": true, "dom-6": true,
}

func compileSchema(m *r4.Model) *schema {
	s := &schema{
		model:    m,
		nodes:    make(map[string]*node),
		prims:    primitives(),
		twins:    make(map[string]*node),
		bindings: make(map[string]*binding),
		exprs:    make(map[string]*constraint),
	}
	for _, rt := range m.ResourceTypes() {
		s.compileType(rt)
	}
	// Abstract resource types are compiled too, so that an instance naming
	// one gets a precise message rather than "unknown resource type".
	s.compileType("Resource")
	s.compileType("DomainResource")
	return s
}

// compileType returns the node of a complex or resource type, compiling it
// (and, recursively, the types it uses) on first use.
func (s *schema) compileType(name string) *node {
	if n, ok := s.nodes[name]; ok {
		return n
	}
	td := s.model.Type(name)
	if td == nil || td.Kind == r4.KindPrimitive || len(td.Elements) == 0 {
		return nil
	}
	n := &node{name: name, resource: td.Kind == r4.KindResource, abstract: td.Abstract}
	s.nodes[name] = n // before filling: types refer to each other (Identifier ⇄ Reference)
	root, _, _ := strings.Cut(td.Elements[0].Path, ".")
	byParent := make(map[string][]*r4.ElementDef)
	for _, e := range td.Elements {
		if i := strings.LastIndexByte(e.Path, '.'); i > 0 {
			byParent[e.Path[:i]] = append(byParent[e.Path[:i]], e)
		}
	}
	saved, savedRefs := s.backbones, s.contentRef
	s.backbones = map[string]*node{root: n}
	s.contentRef = nil
	s.fill(n, root, td, byParent)
	for _, p := range s.contentRef {
		p.f.node = s.backbones[p.path]
	}
	s.backbones, s.contentRef = saved, savedRefs
	for _, c := range td.Constraints {
		if k := s.constraint(c); k != nil {
			n.rootConstraints = append(n.rootConstraints, k)
		}
	}
	if n.resource {
		_, n.domain = n.fields["contained"]
	}
	return n
}

func (s *schema) fill(n *node, path string, td *r4.TypeDef, byParent map[string][]*r4.ElementDef) {
	n.fields = make(map[string]*field)
	n.choices = make(map[string]*elemInfo)
	for _, e := range byParent[path] {
		info := &elemInfo{el: e}
		n.elems = append(n.elems, info)
		switch {
		case e.ContentRef != "":
			f := s.newField(e, info, e.Name, e.ContentRef)
			s.contentRef = append(s.contentRef, pendingRef{f, e.ContentRef})
			n.add(f)
		case len(e.Types) == 0:
			// No such element in R4; nothing to accept.
		case e.Choice:
			n.choices[e.Name] = info
			for _, t := range e.Types {
				f := s.newField(e, info, e.Name+upperFirst(t), t)
				f.loc = e.Name + ".ofType(" + t + ")"
				s.typeField(f)
				n.add(f)
			}
		case len(byParent[e.Path]) > 0 && (e.Types[0] == "BackboneElement" || e.Types[0] == "Element"):
			f := s.newField(e, info, e.Name, e.Path)
			child := &node{name: e.Path}
			s.backbones[e.Path] = child
			s.fill(child, e.Path, td, byParent)
			f.node = child
			n.add(f)
		default:
			t := e.Types[0]
			if strings.HasPrefix(t, "System.") {
				t = e.FHIRType
				if t == "" {
					t = "string"
				}
			}
			resourceID := td.Kind == r4.KindResource && e.Name == "id" && path == strings.SplitN(e.Path, ".", 2)[0]
			if resourceID {
				t = "id" // Resource.id is a System.String in R4 but an id in JSON
			}
			f := s.newField(e, info, e.Name, t)
			// Element.id and Extension.url are attributes in XML and cannot
			// carry extensions; Resource.id is a primitive that can (_id).
			f.noTwin = strings.HasPrefix(e.Types[0], "System.") && !resourceID
			s.typeField(f)
			n.add(f)
		}
	}
	// Sorted so that issues about missing elements come out in a stable order.
	for _, info := range n.elems {
		sort.Strings(info.names)
	}
}

func (n *node) add(f *field) {
	n.fields[f.json] = f
	f.info.names = append(f.info.names, f.json)
}

func (s *schema) newField(e *r4.ElementDef, info *elemInfo, jsonName, typ string) *field {
	f := &field{el: e, info: info, json: jsonName, typ: typ, array: e.Max != 1, loc: jsonName}
	for _, c := range e.Constraints {
		if k := s.constraint(c); k != nil {
			f.constraints = append(f.constraints, k)
		}
	}
	return f
}

// typeField resolves what a field of a named (non-backbone) type holds.
func (s *schema) typeField(f *field) {
	if p := s.prims[f.typ]; p != nil {
		f.prim = p
		f.twin = s.twin(f.typ)
	} else if f.typ == "Resource" || s.model.IsResource(f.typ) {
		f.resource = true
	} else if n := s.compileType(f.typ); n != nil {
		f.node = n
		// The type's own invariants (qty-3 ...) apply to every use of it.
		seen := make(map[string]bool, len(f.constraints))
		for _, c := range f.constraints {
			seen[c.Key] = true
		}
		for _, c := range n.rootConstraints {
			if !seen[c.Key] {
				f.constraints = append(f.constraints, c)
			}
		}
	}
	if b := f.el.Binding; b != nil && b.Strength == "required" {
		f.binding = s.binding(b.ValueSet)
	}
}

// twin is the shape of the _x object of a primitive: the primitive type's
// elements without its value.
func (s *schema) twin(prim string) *node {
	if n, ok := s.twins[prim]; ok {
		return n
	}
	n := &node{name: prim, fields: map[string]*field{}}
	s.twins[prim] = n
	td := s.model.Type(prim)
	if td == nil {
		return n
	}
	for _, e := range td.Elements {
		if e.Name == "value" || len(e.Types) == 0 {
			continue
		}
		info := &elemInfo{el: e}
		t := e.Types[0]
		if strings.HasPrefix(t, "System.") {
			t = "string"
		}
		f := s.newField(e, info, e.Name, t)
		f.noTwin = strings.HasPrefix(e.Types[0], "System.")
		s.typeField(f)
		n.elems = append(n.elems, info)
		n.add(f)
	}
	return n
}

func (s *schema) binding(url string) *binding {
	if b, ok := s.bindings[url]; ok {
		return b
	}
	var b *binding
	if vs := s.model.ValueSet(url); vs != nil && len(vs.Codes) > 0 {
		b = &binding{url: url, codes: make(map[string]bool), coding: make(map[string]bool)}
		for _, c := range vs.Codes {
			b.codes[c.Code] = true
			b.coding[c.System+"|"+c.Code] = true
		}
	}
	s.bindings[url] = b
	return b
}

// constraint returns the shared compiled form of an error-severity invariant
// that FHIRPath must evaluate, or nil for warnings, expression-less ones and
// those checked natively.
func (s *schema) constraint(c r4.Constraint) *constraint {
	if c.Severity != "error" || c.Expression == "" || nativeKeys[c.Key] {
		return nil
	}
	k := c.Key + "\x00" + c.Expression
	if x, ok := s.exprs[k]; ok {
		return x
	}
	x := &constraint{Constraint: c}
	if fixed, ok := errata[c.Key+"\x00"+c.Expression]; ok {
		x.Expression = fixed
	}
	s.exprs[k] = x
	return x
}

// errata replaces R4 invariant expressions that are wrong as published
// (key NUL expression → corrected expression), each with the later
// correction it takes.
var errata = map[string]string{
	// que-7 tests the System type Boolean, but answer[x] holds the FHIR type
	// boolean, so no instance can pass; R4B/R5 corrected it to "is boolean".
	"que-7\x00operator = 'exists' implies (answer is Boolean)": "operator = 'exists' implies (answer is boolean)",
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
