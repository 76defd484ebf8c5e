package terminology

import (
	"encoding/json"
	"time"
)

// The JSON shapes of the CodeSystem and ValueSet resources Sen serves
// (https://hl7.org/fhir/R4/codesystem.html, valueset.html).

type jsonConcept struct {
	Code        string         `json:"code"`
	Display     string         `json:"display,omitempty"`
	Designation []Designation  `json:"designation,omitempty"`
	Property    []jsonProperty `json:"property,omitempty"`
	Concept     []jsonConcept  `json:"concept,omitempty"`
}

type jsonProperty struct {
	Code         string `json:"code"`
	ValueCode    string `json:"valueCode,omitempty"`
	ValueBoolean *bool  `json:"valueBoolean,omitempty"`
}

type jsonPropertyDef struct {
	Code        string `json:"code"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
}

type jsonCodeSystem struct {
	ResourceType     string            `json:"resourceType"`
	ID               string            `json:"id,omitempty"`
	URL              string            `json:"url"`
	Version          string            `json:"version,omitempty"`
	Name             string            `json:"name,omitempty"`
	Title            string            `json:"title,omitempty"`
	Status           string            `json:"status"`
	Experimental     bool              `json:"experimental"`
	Publisher        string            `json:"publisher,omitempty"`
	Description      string            `json:"description,omitempty"`
	Copyright        string            `json:"copyright,omitempty"`
	Language         string            `json:"language,omitempty"`
	CaseSensitive    bool              `json:"caseSensitive"`
	ValueSet         string            `json:"valueSet,omitempty"`
	HierarchyMeaning string            `json:"hierarchyMeaning,omitempty"`
	Content          string            `json:"content"`
	Count            int               `json:"count"`
	Property         []jsonPropertyDef `json:"property,omitempty"`
	Concept          []jsonConcept     `json:"concept,omitempty"`
}

var yes = true

func conceptProps(c *Concept) []jsonProperty {
	var ps []jsonProperty
	for _, p := range c.Properties {
		ps = append(ps, jsonProperty{Code: p.Code, ValueCode: p.Value})
	}
	if c.Abstract {
		ps = append(ps, jsonProperty{Code: "notSelectable", ValueBoolean: &yes})
	}
	if c.Unverified {
		ps = append(ps, jsonProperty{Code: "unverified", ValueBoolean: &yes})
	}
	return ps
}

func nestConcepts(cs []*Concept) []jsonConcept {
	out := make([]jsonConcept, len(cs))
	for i, c := range cs {
		out[i] = jsonConcept{Code: c.Code, Display: c.Display, Designation: c.Designations,
			Property: conceptProps(c), Concept: nestConcepts(c.Children)}
	}
	return out
}

// JSON renders the code system as a FHIR CodeSystem resource with its
// concepts nested by hierarchy; summary leaves the concepts out (for
// search results).
func (cs *CodeSystem) JSON(summary bool) []byte {
	r := jsonCodeSystem{ResourceType: "CodeSystem", ID: cs.ID, URL: cs.URL, Version: cs.Version, Name: cs.Name,
		Title: cs.Title, Status: "active", Publisher: cs.Publisher, Description: cs.Description, Copyright: cs.Copyright,
		Language: cs.Language, CaseSensitive: true, ValueSet: cs.AllCodes, Content: "fragment", Count: cs.Len()}
	if cs.Complete {
		r.Content = "complete"
	}
	if cs.Hierarchical {
		r.HierarchyMeaning = "is-a"
	}
	r.Property = []jsonPropertyDef{
		{Code: "parent", Type: "code", Description: "the code's parent"},
		{Code: "child", Type: "code", Description: "a code's child"},
		{Code: "notSelectable", Type: "boolean", Description: "a grouper (chapter or block), not used in records"},
		{Code: "unverified", Type: "boolean", Description: "the Vietnamese title awaits checking against the official publication"},
	}
	for _, p := range cs.PropertyDefs {
		r.Property = append(r.Property, jsonPropertyDef{Code: p.Code, Type: p.Type, Description: p.Description})
	}
	if !summary {
		r.Concept = nestConcepts(cs.roots)
	}
	return mustJSON(r)
}

type jsonFilter struct {
	Property string `json:"property"`
	Op       string `json:"op"`
	Value    string `json:"value"`
}

type jsonInclude struct {
	System  string        `json:"system,omitempty"`
	Concept []jsonConcept `json:"concept,omitempty"`
	Filter  []jsonFilter  `json:"filter,omitempty"`
}

type jsonParam struct {
	Name         string `json:"name"`
	ValueString  string `json:"valueString,omitempty"`
	ValueCode    string `json:"valueCode,omitempty"`
	ValueInteger *int   `json:"valueInteger,omitempty"`
}

type jsonContains struct {
	System      string        `json:"system,omitempty"`
	Code        string        `json:"code"`
	Display     string        `json:"display,omitempty"`
	Designation []Designation `json:"designation,omitempty"`
}

type jsonExpansion struct {
	Timestamp string         `json:"timestamp"`
	Total     int            `json:"total"`
	Offset    int            `json:"offset"`
	Parameter []jsonParam    `json:"parameter,omitempty"`
	Contains  []jsonContains `json:"contains,omitempty"`
}

type jsonValueSet struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id,omitempty"`
	URL          string         `json:"url"`
	Version      string         `json:"version,omitempty"`
	Name         string         `json:"name,omitempty"`
	Title        string         `json:"title,omitempty"`
	Status       string         `json:"status"`
	Publisher    string         `json:"publisher,omitempty"`
	Description  string         `json:"description,omitempty"`
	Compose      *jsonCompose   `json:"compose,omitempty"`
	Expansion    *jsonExpansion `json:"expansion,omitempty"`
}

type jsonCompose struct {
	Include []jsonInclude `json:"include"`
}

func (vs *ValueSet) resource() jsonValueSet {
	r := jsonValueSet{ResourceType: "ValueSet", ID: vs.ID, URL: vs.URL, Version: vs.Version, Name: vs.Name,
		Title: vs.Title, Status: "active", Description: vs.Description, Publisher: "Sen"}
	if vs.ID == "" {
		r.Publisher = ""
	}
	c := &jsonCompose{}
	for _, inc := range vs.Include {
		ji := jsonInclude{System: inc.System}
		for _, ic := range inc.Codes {
			ji.Concept = append(ji.Concept, jsonConcept{Code: ic.Code, Display: ic.Display})
		}
		for _, f := range inc.Filters {
			ji.Filter = append(ji.Filter, jsonFilter(f))
		}
		c.Include = append(c.Include, ji)
	}
	r.Compose = c
	return r
}

// JSON renders the value set definition as a FHIR ValueSet resource.
func (vs *ValueSet) JSON() []byte { return mustJSON(vs.resource()) }

// JSON renders the expansion as a FHIR ValueSet with expansion (and
// without compose, which a client asking $expand does not need).
func (x *Expansion) JSON() []byte {
	r := x.ValueSet.resource()
	r.Compose = nil
	e := &jsonExpansion{Timestamp: x.Timestamp.Format(time.RFC3339), Total: x.Total, Offset: x.Request.Offset}
	if x.Request.Filter != "" {
		e.Parameter = append(e.Parameter, jsonParam{Name: "filter", ValueString: x.Request.Filter})
	}
	if x.Request.Offset > 0 {
		off := x.Request.Offset
		e.Parameter = append(e.Parameter, jsonParam{Name: "offset", ValueInteger: &off})
	}
	if x.Request.Count > 0 {
		n := x.Request.Count
		e.Parameter = append(e.Parameter, jsonParam{Name: "count", ValueInteger: &n})
	}
	if x.Request.DisplayLanguage != "" {
		e.Parameter = append(e.Parameter, jsonParam{Name: "displayLanguage", ValueCode: x.Request.DisplayLanguage})
	}
	for _, c := range x.Contains {
		e.Contains = append(e.Contains, jsonContains{System: c.System, Code: c.Code, Display: c.Display, Designation: c.Designations})
	}
	r.Expansion = e
	return mustJSON(r)
}

// mustJSON marshals values built from strings, ints and bools, which
// cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("terminology: marshal: " + err.Error())
	}
	return b
}
