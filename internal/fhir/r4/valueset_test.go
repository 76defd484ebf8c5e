package r4

import (
	"bytes"
	"slices"
	"sync"
	"testing"
)

func TestValueSet(t *testing.T) {
	m := Load()
	tests := []struct {
		url       string
		wantCodes []string // exact codes in order, or the first codes when prefix
		prefix    bool
		system    string
	}{
		{"http://hl7.org/fhir/ValueSet/administrative-gender", []string{"male", "female", "other", "unknown"}, false, "http://hl7.org/fhir/administrative-gender"},
		{"http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1", []string{"male", "female", "other", "unknown"}, false, "http://hl7.org/fhir/administrative-gender"},
		{"http://hl7.org/fhir/ValueSet/observation-status", []string{"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"}, false, "http://hl7.org/fhir/observation-status"},
		{"http://hl7.org/fhir/ValueSet/publication-status", []string{"draft", "active", "retired", "unknown"}, false, "http://hl7.org/fhir/publication-status"},
		{"http://hl7.org/fhir/ValueSet/request-status", []string{"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}, false, "http://hl7.org/fhir/request-status"},
		{"http://hl7.org/fhir/ValueSet/bundle-type", []string{"document", "message", "transaction", "transaction-response", "batch", "batch-response", "history", "searchset", "collection"}, false, "http://hl7.org/fhir/bundle-type"},
		{"http://hl7.org/fhir/ValueSet/http-verb", []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}, false, "http://hl7.org/fhir/http-verb"},
		// Nested concepts are flattened, parents first.
		{"http://hl7.org/fhir/ValueSet/resource-types", []string{"Account", "ActivityDefinition"}, true, "http://hl7.org/fhir/resource-types"},
		// A v3 is-a filter with an exclusion.
		{"http://terminology.hl7.org/ValueSet/v3-ActEncounterCode", []string{"AMB", "EMER", "FLD", "HH", "IMP", "ACUTE", "NONAC", "OBSENC", "PRENC", "SS", "VR"}, false, "http://terminology.hl7.org/CodeSystem/v3-ActCode"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			vs := m.ValueSet(tt.url)
			if vs == nil {
				t.Fatal("nil")
			}
			var got []string
			for _, c := range vs.Codes {
				if c.System != tt.system {
					t.Errorf("code %s system %q, want %q", c.Code, c.System, tt.system)
				}
				got = append(got, c.Code)
			}
			if tt.prefix && len(got) > len(tt.wantCodes) {
				got = got[:len(tt.wantCodes)]
			}
			if !slices.Equal(got, tt.wantCodes) {
				t.Errorf("codes = %v, want %v", got, tt.wantCodes)
			}
		})
	}
	if got := m.ValueSet("http://hl7.org/fhir/ValueSet/administrative-gender").Codes[0].Display; got != "Male" {
		t.Errorf("male display = %q, want Male", got)
	}
	conf := m.ValueSet("http://terminology.hl7.org/ValueSet/v3-ConfidentialityClassification")
	if conf == nil || len(conf.Codes) != 6 {
		t.Errorf("v3-ConfidentialityClassification = %v, want 6 codes", conf)
	}
	for _, u := range []string{"", "http://example.org/nope", "http://hl7.org/fhir/ValueSet/ucum-units", "http://hl7.org/fhir/ValueSet/mimetypes"} {
		if vs := m.ValueSet(u); vs != nil {
			t.Errorf("ValueSet(%q) = %d codes, want nil", u, len(vs.Codes))
		}
	}
}

// Every required binding of the core types resolves, except those to value
// sets whose codes live outside the FHIR definitions.
func TestRequiredBindingsResolve(t *testing.T) {
	external := map[string]bool{
		"http://hl7.org/fhir/ValueSet/ucum-units": true, // UCUM grammar
		"http://hl7.org/fhir/ValueSet/currencies": true, // ISO 4217
		"http://hl7.org/fhir/ValueSet/mimetypes":  true, // BCP 13
		"http://loinc.org/vs/LL379-9":             true, // LOINC answer list
	}
	m := Load()
	n := 0
	for _, td := range allTypes(m) {
		for _, e := range td.Elements {
			b := e.Binding
			if b == nil || b.Strength != "required" || external[b.ValueSet] {
				continue
			}
			n++
			vs := m.ValueSet(b.ValueSet)
			if vs == nil || len(vs.Codes) == 0 {
				t.Errorf("%s: required binding %s does not resolve", e.Path, b.ValueSet)
			}
		}
	}
	if n < 300 {
		t.Errorf("only %d required bindings checked, want >= 300", n)
	}
}

func TestValueSetConcurrentFirstUse(t *testing.T) {
	m, err := Decode(bytes.NewReader(embedded), bytes.NewReader(embeddedValueSets))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]*ValueSet, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = m.ValueSet("http://hl7.org/fhir/ValueSet/administrative-gender")
		}()
	}
	wg.Wait()
	for _, vs := range got {
		if vs == nil || vs != got[0] {
			t.Fatal("concurrent ValueSet calls disagree")
		}
	}
}
