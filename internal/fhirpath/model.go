package fhirpath

import (
	"strings"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// Model is the type information evaluation needs. Type names are FHIR type
// names ("Patient", "HumanName", "code") or, for inline backbone elements,
// element paths ("Patient.contact").
type Model interface {
	// ChildType resolves the JSON property jsonName on a value of type
	// parent: typ is the type of the property's value, elem the element
	// name it belongs to ("value" for "valueQuantity"; equal to jsonName
	// unless the element is a choice). ok is false for unknown properties.
	ChildType(parent, jsonName string) (typ, elem string, ok bool)
	// BaseType returns the type that name specialises ("Quantity" for
	// "Age", "string" for "code", "BackboneElement" for "Patient.contact";
	// "" for the roots Element and Resource). ok is false if name is not a
	// known type.
	BaseType(name string) (base string, ok bool)
	// IsResource reports whether name is a resource type.
	IsResource(name string) bool
}

// R4 adapts the generated FHIR R4 model to Model.
func R4(m *r4.Model) Model { return r4Model{m} }

type r4Model struct{ m *r4.Model }

func (a r4Model) ChildType(parent, jsonName string) (string, string, bool) {
	el, typ, ok := a.m.Child(parent, jsonName)
	if !ok {
		return "", "", false
	}
	if jsonName == "id" && a.m.IsResource(parent) {
		// The R4 snapshot types Resource.id as System.String with fhir-type
		// "string"; the specification (and FHIRPath's type()) says id.
		typ = "id"
	}
	return typ, el.Name, true
}

func (a r4Model) BaseType(name string) (string, bool) {
	if strings.IndexByte(name, '.') > 0 {
		// An inline backbone element: its type is the element's type code.
		if el := a.m.Element(name); el != nil && len(el.Types) > 0 {
			return el.Types[0], true
		}
		return "BackboneElement", true
	}
	td := a.m.Type(name)
	if td == nil {
		return "", false
	}
	return td.Base, true
}

func (a r4Model) IsResource(name string) bool { return a.m.IsResource(name) }

var _ Model = r4Model{}

// isSubtype reports whether typ is want or derives from it.
func isSubtype(m Model, typ, want string) bool {
	for i := 0; typ != "" && i < 20; i++ {
		if typ == want {
			return true
		}
		if m == nil {
			return false
		}
		base, ok := m.BaseType(typ)
		if !ok {
			return false
		}
		typ = base
	}
	return false
}

// publicTypeName is the type name shown by type(): backbone element paths
// are reported as BackboneElement.
func publicTypeName(typ string) string {
	if strings.IndexByte(typ, '.') > 0 {
		return "BackboneElement"
	}
	return typ
}
