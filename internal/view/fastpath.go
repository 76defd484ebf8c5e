package view

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/fhirpath"
)

// Most columns of population views read one primitive element of the
// resource ("gender", "birthDate") or its key ("getResourceKey()"). Such a
// column is read straight from the decoded JSON instead of through a
// FHIRPath evaluation, which allocates its collections and element
// wrappers; the value is the one the evaluation would give (TestFastPath
// compares both on the whole suite). Anything unexpected in the data (an
// array where the model says one value, an object) falls back to FHIRPath.

type fastKind uint8

const (
	fastNone        fastKind = iota
	fastResourceKey          // getResourceKey() on the resource
	fastPrimitive            // a primitive element of the resource, at most one
)

// fastColumn is how a column can be read without FHIRPath.
type fastColumn struct {
	kind fastKind
	name string // fastPrimitive: the JSON name
	typ  string // fastPrimitive: the FHIR type
}

var elementNameRE = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)

// primitiveTypes are the FHIR primitive types a fast column may read.
var primitiveTypes = map[string]bool{
	"boolean": true, "integer": true, "integer64": true, "unsignedInt": true, "positiveInt": true,
	"decimal": true, "string": true, "code": true, "id": true, "markdown": true, "uri": true,
	"url": true, "canonical": true, "oid": true, "uuid": true, "base64Binary": true,
	"instant": true, "date": true, "dateTime": true, "time": true,
}

// markFast decides, for every column whose focus is always the resource
// itself (no forEach, forEachOrNull or repeat above it), whether it can be
// read without FHIRPath.
func markFast(m *r4.Model, resource string, s *selectNode, rootFocus bool) {
	rootFocus = rootFocus && s.iter == iterNone
	if rootFocus {
		for i := range s.columns {
			s.columns[i].fast = newFastColumn(m, resource, &s.columns[i])
		}
	}
	for _, c := range s.selects {
		markFast(m, resource, c, rootFocus)
	}
	for _, u := range s.unions {
		markFast(m, resource, u, rootFocus)
	}
}

func newFastColumn(m *r4.Model, resource string, c *columnNode) fastColumn {
	if c.collection || !m.IsResource(resource) {
		return fastColumn{}
	}
	src := strings.TrimSpace(c.expr.Source())
	if src == "getResourceKey()" {
		return fastColumn{kind: fastResourceKey}
	}
	if !elementNameRE.MatchString(src) {
		return fastColumn{}
	}
	el, typ, ok := m.Child(resource, src)
	if !ok || el.Choice || el.Max != 1 || el.Name != src {
		return fastColumn{}
	}
	if src == "id" {
		typ = "id" // as fhirpath.R4 types a resource's id
	}
	if !primitiveTypes[typ] {
		return fastColumn{}
	}
	return fastColumn{kind: fastPrimitive, name: src, typ: typ}
}

// value reads the column from the resource focus; ok is false when the
// data needs FHIRPath.
func (f *fastColumn) value(focus fhirpath.Value) (v any, ok bool) {
	n, isNode := focus.(*fhirpath.Node)
	if !isNode {
		return nil, false
	}
	m, isMap := n.Raw().(map[string]any)
	if !isMap {
		return nil, false
	}
	switch f.kind {
	case fastResourceKey:
		if id, ok := m["id"].(string); ok {
			return id, true
		}
		return nil, true
	case fastPrimitive:
		raw := m[f.name]
		switch d := raw.(type) {
		case nil:
			// Absent, null, or only "_name" extensions: FHIRPath yields
			// nothing or an element without a value, a null cell either way.
			return nil, true
		case bool:
			return raw, true
		case string:
			if f.typ == "integer64" {
				if i, err := strconv.ParseInt(d, 10, 64); err == nil {
					return i, true
				}
			}
			return raw, true
		case json.Number:
			switch f.typ {
			case "integer", "positiveInt", "unsignedInt", "integer64":
				if i, err := d.Int64(); err == nil {
					return i, true
				}
			}
			return raw, true
		}
	}
	return nil, false
}
