package patch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
)

// IsListFunc reports whether the element reached from resource type typ by
// the element names path (no indexes, choice names without their type
// suffix) may repeat (max = "*"). It decides whether an added element
// becomes a JSON array.
type IsListFunc func(typ string, path []string) bool

// ApplyFHIRPath applies a FHIRPath Patch (a Parameters resource of
// "operation" parameters) to the resource doc and returns the patched JSON.
// A malformed Parameters body is KindInvalid; an operation that cannot be
// applied (no or several matches, not a list, index out of range) is
// KindUnprocessable with the operation's location in the issue expression.
//
// Paths are the FHIRPath subset patch documents use: child navigation,
// [n], where(a.b = 'x'), first() and last().
//
// Spec: https://hl7.org/fhir/R4/fhirpatch.html
func ApplyFHIRPath(doc, params []byte, isList IsListFunc) ([]byte, error) {
	if isList == nil {
		isList = func(string, []string) bool { return false }
	}
	res, err := decodeObject(doc)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: "the resource to patch is not a JSON object", Err: err}
	}
	ops, err := parseOperations(params)
	if err != nil {
		return nil, err
	}
	typ, _ := res["resourceType"].(string)
	for _, op := range ops {
		if err := op.apply(res, typ, isList); err != nil {
			return nil, (&fhir.Error{Kind: fhir.KindUnprocessable, Msg: err.Error()}).At(fmt.Sprintf("Parameters.parameter[%d]", op.pos))
		}
	}
	prune(res)
	return marshalResource(res)
}

// operation is one decoded "operation" parameter.
type operation struct {
	pos                 int
	typ, path, name     string
	value               any
	hasValue            bool
	index, source, dest *int
	valueParts          []part
}

type part struct {
	Name  string          `json:"name"`
	Part  []part          `json:"part"`
	Extra json.RawMessage `json:"-"`
	value any
	has   bool
}

// UnmarshalJSON keeps the single value[x] of a parameter or part.
func (p *part) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if raw, ok := m["name"]; ok {
		if err := json.Unmarshal(raw, &p.Name); err != nil {
			return fmt.Errorf("name: %w", err)
		}
	}
	if raw, ok := m["part"]; ok {
		if err := json.Unmarshal(raw, &p.Part); err != nil {
			return fmt.Errorf("part: %w", err)
		}
	}
	for k, raw := range m {
		if strings.HasPrefix(k, "value") && len(k) > 5 {
			v, err := decodeAny(raw)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			p.value, p.has = v, true
		}
	}
	return nil
}

func parseOperations(body []byte) ([]operation, error) {
	var params struct {
		ResourceType string `json:"resourceType"`
		Parameter    []part `json:"parameter"`
	}
	if err := json.Unmarshal(body, &params); err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: "malformed FHIRPath Patch Parameters: " + err.Error(), Err: err}
	}
	if params.ResourceType != "Parameters" {
		return nil, fhir.Errorf(fhir.KindInvalid, "a FHIRPath Patch body must be a Parameters resource, not %q", params.ResourceType).At("resourceType")
	}
	var ops []operation
	for i, p := range params.Parameter {
		at := fmt.Sprintf("Parameters.parameter[%d]", i)
		if p.Name != "operation" {
			return nil, fhir.Errorf(fhir.KindInvalid, "FHIRPath Patch parameter %q is not \"operation\"", p.Name).At(at)
		}
		op := operation{pos: i}
		for _, pt := range p.Part {
			var err error
			switch pt.Name {
			case "type":
				op.typ, err = str(pt)
			case "path":
				op.path, err = str(pt)
			case "name":
				op.name, err = str(pt)
			case "value":
				op.value, op.hasValue, op.valueParts = pt.value, pt.has, pt.Part
				if !pt.has && len(pt.Part) > 0 {
					op.hasValue = true
				}
			case "index":
				op.index, err = intPtr(pt)
			case "source":
				op.source, err = intPtr(pt)
			case "destination":
				op.dest, err = intPtr(pt)
			default:
				err = fmt.Errorf("unknown part %q", pt.Name)
			}
			if err != nil {
				return nil, (&fhir.Error{Kind: fhir.KindInvalid, Msg: "FHIRPath Patch operation: " + err.Error()}).At(at)
			}
		}
		if err := op.check(); err != nil {
			return nil, (&fhir.Error{Kind: fhir.KindInvalid, Msg: "FHIRPath Patch operation: " + err.Error()}).At(at)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func str(p part) (string, error) {
	s, ok := p.value.(string)
	if !ok {
		return "", fmt.Errorf("part %q must have a string value", p.Name)
	}
	return s, nil
}

func intPtr(p part) (*int, error) {
	n, ok := p.value.(json.Number)
	if !ok {
		return nil, fmt.Errorf("part %q must have an integer value", p.Name)
	}
	i, err := n.Int64()
	if err != nil || i < 0 {
		return nil, fmt.Errorf("part %q must be a non-negative integer", p.Name)
	}
	v := int(i)
	return &v, nil
}

// check enforces the parts each operation type requires.
func (op *operation) check() error {
	if op.path == "" {
		return fmt.Errorf("%q operation has no path", op.typ)
	}
	need := map[string]bool{}
	switch op.typ {
	case "add":
		need["name"], need["value"] = op.name == "", !op.hasValue
	case "insert":
		need["value"], need["index"] = !op.hasValue, op.index == nil
	case "replace":
		need["value"] = !op.hasValue
	case "move":
		need["source"], need["destination"] = op.source == nil, op.dest == nil
	case "delete":
	default:
		return fmt.Errorf("unknown operation type %q", op.typ)
	}
	for _, k := range []string{"name", "value", "index", "source", "destination"} {
		if need[k] {
			return fmt.Errorf("%q operation needs a %q part", op.typ, k)
		}
	}
	return nil
}

func (op *operation) apply(res map[string]any, typ string, isList IsListFunc) error {
	ptyp, steps, err := parsePath(op.path)
	if err != nil {
		return err
	}
	if ptyp != typ {
		return fmt.Errorf("path %s does not start with the resource type %s", op.path, typ)
	}
	switch op.typ {
	case "add":
		locs := eval(res, steps)
		if len(locs) != 1 {
			return noSingle(op.path, len(locs), "adding")
		}
		m, ok := locs[0].value().(map[string]any)
		if !ok {
			return fmt.Errorf("cannot add %s to the primitive at %s", op.name, op.path)
		}
		path := append(append([]string(nil), locs[0].path...), op.name)
		v := op.buildValue(typ, path, isList)
		if existing, ok := m[op.name].([]any); ok {
			m[op.name] = append(existing, v)
		} else if isList(typ, path) {
			m[op.name] = []any{v}
		} else {
			m[op.name] = v
		}
		return nil
	case "replace":
		locs := eval(res, steps)
		if len(locs) != 1 {
			return noSingle(op.path, len(locs), "replacing")
		}
		l := locs[0]
		if l.root {
			return fmt.Errorf("cannot replace the whole resource at %s", op.path)
		}
		l.set(op.buildValue(typ, l.path, isList))
		return nil
	case "delete":
		locs := eval(res, steps)
		if len(locs) == 0 {
			return nil // deleting what is not there leaves the resource unchanged
		}
		if len(locs) > 1 {
			return noSingle(op.path, len(locs), "deleting")
		}
		l := locs[0]
		if l.root {
			return fmt.Errorf("cannot delete the whole resource at %s", op.path)
		}
		if l.index < 0 {
			delete(l.obj, l.key)
			delete(l.obj, "_"+l.key)
			return nil
		}
		arr := slices.Delete(l.obj[l.key].([]any), l.index, l.index+1)
		if len(arr) == 0 {
			delete(l.obj, l.key)
		} else {
			l.obj[l.key] = arr
		}
		return nil
	case "insert", "move":
		obj, key, path, err := listAt(res, steps, op.path)
		if err != nil {
			return err
		}
		arr, _ := obj[key].([]any)
		if _, isArr := obj[key].([]any); obj[key] != nil && !isArr {
			return fmt.Errorf("%s is not a list", op.path)
		}
		if op.typ == "insert" {
			if *op.index > len(arr) {
				return fmt.Errorf("insert index %d is beyond the %d items at %s", *op.index, len(arr), op.path)
			}
			obj[key] = slices.Insert(arr, *op.index, op.buildValue(typ, path, isList))
			return nil
		}
		if *op.source >= len(arr) || *op.dest >= len(arr) {
			return fmt.Errorf("move %d→%d is out of range for the %d items at %s", *op.source, *op.dest, len(arr), op.path)
		}
		v := arr[*op.source]
		arr = slices.Delete(arr, *op.source, *op.source+1)
		obj[key] = slices.Insert(arr, *op.dest, v)
		return nil
	}
	return fmt.Errorf("unknown operation type %q", op.typ)
}

// listAt resolves a path whose last step is an element name to the object
// holding that (possibly absent) list.
func listAt(res map[string]any, steps []step, expr string) (map[string]any, string, []string, error) {
	if len(steps) == 0 || steps[len(steps)-1].kind != "name" {
		return nil, "", nil, fmt.Errorf("path %s must end with the name of a list element", expr)
	}
	parents := eval(res, steps[:len(steps)-1])
	if len(parents) != 1 {
		return nil, "", nil, noSingle(expr, len(parents), "changing the list")
	}
	m, ok := parents[0].value().(map[string]any)
	if !ok {
		return nil, "", nil, fmt.Errorf("no element found at %s", expr)
	}
	name := steps[len(steps)-1].name
	return m, name, append(append([]string(nil), parents[0].path...), name), nil
}

func noSingle(path string, n int, doing string) error {
	if n == 0 {
		return fmt.Errorf("No content found at %s when %s", path, doing)
	}
	return fmt.Errorf("%d elements found at %s when %s: a patch operation must match exactly one", n, path, doing)
}

// buildValue returns the value[x] of the operation, or for an anonymous
// (backbone) type the object built from its parts.
func (op *operation) buildValue(typ string, path []string, isList IsListFunc) any {
	if len(op.valueParts) == 0 {
		return op.value
	}
	return fromParts(op.valueParts, typ, path, isList)
}

func fromParts(parts []part, typ string, path []string, isList IsListFunc) map[string]any {
	m := map[string]any{}
	for _, p := range parts {
		var v any = p.value
		childPath := append(append([]string(nil), path...), p.Name)
		if !p.has {
			v = fromParts(p.Part, typ, childPath, isList)
		}
		if existing, ok := m[p.Name].([]any); ok {
			m[p.Name] = append(existing, v)
		} else if isList(typ, childPath) {
			m[p.Name] = []any{v}
		} else {
			m[p.Name] = v
		}
	}
	return m
}

// prune removes the empty objects and arrays deletes leave behind: FHIR
// JSON forbids them.
func prune(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if prune(c) {
				delete(x, k)
			}
		}
		return len(x) == 0
	case []any:
		for _, c := range x {
			prune(c)
		}
		return len(x) == 0
	}
	return false
}

func decodeAny(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func decodeObject(b []byte) (map[string]any, error) {
	v, err := decodeAny(b)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}

// marshalResource writes resourceType first, as FHIR JSON conventionally
// does; the other members follow in name order.
func marshalResource(m map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "resourceType" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if rt, ok := m["resourceType"]; ok {
		keys = append([]string{"resourceType"}, keys...)
		_ = rt
	}
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(m[k])
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", k, err)
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
