package fhirpath

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Node is a FHIR element inside a decoded JSON resource. For a primitive,
// data is the JSON value (string, json.Number, bool, or nil when only an
// extension is present) and ext is the object of the "_name" sibling that
// carries its id and extensions.
type Node struct {
	data any
	ext  map[string]any
	typ  string
}

// NewNode wraps decoded JSON (as produced by DecodeJSON or by
// encoding/json with UseNumber) as a FHIR element of type typ. typ may be
// empty; for a resource it is taken from "resourceType".
func NewNode(data any, typ string) *Node {
	if m, ok := data.(map[string]any); ok && typ == "" {
		typ, _ = m["resourceType"].(string)
	}
	return &Node{data: data, typ: typ}
}

// TypeName returns the FHIR type of the element ("" when unknown).
func (n *Node) TypeName() string { return n.typ }

// Raw returns the decoded JSON of the element.
func (n *Node) Raw() any { return n.data }

// Extension returns the "_name" object of a primitive (its id and
// extensions), or nil.
func (n *Node) Extension() map[string]any { return n.ext }

// DecodeJSON decodes a FHIR resource (or any JSON element) once so that
// many expressions can be evaluated over it. Numbers keep their exact text
// (json.Number), so decimal precision is preserved.
func DecodeJSON(data []byte) (Value, error) {
	v, err := decodeJSONValue(data)
	if err != nil {
		return nil, fmt.Errorf("fhirpath: decode JSON: %w", err)
	}
	return NewNode(v, ""), nil
}

// childTypeOf infers the type of a child value when no model answers.
func inferType(v any) string {
	switch d := v.(type) {
	case map[string]any:
		t, _ := d["resourceType"].(string)
		return t
	case string:
		return ""
	case bool:
		return "boolean"
	case json.Number:
		if isIntegerText(string(d)) {
			return "integer"
		}
		return "decimal"
	}
	return ""
}

// appendChildren appends to out the values of JSON property key (and its
// "_key" primitive extension twin) of the object m, typed typ.
func appendChildren(out Collection, m map[string]any, key string, extKey string, typ string) Collection {
	v, hasV := m[key]
	var e any
	if extKey != "" {
		e = m[extKey]
	} else {
		e = m["_"+key]
	}
	if !hasV && e == nil {
		return out
	}
	if arr, ok := v.([]any); ok {
		earr, _ := e.([]any)
		for i, item := range arr {
			var em map[string]any
			if i < len(earr) {
				em, _ = earr[i].(map[string]any)
			}
			if item == nil && em == nil {
				continue
			}
			out = append(out, newChild(item, em, typ))
		}
		return out
	}
	if !hasV || v == nil {
		// Only the extension side is present: "_birthDate": {...} or an array of them.
		if earr, ok := e.([]any); ok {
			for _, x := range earr {
				if em, ok := x.(map[string]any); ok {
					out = append(out, &Node{ext: em, typ: typ})
				}
			}
			return out
		}
		em, _ := e.(map[string]any)
		if em == nil {
			return out
		}
		return append(out, &Node{ext: em, typ: typ})
	}
	em, _ := e.(map[string]any)
	return append(out, newChild(v, em, typ))
}

func newChild(v any, ext map[string]any, typ string) *Node {
	if m, ok := v.(map[string]any); ok {
		if rt, ok := m["resourceType"].(string); ok {
			typ = rt
		}
	}
	if typ == "" {
		typ = inferType(v)
	}
	return &Node{data: v, ext: ext, typ: typ}
}

// childKeys lists the JSON properties of an object that denote child
// elements, in a stable order: "_x" extension twins are folded into "x" and
// resourceType is not an element.
func childKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k == "resourceType" {
			continue
		}
		if len(k) > 1 && k[0] == '_' {
			if _, ok := m[k[1:]]; ok {
				continue
			}
			k = k[1:]
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
