package view

import "encoding/json"

// The JSON shape of a ViewDefinition
// (https://sql-on-fhir.org/ig/latest/StructureDefinition-ViewDefinition.html).
// Only the elements that change the rows are modelled; metadata such as
// url, status, title or description is accepted and ignored. Pointers tell
// a missing element from an empty one, which validation needs.

type definition struct {
	ResourceType *string         `json:"resourceType"`
	Resource     *string         `json:"resource"`
	Name         *string         `json:"name"`
	Constant     []constantDef   `json:"constant"`
	Select       []selectDef     `json:"select"`
	Where        []whereDef      `json:"where"`
	FHIRVersion  json.RawMessage `json:"fhirVersion"`
}

// constantDef keeps every property raw: exactly one value[x] must be
// present, and its JSON type depends on the [x].
type constantDef map[string]json.RawMessage

type selectDef struct {
	Column        []columnDef `json:"column"`
	Select        []selectDef `json:"select"`
	ForEach       *string     `json:"forEach"`
	ForEachOrNull *string     `json:"forEachOrNull"`
	Repeat        []string    `json:"repeat"`
	UnionAll      []selectDef `json:"unionAll"`
}

type columnDef struct {
	Path        *string  `json:"path"`
	Name        *string  `json:"name"`
	Description string   `json:"description"`
	Collection  *bool    `json:"collection"`
	Type        string   `json:"type"`
	Tag         []tagDef `json:"tag"`
}

type tagDef struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type whereDef struct {
	Path        *string `json:"path"`
	Description string  `json:"description"`
}
