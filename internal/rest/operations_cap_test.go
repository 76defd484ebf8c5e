package rest

import (
	"encoding/json"
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
