package rest

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/sen-emr/sen/internal/rest/resttest"
)

func BenchmarkRead(b *testing.B) {
	h, _ := newTestHandler(b, nil, nil)
	id := create(b, h, "Patient", patientBody)
	b.ReportAllocs()
	for b.Loop() {
		if w := do(b, h, "GET", "/fhir/Patient/"+id, ""); w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkCreate(b *testing.B) {
	h, _ := newTestHandler(b, nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		if w := do(b, h, "POST", "/fhir/Patient", patientBody); w.Code != http.StatusCreated {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkSyntheaTransaction posts one Synthea patient transaction into a
// store that already holds the organisations and practitioners.
func BenchmarkSyntheaTransaction(b *testing.B) {
	shared := resttest.SharedDir(b, "../..")
	files := resttest.SyntheaFiles(b, shared, 1)
	h, _ := newTestHandler(b, nil, func(c *Config) { c.MaxBodyBytes = 64 << 20 })
	for _, f := range files[:2] {
		if w := do(b, h, "POST", "/fhir", string(resttest.ReadBz2(b, f))); w.Code != 200 {
			b.Fatalf("%s: %d", filepath.Base(f), w.Code)
		}
	}
	body := string(resttest.ReadBz2(b, files[2]))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if w := do(b, h, "POST", "/fhir", body); w.Code != 200 {
			b.Fatalf("%d %.500s", w.Code, w.Body.String())
		}
	}
}
