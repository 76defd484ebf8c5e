package r4

import "sort"

// FHIRVersion returns the FHIR version the model was generated from ("4.0.1").
func (m *Model) FHIRVersion() string { return m.version }

// Type returns the definition of a resource, complex or primitive type by
// name ("Patient", "HumanName", "string", "BackboneElement",
// "SimpleQuantity"), or nil if there is none.
func (m *Model) Type(name string) *TypeDef { return m.types[name] }

// ResourceTypes returns the sorted names of all concrete resource types. The
// slice is shared: do not modify it.
func (m *Model) ResourceTypes() []string { return m.resourceTypes }

// IsResource reports whether name is a resource type, concrete or abstract
// (Resource and DomainResource count).
func (m *Model) IsResource(name string) bool {
	td := m.types[name]
	return td != nil && td.Kind == KindResource
}

// Element returns the snapshot element at path ("Patient.contact.name",
// "Observation.value[x]"), or nil if there is none. Paths through
// contentReference elements (Questionnaire.item.item.linkId) are not
// expanded: use Child for those.
func (m *Model) Element(path string) *ElementDef { return m.elements[path] }

// Child resolves the JSON property jsonName of a value whose type is parent.
// parent is a type name ("HumanName", "Patient") or the path of an inline
// backbone element ("Patient.contact").
//
// typeName is the type of the property's value: the chosen type of a choice
// element (Child("Observation", "valueQuantity") gives Observation.value[x]
// and "Quantity"; the bare "value" is not a JSON name and gives ok=false); the
// element path for inline BackboneElement/Element children ("Patient.contact");
// the referenced path for contentReference elements ("Questionnaire.item");
// ElementDef.FHIRType for elements typed by a FHIRPath system type ("id" for
// a resource's id, "string" for Element.id, "uri" for Extension.url);
// otherwise the element's type code.
// Inherited elements (id, meta, extension, modifierExtension ...) resolve too.
//
// The JSON name of a primitive's id and extensions ("_birthDate",
// "_valueString") resolves to the primitive's element with typeName
// "Element". "resourceType" is not an element and gives ok=false.
func (m *Model) Child(parent, jsonName string) (el *ElementDef, typeName string, ok bool) {
	kids := m.children[parent]
	if c, ok := kids[jsonName]; ok {
		return c.el, c.typeName, true
	}
	if len(jsonName) > 1 && jsonName[0] == '_' {
		if c, ok := kids[jsonName[1:]]; ok {
			if td := m.types[c.typeName]; td != nil && td.Kind == KindPrimitive {
				return c.el, "Element", true
			}
		}
	}
	return nil, "", false
}

// Children returns the elements directly under parent (a type name or a
// backbone element path, as for Child) in snapshot order, inherited ones
// included; nil if parent is unknown. Choice elements appear once, under
// their [x] path. The slice is shared: do not modify it.
func (m *Model) Children(parent string) []*ElementDef { return m.childList[parent] }

// SearchParams returns every search parameter that applies to resourceType,
// including those whose base is Resource or DomainResource (_id,
// _lastUpdated, _profile, _text ...), sorted by code. nil if resourceType is
// not a resource type. The slice is shared: do not modify it.
func (m *Model) SearchParams(resourceType string) []*SearchParam {
	return m.paramsByType[resourceType]
}

// SearchParam returns the search parameter with the given code that applies
// to resourceType, or nil.
func (m *Model) SearchParam(resourceType, code string) *SearchParam {
	list := m.paramsByType[resourceType]
	i := sort.Search(len(list), func(i int) bool { return list[i].Code >= code })
	if i < len(list) && list[i].Code == code {
		return list[i]
	}
	return nil
}

// AllSearchParams returns every SearchParameter of the R4 specification
// (1,375), sorted by URL. The slice is shared: do not modify it.
func (m *Model) AllSearchParams() []*SearchParam { return m.params }

// CompartmentParams returns the search parameters that put a resource of
// resourceType into a compartment, e.g. ("Patient", "Observation") gives
// ["subject", "performer"]. The compartments are the five of R4: Patient,
// Encounter, RelatedPerson, Practitioner and Device. It returns nil if the
// type is not in the compartment or the compartment is unknown.
//
// The compartment's own type always comes back with "{def}" first:
// ("Patient", "Patient") gives ["{def}", "link"] and ("Device", "Device")
// gives ["{def}"], where "{def}" means the resource whose id is the
// compartment id (it is no search parameter). The spec writes this case
// three different ways; this is the one answer.
func (m *Model) CompartmentParams(compartment, resourceType string) []string {
	comp, ok := m.compartments[compartment]
	if !ok {
		return nil
	}
	params := comp[resourceType]
	if compartment != resourceType {
		return params
	}
	out := []string{"{def}"}
	for _, p := range params {
		if p != "{def}" {
			out = append(out, p)
		}
	}
	return out
}

// Compartments returns the names of the compartments the model defines, sorted.
func (m *Model) Compartments() []string {
	out := make([]string, 0, len(m.compartments))
	for c := range m.compartments {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// ValueSet returns the codes of the value set with the canonical url (a
// "|version" suffix is ignored), or nil if its codes cannot be enumerated
// from the R4 definitions (filters, external code systems such as UCUM,
// BCP-13 or ISO 4217). The first call decodes all value sets.
func (m *Model) ValueSet(url string) *ValueSet {
	sets, err := m.loadValueSets()
	if err != nil {
		return nil
	}
	for i := 0; i < len(url); i++ {
		if url[i] == '|' {
			url = url[:i]
			break
		}
	}
	return sets[url]
}
