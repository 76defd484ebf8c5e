package fhirpath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "suite", name))
	if err != nil {
		tb.Fatalf("read fixture: %v", err)
	}
	return data
}

func decodeFixture(tb testing.TB, name string) Value {
	tb.Helper()
	v, err := DecodeJSON(readFixture(tb, name))
	if err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	return v
}

// searchExpressions returns the parsed R4 search parameter expressions of
// resourceType, keeping only the |-separated parts that apply to it (the
// way search extraction uses them).
func searchExpressions(tb testing.TB, resourceType string) []*Expression {
	tb.Helper()
	var out []*Expression
	for _, sp := range r4.Load().SearchParams(resourceType) {
		if sp.Expression == "" {
			continue
		}
		var parts []string
		for _, p := range strings.Split(sp.Expression, " | ") {
			p = strings.TrimSpace(p)
			trimmed := strings.TrimLeft(p, "(")
			if strings.HasPrefix(trimmed, resourceType+".") || trimmed == resourceType ||
				strings.HasPrefix(trimmed, "Resource.") || strings.HasPrefix(trimmed, "DomainResource.") {
				parts = append(parts, p)
			}
		}
		if len(parts) == 0 {
			continue
		}
		e, err := Parse(strings.Join(parts, " | "))
		if err != nil {
			tb.Fatalf("parse search parameter %s: %v", sp.Code, err)
		}
		out = append(out, e)
	}
	return out
}

var benchExpressions = []string{
	"Patient.name.where(use='official').family",
	"Observation.value.as(Quantity).value > 100",
	"(Observation.value as Quantity) | (Observation.value as SampledData)",
	"Patient.telecom.where(system = 'phone' and use = 'mobile').value.first()",
	"name.select(given.join(' ') & ' ' & family)",
	"extension('http://hl7.org/fhir/StructureDefinition/patient-birthTime').value.exists() implies birthDate.exists()",
	"iif(active, 'active', 'inactive') = 'active'",
	"Bundle.entry.resource.ofType(Observation).where(code.coding.exists(system = %loinc and code = '8867-4'))",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, s := range benchExpressions {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkEvaluatePath(b *testing.B) {
	pat := decodeFixture(b, "patient-example.json")
	e := MustParse("Patient.name.where(use='official').family")
	opts := &Options{Model: loadModel(b)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := e.Evaluate(pat, opts)
		if err != nil || len(res) != 1 {
			b.Fatalf("got %v, %v", res, err)
		}
	}
}

// BenchmarkEvaluateSearchExpressions evaluates every R4 Observation search
// parameter expression over observation-example (one op = one resource).
func BenchmarkEvaluateSearchExpressions(b *testing.B) {
	obs := decodeFixture(b, "observation-example.json")
	exprs := searchExpressions(b, "Observation")
	opts := &Options{Model: loadModel(b)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, e := range exprs {
			if _, err := e.Evaluate(obs, opts); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(exprs)), "exprs/op")
}

// BenchmarkDecodeAndSearch is the search-indexing hot path: decode the
// JSON, then evaluate every Observation search expression (one op = one
// resource).
func BenchmarkDecodeAndSearch(b *testing.B) {
	data := readFixture(b, "observation-example.json")
	exprs := searchExpressions(b, "Observation")
	opts := &Options{Model: loadModel(b)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		obs, err := DecodeJSON(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range exprs {
			if _, err := e.Evaluate(obs, opts); err != nil {
				b.Fatal(err)
			}
		}
	}
}
