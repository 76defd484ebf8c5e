package r4

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestSearchParams(t *testing.T) {
	m := Load()
	pat := m.SearchParams("Patient")
	codes := make([]string, len(pat))
	for i, p := range pat {
		codes[i] = p.Code
	}
	if !sort.StringsAreSorted(codes) {
		t.Errorf("SearchParams(Patient) not sorted by code: %v", codes)
	}
	for _, want := range []string{"_id", "_lastUpdated", "_tag", "_profile", "_security", "_source", "_text", "_content", "_query", "name", "birthdate", "gender", "identifier", "general-practitioner"} {
		if !slices.Contains(codes, want) {
			t.Errorf("SearchParams(Patient) lacks %s", want)
		}
	}
	// Bundle derives from Resource, not DomainResource: no _text.
	if p := m.SearchParam("Bundle", "_text"); p != nil {
		t.Errorf("SearchParam(Bundle, _text) = %s, want nil", p.URL)
	}
	if p := m.SearchParam("Bundle", "_id"); p == nil {
		t.Error("SearchParam(Bundle, _id) = nil")
	}

	tests := []struct {
		typ, code string
		wantURL   string
		wantType  string
		wantExpr  string // substring
	}{
		{"Patient", "birthdate", "http://hl7.org/fhir/SearchParameter/individual-birthdate", "date", "Patient.birthDate"},
		{"Patient", "_id", "http://hl7.org/fhir/SearchParameter/Resource-id", "token", "Resource.id"},
		{"Observation", "_text", "http://hl7.org/fhir/SearchParameter/DomainResource-text", "string", ""},
		{"Observation", "code", "http://hl7.org/fhir/SearchParameter/clinical-code", "token", "Observation.code"},
		{"Observation", "value-quantity", "http://hl7.org/fhir/SearchParameter/Observation-value-quantity", "quantity", "(Observation.value as Quantity)"},
		{"Observation", "subject", "http://hl7.org/fhir/SearchParameter/Observation-subject", "reference", "Observation.subject"},
		{"Encounter", "patient", "http://hl7.org/fhir/SearchParameter/clinical-patient", "reference", "Encounter.subject.where(resolve() is Patient)"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.code, func(t *testing.T) {
			p := m.SearchParam(tt.typ, tt.code)
			if p == nil {
				t.Fatal("nil")
			}
			if p.URL != tt.wantURL || p.Type != tt.wantType || p.Code != tt.code || !strings.Contains(p.Expression, tt.wantExpr) {
				t.Errorf("got {%s %s %s %q}", p.URL, p.Code, p.Type, p.Expression)
			}
		})
	}
	for _, q := range [][2]string{{"Patient", "nope"}, {"Patient", "value-quantity"}, {"Nope", "_id"}, {"HumanName", "_id"}} {
		if p := m.SearchParam(q[0], q[1]); p != nil {
			t.Errorf("SearchParam(%q, %q) = %s, want nil", q[0], q[1], p.URL)
		}
	}
	if got := m.SearchParams("HumanName"); got != nil {
		t.Errorf("SearchParams(HumanName) = %d params, want nil", len(got))
	}
}

func TestSearchParamTargetsAndComparators(t *testing.T) {
	m := Load()
	subj := m.SearchParam("Observation", "subject")
	if want := []string{"Group", "Device", "Patient", "Location"}; !sameSet(subj.Targets, want) {
		t.Errorf("Observation.subject targets = %v, want %v", subj.Targets, want)
	}
	bd := m.SearchParam("Patient", "birthdate")
	if !slices.Contains(bd.Comparators, "ge") {
		t.Errorf("birthdate comparators = %v, want ge among them", bd.Comparators)
	}
}

func TestCompositeSearchParam(t *testing.T) {
	m := Load()
	p := m.SearchParam("Observation", "code-value-quantity")
	if p == nil {
		t.Fatal("SearchParam(Observation, code-value-quantity) = nil")
	}
	if p.Type != "composite" || p.MultipleOr == nil || *p.MultipleOr {
		t.Errorf("got type %q multipleOr %v, want composite false", p.Type, p.MultipleOr)
	}
	want := []Component{
		{Definition: "http://hl7.org/fhir/SearchParameter/clinical-code", Expression: "code", Code: "code", Type: "token"},
		{Definition: "http://hl7.org/fhir/SearchParameter/Observation-value-quantity", Expression: "value.as(Quantity)", Code: "value-quantity", Type: "quantity"},
	}
	if !slices.Equal(p.Components, want) {
		t.Errorf("Components = %+v, want %+v", p.Components, want)
	}
	for _, sp := range m.AllSearchParams() {
		for _, c := range sp.Components {
			if c.Code == "" || c.Type == "" {
				t.Errorf("%s: component %s unresolved", sp.URL, c.Definition)
			}
		}
		if sp.Type == "composite" && len(sp.Components) == 0 {
			t.Errorf("%s: composite without components", sp.URL)
		}
	}
}

func TestSearchParamBasesAreResources(t *testing.T) {
	m := Load()
	for _, p := range m.AllSearchParams() {
		for _, b := range p.Base {
			if !m.IsResource(b) {
				t.Errorf("%s: base %q is not a resource type", p.URL, b)
			}
			if m.SearchParam(b, p.Code) == nil {
				t.Errorf("%s: SearchParam(%q, %q) = nil", p.URL, b, p.Code)
			}
		}
	}
}

func TestCompartmentParams(t *testing.T) {
	m := Load()
	tests := []struct {
		compartment, typ string
		want             []string
	}{
		{"Patient", "Observation", []string{"subject", "performer"}},
		{"Patient", "Patient", []string{"{def}", "link"}},
		{"Patient", "Encounter", []string{"patient"}},
		{"Patient", "AllergyIntolerance", []string{"patient", "recorder", "asserter"}},
		{"Patient", "Organization", nil},
		{"Patient", "Nope", nil},
		{"Encounter", "Observation", []string{"encounter"}},
		{"Encounter", "Encounter", []string{"{def}"}},
		{"Device", "Device", []string{"{def}"}},
		{"Practitioner", "Practitioner", []string{"{def}"}},
		{"RelatedPerson", "Observation", []string{"performer"}},
		{"Practitioner", "Nope", nil},
		{"Organization", "Organization", nil},
	}
	for _, tt := range tests {
		t.Run(tt.compartment+"/"+tt.typ, func(t *testing.T) {
			if got := m.CompartmentParams(tt.compartment, tt.typ); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if got, want := m.Compartments(), []string{"Device", "Encounter", "Patient", "Practitioner", "RelatedPerson"}; !slices.Equal(got, want) {
		t.Errorf("Compartments() = %v, want %v", got, want)
	}
	// Every compartment parameter (but {def}) is a search parameter of the type.
	for _, comp := range m.Compartments() {
		for _, typ := range m.ResourceTypes() {
			for _, code := range m.CompartmentParams(comp, typ) {
				if code != "{def}" && m.SearchParam(typ, code) == nil {
					t.Errorf("%s compartment: %s has no search parameter %q", comp, typ, code)
				}
			}
		}
	}
}
