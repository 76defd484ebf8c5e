package fhirpath

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Options configure one evaluation. The zero value (or nil) evaluates
// untyped, with the input as %resource and no external services.
type Options struct {
	// Model supplies type information; nil means untyped evaluation
	// (choice elements are found by name prefix, is/as compare the names
	// the JSON allows to infer).
	Model Model
	// Resource is %resource and %rootResource; defaults to the input.
	Resource Value
	// Vars are external constants (%name).
	Vars map[string]Collection
	// Resolver answers resolve() for a reference string ("Patient/1",
	// "#contained", absolute URLs); nil means resolve() finds only
	// contained resources.
	Resolver func(ref string) (Value, bool)
	// Terminology answers memberOf(); nil makes memberOf() an error.
	Terminology interface {
		MemberOf(code Value, valueSetURL string) (bool, error)
	}
	// Now is the clock for now(), today() and timeOfDay(); nil means
	// time.Now. It is read once per evaluation.
	Now func() time.Time
	// Trace receives trace() output; nil discards it.
	Trace func(name string, c Collection)
	// Strict turns paths the model says cannot exist into errors: unknown
	// element names, a type name that is not the input's type, and choice
	// elements named with their type suffix (valueQuantity instead of
	// value.ofType(Quantity)). Needs Model.
	Strict bool
}

// ErrEvaluation is wrapped by every evaluation error, so callers can tell
// them from their own.
var ErrEvaluation = errors.New("fhirpath: evaluation error")

func evalErr(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrEvaluation)
}

type evalCtx struct {
	opts     *Options
	model    Model
	root     Collection // %context
	resource Collection // %resource
	this     Collection
	index    int
	total    Collection
	now      time.Time
	nowSet   bool
}

var defaultOptions Options

// Evaluate evaluates the expression with input as its context item
// (%context, and $this at the top level). input may be nil for
// expressions that need no input. Errors wrap ErrEvaluation. The result
// may share memory with the expression and the input: treat it as
// read-only.
func (e *Expression) Evaluate(input Value, opts *Options) (Collection, error) {
	if opts == nil {
		opts = &defaultOptions
	}
	c := evalCtx{opts: opts, model: opts.Model}
	var focus Collection
	if input != nil {
		focus = Collection{input}
	}
	c.root = focus
	c.this = focus
	c.resource = focus
	if opts.Resource != nil {
		c.resource = Collection{opts.Resource}
	}
	return e.root.eval(&c, focus)
}

// EvaluateBool evaluates an invariant-style expression to a boolean: an
// empty result is false, a single Boolean is its value, a single other item
// is true (singleton evaluation), and several items are an error.
func (e *Expression) EvaluateBool(input Value, opts *Options) (bool, error) {
	res, err := e.Evaluate(input, opts)
	if err != nil {
		return false, err
	}
	b, ok, err := singletonBool(res)
	if err != nil {
		return false, err
	}
	return ok && b, nil
}

func (c *evalCtx) nowTime() time.Time {
	if !c.nowSet {
		if c.opts.Now != nil {
			c.now = c.opts.Now()
		} else {
			c.now = time.Now()
		}
		c.nowSet = true
	}
	return c.now
}

// singletonBool applies FHIRPath singleton evaluation for boolean
// contexts: ok is false for an empty collection.
func singletonBool(c Collection) (b bool, ok bool, err error) {
	switch len(c) {
	case 0:
		return false, false, nil
	case 1:
		v, has := system(c[0])
		if !has {
			return true, true, nil
		}
		if bv, isB := v.(Boolean); isB {
			return bool(bv), true, nil
		}
		return true, true, nil
	}
	return false, false, evalErr("expected a single boolean, got %d items", len(c))
}

func (e *literalExpr) eval(*evalCtx, Collection) (Collection, error) {
	if e.coll == nil {
		return Collection{e.val}, nil
	}
	return e.coll[:1:1], nil
}

func (*emptyExpr) eval(*evalCtx, Collection) (Collection, error) { return nil, nil }

func (e *parenExpr) eval(c *evalCtx, focus Collection) (Collection, error) {
	return e.inner.eval(c, focus)
}

func (e *varExpr) eval(c *evalCtx, _ Collection) (Collection, error) {
	switch e.name {
	case "$this":
		return c.this, nil
	case "$index":
		return Collection{Integer(c.index)}, nil
	case "$total":
		return c.total, nil
	}
	return nil, evalErr("unknown variable %s", e.name)
}

func (e *constExpr) eval(c *evalCtx, _ Collection) (Collection, error) {
	if v, ok := c.opts.Vars[e.name]; ok {
		return v, nil
	}
	switch e.name {
	case "context":
		return c.root, nil
	case "resource", "rootResource":
		return c.resource, nil
	case "ucum":
		return Collection{String("http://unitsofmeasure.org")}, nil
	case "sct":
		return Collection{String("http://snomed.info/sct")}, nil
	case "loinc":
		return Collection{String("http://loinc.org")}, nil
	}
	if rest, ok := strings.CutPrefix(e.name, "vs-"); ok {
		return Collection{String("http://hl7.org/fhir/ValueSet/" + rest)}, nil
	}
	if rest, ok := strings.CutPrefix(e.name, "ext-"); ok {
		return Collection{String("http://hl7.org/fhir/StructureDefinition/" + rest)}, nil
	}
	return nil, evalErr("unknown constant %%%s", e.name)
}

func (e *dotExpr) eval(c *evalCtx, focus Collection) (Collection, error) {
	left, err := e.left.eval(c, focus)
	if err != nil {
		return nil, err
	}
	return e.right.eval(c, left)
}

func (e *indexExpr) eval(c *evalCtx, focus Collection) (Collection, error) {
	left, err := e.left.eval(c, focus)
	if err != nil {
		return nil, err
	}
	idx, err := e.index.eval(c, c.this)
	if err != nil {
		return nil, err
	}
	if len(idx) == 0 {
		return nil, nil
	}
	i, ok := integerArg(idx)
	if !ok {
		return nil, evalErr("index must be an integer")
	}
	if i < 0 || i >= int64(len(left)) {
		return nil, nil
	}
	return left[i : i+1 : i+1], nil
}

func (e *memberExpr) eval(c *evalCtx, focus Collection) (Collection, error) {
	var out Collection
	known := false
	for _, item := range focus {
		n, ok := item.(*Node)
		if e.first && isUpper(e.name[0]) {
			// A leading type name selects the focus items of that type.
			if typeMatches(c.model, item, e.name) {
				out = append(out, item)
				known = true
				continue
			}
			if c.opts.Strict && c.model != nil {
				if _, isType := c.model.BaseType(e.name); isType {
					return nil, evalErr("%s is not the type of the input (%s)", e.name, item.TypeName())
				}
			}
		}
		if !ok {
			continue
		}
		var err error
		var k bool
		out, k, err = c.child(out, n, e.name, e.extName)
		if err != nil {
			return nil, err
		}
		known = known || k
	}
	// Strict mode: a name that no item's type defines is an error (a
	// mixed collection, as from descendants(), needs only one).
	if c.opts.Strict && !known && len(focus) > 0 {
		return nil, evalErr("%s has no element %s", focus[0].TypeName(), e.name)
	}
	return out, nil
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

// typeMatches reports whether item is of type name (or a subtype).
func typeMatches(m Model, item Value, name string) bool {
	t := item.TypeName()
	if t == name {
		return true
	}
	return m != nil && isSubtype(m, t, name)
}

// child appends the values of element name of n to out. known reports
// whether n's type defines the element (always true when untyped).
func (c *evalCtx) child(out Collection, n *Node, name, extName string) (_ Collection, known bool, _ error) {
	m, isMap := n.data.(map[string]any)
	if !isMap {
		// Primitives expose only id and extension, held in the "_x" twin.
		if name == "id" || name == "extension" {
			if n.ext == nil {
				return out, true, nil
			}
			typ := "string"
			if name == "extension" {
				typ = "Extension"
			}
			return appendChildren(out, n.ext, name, "-", typ), true, nil
		}
		return out, !c.typed(n), nil
	}
	if c.typed(n) {
		// A known, non-choice element needs no search for name[Type]
		// properties, present or not: the common case of search indexing.
		if t, elem, ok := c.model.ChildType(n.typ, name); ok {
			if elem != name && c.opts.Strict {
				return nil, false, evalErr("%s is a choice element: use %s.ofType(%s)", name, elem, t)
			}
			return appendChildren(out, m, name, extName, t), true, nil
		}
	}
	_, has := m[name]
	if !has {
		_, has = m[extName]
	}
	if has {
		return appendChildren(out, m, name, extName, ""), !c.typed(n), nil
	}
	// A choice element: find the one JSON property name[Type] present.
	for k := range m {
		key, isExt := k, false
		if len(k) > 0 && k[0] == '_' {
			key, isExt = k[1:], true
		}
		if len(key) <= len(name) || !strings.HasPrefix(key, name) || !isUpper(key[len(name)]) {
			continue
		}
		if isExt {
			if _, both := m[key]; both {
				continue // handled with the value
			}
		}
		var typ string
		if c.typed(n) {
			t, elem, ok := c.model.ChildType(n.typ, key)
			if !ok || elem != name {
				continue
			}
			typ = t
		} else {
			typ = typeFromSuffix(key[len(name):])
		}
		return appendChildren(out, m, key, "_"+key, typ), true, nil
	}
	if c.opts.Strict && c.typed(n) {
		return out, c.hasElement(n.typ, name), nil
	}
	return out, true, nil
}

// typed reports whether the model can answer for n's children.
func (c *evalCtx) typed(n *Node) bool {
	return c.model != nil && n.typ != "" && !strings.HasPrefix(n.typ, "System.")
}

// hasElement reports whether parent defines element name, for strict
// mode when the element is absent from the data.
func (c *evalCtx) hasElement(parent, name string) bool {
	if _, _, ok := c.model.ChildType(parent, name); ok {
		return true
	}
	for _, t := range choiceSuffixes {
		if _, elem, ok := c.model.ChildType(parent, name+t); ok && elem == name {
			return true
		}
	}
	return false
}

// choiceSuffixes are the type suffixes tried when checking that a choice
// element exists.
var choiceSuffixes = [...]string{"String", "Boolean", "Quantity", "CodeableConcept", "DateTime", "Period",
	"Reference", "Integer", "Decimal", "Date", "Time", "Instant", "Uri", "Coding", "Range", "Ratio",
	"SampledData", "Attachment", "Identifier", "Age", "Duration", "Timing", "Base64Binary", "Code",
	"Canonical", "Url", "Markdown", "Id", "Oid", "Uuid", "PositiveInt", "UnsignedInt", "Expression", "Annotation",
	"ContactPoint", "Address", "HumanName", "Money", "Signature", "Count", "Distance", "Dosage", "Meta"}

// typeFromSuffix turns a choice suffix into a type name: String -> string,
// DateTime -> dateTime, Quantity -> Quantity.
func typeFromSuffix(s string) string {
	lower := strings.ToLower(s[:1]) + s[1:]
	if isPrimitiveType(lower) {
		return lower
	}
	return s
}

func (e *unaryExpr) eval(c *evalCtx, focus Collection) (Collection, error) {
	v, err := e.operand.eval(c, focus)
	if err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, nil
	}
	if len(v) > 1 {
		return nil, evalErr("unary %s on %d items", e.op, len(v))
	}
	if e.op == "+" {
		if _, ok := numericOrQuantity(v[0]); !ok {
			return nil, evalErr("unary + on %s", v[0].TypeName())
		}
		return v, nil
	}
	x, _ := system(v[0])
	switch t := x.(type) {
	case Integer:
		return Collection{-t}, nil
	case Decimal:
		return Collection{t.neg()}, nil
	case *Quantity:
		return Collection{&Quantity{Value: t.Value.neg(), Unit: t.Unit}}, nil
	}
	return nil, evalErr("unary - on %s", v[0].TypeName())
}

func numericOrQuantity(v Value) (Value, bool) {
	x, _ := system(v)
	switch x.(type) {
	case Integer, Decimal, *Quantity:
		return x, true
	}
	return nil, false
}

// integerArg reads a single Integer argument.
func integerArg(c Collection) (int64, bool) {
	if len(c) != 1 {
		return 0, false
	}
	x, _ := system(c[0])
	switch t := x.(type) {
	case Integer:
		return int64(t), true
	}
	return 0, false
}

func (e *typeOpExpr) eval(c *evalCtx, focus Collection) (Collection, error) {
	v, err := e.left.eval(c, focus)
	if err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, nil
	}
	if e.op == "as" {
		// The R4 search parameters apply "x as T" to collections
		// ((Observation.component.value as Quantity)), so the operator
		// filters like ofType() instead of failing on several items.
		var out Collection
		for _, item := range v {
			ok, err := c.isType(item, e.ts, false)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, item)
			}
		}
		return out, nil
	}
	if len(v) > 1 {
		return nil, evalErr("%s on %d items", e.op, len(v))
	}
	if e.op == "is" {
		ok, err := c.isType(v[0], e.ts, true)
		if err != nil {
			return nil, err
		}
		return boolColl(ok), nil
	}
	return nil, evalErr("unknown type operator %s", e.op)
}

func (e *funcExpr) eval(c *evalCtx, focus Collection) (Collection, error) {
	return e.def.fn(c, focus, e)
}

// arg evaluates argument i against $this.
func (c *evalCtx) arg(f *funcExpr, i int) (Collection, error) {
	return f.args[i].eval(c, c.this)
}

// forEach evaluates body once per focus item with $this and $index set,
// passing each result to fn; fn returns false to stop.
func (c *evalCtx) forEach(focus Collection, body expr, fn func(i int, item Value, res Collection) (bool, error)) error {
	sub := *c
	var one [1]Value
	for i, item := range focus {
		one[0] = item
		sub.this = one[:]
		sub.index = i
		res, err := body.eval(&sub, sub.this)
		if err != nil {
			return err
		}
		more, err := fn(i, item, res)
		if err != nil || !more {
			return err
		}
	}
	return nil
}
