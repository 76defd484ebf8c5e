package obs

import "testing"

func TestRoute(t *testing.T) {
	tests := []struct {
		method, path     string
		interaction, typ string
	}{
		{"GET", "/fhir/metadata", "capabilities", ""},
		{"POST", "/fhir", "transaction", ""},
		{"POST", "/fhir/", "transaction", ""},
		{"GET", "/fhir", "search-system", ""},
		{"POST", "/fhir/_search", "search-system", ""},
		{"GET", "/fhir/_history", "history-system", ""},
		{"GET", "/fhir/Patient", "search-type", "Patient"},
		{"POST", "/fhir/Patient/_search", "search-type", "Patient"},
		{"POST", "/fhir/Patient", "create", "Patient"},
		{"PUT", "/fhir/Patient", "update", "Patient"},
		{"PATCH", "/fhir/Patient", "patch", "Patient"},
		{"DELETE", "/fhir/Patient", "delete", "Patient"},
		{"GET", "/fhir/Patient/_history", "history-type", "Patient"},
		{"GET", "/fhir/Patient/123", "read", "Patient"},
		{"PUT", "/fhir/Patient/123", "update", "Patient"},
		{"PATCH", "/fhir/Patient/123", "patch", "Patient"},
		{"DELETE", "/fhir/Patient/123", "delete", "Patient"},
		{"GET", "/fhir/Patient/123/_history", "history-instance", "Patient"},
		{"GET", "/fhir/Patient/123/_history/4", "vread", "Patient"},
		{"GET", "/fhir/Patient/123/Observation", "search-compartment", "Observation"},
		{"GET", "/fhir/Patient/123/$everything", "operation", "Patient"},
		{"POST", "/fhir/$export", "operation", ""},
		{"GET", "/healthz", "healthz", ""},
		{"GET", "/readyz", "readyz", ""},
		{"GET", "/metrics", "metrics", ""},
		{"GET", "/fhirx", "other", ""},
		{"GET", "/", "other", ""},
		{"GET", "/fhir/a/b/c/d/e", "other", ""},
		{"OPTIONS", "/fhir/Patient/1", "other", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			gotI, gotT := Route(tt.method, tt.path)
			if gotI != tt.interaction || gotT != tt.typ {
				t.Errorf("Route = %q, %q; want %q, %q", gotI, gotT, tt.interaction, tt.typ)
			}
		})
	}
}
