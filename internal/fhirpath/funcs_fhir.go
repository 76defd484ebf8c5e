package fhirpath

import (
	"reflect"
	"strings"
)

// Type functions (https://hl7.org/fhirpath/N1/#types) and the FHIR
// additions (https://hl7.org/fhir/R4/fhirpath.html#functions).

var systemTypeNames = map[string]bool{
	"Boolean": true, "String": true, "Integer": true, "Decimal": true, "Date": true,
	"DateTime": true, "Time": true, "Quantity": true, "Any": true,
}

// isType tests v against a type specifier. For is (subtypes=true) a value
// matches its type and every ancestor; for as/ofType a FHIR primitive must
// match exactly (code is not returned by as(string)), complex types still
// match their ancestors (Age as Quantity).
func (c *evalCtx) isType(v Value, ts typeSpec, subtypes bool) (bool, error) {
	if n, ok := v.(*Node); ok {
		if ts.ns == "System" {
			return false, nil
		}
		if ts.ns != "" && ts.ns != "FHIR" {
			return false, evalErr("unknown type namespace %s", ts.ns)
		}
		if c.model != nil {
			if _, known := c.model.BaseType(ts.name); !known && !systemTypeNames[ts.name] {
				return false, evalErr("unknown type %s", ts)
			}
		}
		t := n.typ
		if t == ts.name {
			return true, nil
		}
		if subtypes || !isPrimitiveType(t) {
			return isSubtype(c.model, t, ts.name), nil
		}
		return false, nil
	}
	if ts.ns == "FHIR" {
		return false, nil
	}
	name := strings.TrimPrefix(v.TypeName(), "System.")
	if name == ts.name || ts.name == "Any" {
		return true, nil
	}
	return false, nil
}

func fnIs(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	if len(focus) == 0 {
		return nil, nil
	}
	if len(focus) > 1 {
		return nil, evalErr("is() on %d items", len(focus))
	}
	ok, err := c.isType(focus[0], f.ts, true)
	if err != nil {
		return nil, err
	}
	return boolColl(ok), nil
}

func fnAs(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	if len(focus) > 1 {
		return nil, evalErr("as() on %d items", len(focus))
	}
	return fnOfType(c, focus, f)
}

func fnOfType(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	var out Collection
	for _, v := range focus {
		ok, err := c.isType(v, f.ts, false)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	return out, nil
}

func fnType(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	out := make(Collection, 0, len(focus))
	for _, v := range focus {
		if n, ok := v.(*Node); ok {
			out = append(out, typeInfoNode("FHIR", publicTypeName(n.typ)))
			continue
		}
		out = append(out, typeInfoNode("System", strings.TrimPrefix(v.TypeName(), "System.")))
	}
	return out, nil
}

// typeInfoNode represents type() results as an element with namespace and
// name, so that .namespace and .name navigate as in the spec.
func typeInfoNode(ns, name string) *Node {
	return &Node{data: map[string]any{"namespace": ns, "name": name}, typ: "System.SimpleTypeInfo"}
}

func fnChildren(c *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	var out Collection
	for _, v := range focus {
		n, ok := v.(*Node)
		if !ok {
			continue
		}
		out = c.childrenOf(out, n)
	}
	return out, nil
}

func (c *evalCtx) childrenOf(out Collection, n *Node) Collection {
	m, ok := n.data.(map[string]any)
	if !ok {
		return out
	}
	for _, k := range childKeys(m) {
		typ := ""
		if c.typed(n) {
			typ, _, _ = c.model.ChildType(n.typ, k)
		}
		out = appendChildren(out, m, k, "_"+k, typ)
	}
	return out
}

func fnDescendants(c *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	var out Collection
	queue := focus
	for len(queue) > 0 {
		var next Collection
		for _, v := range queue {
			if n, ok := v.(*Node); ok {
				next = c.childrenOf(next, n)
			}
		}
		out = append(out, next...)
		queue = next
	}
	return out, nil
}

func fnExtension(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	url, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	var out Collection
	for _, v := range focus {
		n, isNode := v.(*Node)
		if !isNode {
			continue
		}
		exts, _, err := c.child(nil, n, "extension", "_extension")
		if err != nil {
			return nil, err
		}
		for _, e := range exts {
			en, _ := e.(*Node)
			if m, ok := en.data.(map[string]any); ok && m["url"] == url {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

func fnHasValue(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	if len(focus) != 1 {
		return boolColl(false), nil
	}
	n, ok := focus[0].(*Node)
	if !ok {
		return boolColl(true), nil
	}
	switch n.data.(type) {
	case nil, map[string]any, []any:
		return boolColl(false), nil
	}
	return boolColl(true), nil
}

func fnGetValue(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	if len(focus) != 1 {
		return nil, nil
	}
	n, ok := focus[0].(*Node)
	if !ok {
		return focus, nil
	}
	switch n.data.(type) {
	case nil, map[string]any, []any:
		return nil, nil
	}
	v, _ := system(n)
	return Collection{v}, nil
}

// fnResolve follows references: contained resources (#id) and whatever
// Options.Resolver knows. Unresolvable references are skipped.
func fnResolve(c *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	var out Collection
	for _, v := range focus {
		ref := ""
		switch x := v.(type) {
		case *Node:
			switch d := x.data.(type) {
			case map[string]any:
				ref, _ = d["reference"].(string)
			case string:
				ref = d
			}
		case String:
			ref = string(x)
		}
		if ref == "" {
			continue
		}
		if strings.HasPrefix(ref, "#") {
			if r := c.containedResource(ref[1:]); r != nil {
				out = append(out, r)
			}
			continue
		}
		if c.opts.Resolver != nil {
			if r, ok := c.opts.Resolver(ref); ok && r != nil {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func (c *evalCtx) containedResource(id string) Value {
	for _, res := range c.resource {
		n, ok := res.(*Node)
		if !ok {
			continue
		}
		m, _ := n.data.(map[string]any)
		if id == "" {
			return n
		}
		list, _ := m["contained"].([]any)
		for _, x := range list {
			cm, ok := x.(map[string]any)
			if ok && cm["id"] == id {
				return newChild(cm, nil, "")
			}
		}
	}
	return nil
}

func fnMemberOf(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	if len(focus) == 0 {
		return nil, nil
	}
	if len(focus) > 1 {
		return nil, evalErr("memberOf() on %d items", len(focus))
	}
	url, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	if c.opts.Terminology == nil {
		return nil, evalErr("memberOf(): no terminology service configured")
	}
	in, err := c.opts.Terminology.MemberOf(focus[0], url)
	if err != nil {
		return nil, evalErr("memberOf(%s): %v", url, err)
	}
	return boolColl(in), nil
}

const coreProfilePrefix = "http://hl7.org/fhir/StructureDefinition/"

// fnConformsTo answers only for the core profiles of resource types (the
// type test); any other profile needs a validator and is an error.
func fnConformsTo(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	url, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	name, core := strings.CutPrefix(url, coreProfilePrefix)
	if !core || name == "" || !isUpper(name[0]) {
		return nil, evalErr("conformsTo(%s): only core resource profiles are supported", url)
	}
	if c.model != nil && !c.model.IsResource(name) {
		return nil, evalErr("conformsTo(%s): unknown profile", url)
	}
	var out Collection
	for _, v := range focus {
		out = append(out, Boolean(typeMatches(c.model, v, name)))
	}
	return out, nil
}

func fnHTMLChecks(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	return boolColl(true), nil
}

func fnUnsupported(name string) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(*evalCtx, Collection, *funcExpr) (Collection, error) {
		return nil, evalErr("%s() is not supported", name)
	}
}

func fnNot(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	b, ok, err := singletonBool(focus)
	if err != nil || !ok {
		return nil, err
	}
	return boolColl(!b), nil
}

// fnGetResourceKey returns the resource id: the key SQL-on-FHIR views join
// on (https://sql-on-fhir.org/ig/latest/StructureDefinition-ViewDefinition.html#getresourcekey--keytype).
func fnGetResourceKey(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	var out Collection
	for _, v := range focus {
		if n, ok := v.(*Node); ok {
			if m, ok := n.data.(map[string]any); ok {
				if id, ok := m["id"].(string); ok {
					out = append(out, String(id))
				}
			}
		}
	}
	return out, nil
}

// fnGetReferenceKey returns the id a Reference points at ("Patient/1" ->
// "1"), optionally only for references to the given type.
func fnGetReferenceKey(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	var out Collection
	for _, v := range focus {
		n, ok := v.(*Node)
		if !ok {
			continue
		}
		m, ok := n.data.(map[string]any)
		if !ok {
			continue
		}
		ref, _ := m["reference"].(string)
		typ, id := splitReference(ref)
		if id == "" {
			continue
		}
		if len(f.args) == 1 && typ != f.ts.name {
			continue
		}
		out = append(out, String(id))
	}
	return out, nil
}

// splitReference reads the type and id of a literal reference, relative
// or absolute, ignoring a _history suffix.
func splitReference(ref string) (typ, id string) {
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "urn:") {
		return "", ""
	}
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(ref, "/")
	if len(parts) < 2 {
		return "", ""
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}

// mapPtr gives the identity of a decoded JSON object.
func mapPtr(m map[string]any) uintptr { return reflect.ValueOf(m).Pointer() }
