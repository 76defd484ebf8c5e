package bhyt

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkInpatientClaim: FHIR bundle → tables → validation → envelope.
func BenchmarkInpatientClaim(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "episodes", "inpatient.json"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		src, err := SourceFromBundle(raw, "LK-1", settled)
		if err != nil {
			b.Fatal(err)
		}
		c, err := Build(src)
		if err != nil {
			b.Fatal(err)
		}
		if errs := Validate(c); len(errs) > 0 {
			b.Fatal(errs)
		}
		if _, err := Envelope(b.Context(), c, settled, nil); err != nil {
			b.Fatal(err)
		}
	}
}
