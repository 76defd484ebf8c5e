package rest

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCapabilityOperations checks that the CapabilityStatement lists the
// operations that are mounted, at the right level, and nothing else.
func TestCapabilityOperations(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	rec := do(t, h, "GET", "/fhir/metadata", "")
	if rec.Code != 200 {
		t.Fatalf("metadata: %d %s", rec.Code, rec.Body)
	}
	var cs struct {
		Rest []struct {
			Operation []operationCap `json:"operation"`
			Resource  []struct {
				Type      string         `json:"type"`
				Operation []operationCap `json:"operation"`
			} `json:"resource"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &cs); err != nil {
		t.Fatal(err)
	}
	byType := map[string]map[string]string{"": {}}
	for _, op := range cs.Rest[0].Operation {
		byType[""][op.Name] = op.Definition
	}
	for _, r := range cs.Rest[0].Resource {
		byType[r.Type] = map[string]string{}
		for _, op := range r.Operation {
			byType[r.Type][op.Name] = op.Definition
		}
	}
	tests := []struct {
		typ, name, def string
		want           bool
	}{
		{"Patient", "everything", "http://hl7.org/fhir/OperationDefinition/Patient-everything", true},
		{"ValueSet", "expand", "http://hl7.org/fhir/OperationDefinition/ValueSet-expand", true},
		{"CodeSystem", "lookup", "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup", true},
		{"", "export", "", false}, // no Exports configured in this handler, so not mounted
		{"Observation", "verify", "https://sen-emr.github.io/fhir/OperationDefinition/verify", true}, // mounted for every type
		{"Observation", "everything", "", false},
		{"", "export-jobs", "", false},  // job status URLs are not operations
		{"Patient", "lastn", "", false}, // not implemented, so not declared
	}
	for _, tt := range tests {
		def, ok := byType[tt.typ][tt.name]
		if ok != tt.want {
			t.Errorf("%q $%s declared = %v, want %v", tt.typ, tt.name, ok, tt.want)
			continue
		}
		if tt.want && def != tt.def {
			t.Errorf("%q $%s definition = %q, want %q", tt.typ, tt.name, def, tt.def)
		}
	}
}

// TestCapabilitySearchParams checks that the special search parameters
// Sen evaluates are declared, with documentation stating their cost, and
// that those it does not (near, _query) are not.
func TestCapabilitySearchParams(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	rec := do(t, h, "GET", "/fhir/metadata", "")
	var cs struct {
		Rest []struct {
			SearchParam []searchParamCap `json:"searchParam"`
			Resource    []struct {
				Type        string           `json:"type"`
				SearchParam []searchParamCap `json:"searchParam"`
			} `json:"resource"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &cs); err != nil || len(cs.Rest) != 1 {
		t.Fatalf("%v %.200s", err, rec.Body)
	}
	params := map[string]map[string]searchParamCap{"": {}}
	for _, sp := range cs.Rest[0].SearchParam {
		params[""][sp.Name] = sp
	}
	for _, r := range cs.Rest[0].Resource {
		params[r.Type] = map[string]searchParamCap{}
		for _, sp := range r.SearchParam {
			params[r.Type][sp.Name] = sp
		}
	}
	tests := []struct {
		typ, name string
		want      bool
		docHas    string
	}{
		{"Patient", "_text", true, "200,000"},
		{"Patient", "_content", true, "stored JSON"},
		{"Patient", "_filter", true, "400"},
		{"Patient", "_list", true, "Functional lists"},
		{"Patient", "name", true, ""},
		{"Binary", "_text", false, ""}, // not a DomainResource: no narrative
		{"Binary", "_content", true, ""},
		{"Location", "near", false, ""},
		{"Patient", "_query", false, ""},
		{"", "_contained", true, "container"},
		{"", "_containedType", true, "400"},
		{"", "_filter", true, "search_filter.html"},
	}
	for _, tt := range tests {
		sp, ok := params[tt.typ][tt.name]
		if ok != tt.want {
			t.Errorf("%q %s declared = %v, want %v", tt.typ, tt.name, ok, tt.want)
			continue
		}
		if tt.docHas != "" && !strings.Contains(sp.Documentation, tt.docHas) {
			t.Errorf("%q %s documentation %q lacks %q", tt.typ, tt.name, sp.Documentation, tt.docHas)
		}
	}
}
