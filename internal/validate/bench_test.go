package validate

import (
	"os"
	"path/filepath"
	"testing"
)

func benchValidate(b *testing.B, body []byte) {
	v := testValidator(b)
	if errs := errorsOf(v.Validate(body)); len(errs) > 0 {
		b.Fatalf("fixture has errors:%s", formatIssues(errs))
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v.Validate(body)
	}
}

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "bench", name))
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// BenchmarkValidatePatient validates a Synthea Patient (4.5 kB).
func BenchmarkValidatePatient(b *testing.B) { benchValidate(b, readFixture(b, "patient.json")) }

// BenchmarkValidateObservation validates a Synthea vital-sign Observation.
func BenchmarkValidateObservation(b *testing.B) { benchValidate(b, readFixture(b, "observation.json")) }

// BenchmarkValidateSyntheaBundle validates one whole Synthea transaction
// (1,971 entries) from the shared folder.
func BenchmarkValidateSyntheaBundle(b *testing.B) {
	shared := requireShared(b)
	body := readBzip2(b, filepath.Join(shared, "fhir", "synthea", "057aa36e-b892-9964-75b9-ffb46b097e34.json.bz2"))
	benchValidate(b, body)
}

// BenchmarkValidatePatientStructural is BenchmarkValidatePatient without the
// FHIRPath invariants, to show what they cost.
func BenchmarkValidatePatientStructural(b *testing.B) {
	v := New(testValidator(b).schema.model, WithoutInvariants())
	body := readFixture(b, "patient.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		v.Validate(body)
	}
}
