package operation_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sen-emr/sen/internal/operation"
)

// BenchmarkImportSynthea imports 10 Synthea bundles (bzip2) into a fresh
// SQLite store per iteration and reports resources/s.
func BenchmarkImportSynthea(b *testing.B) {
	shared := requireShared(b)
	files, err := filepath.Glob(filepath.Join(shared, "fhir", "synthea", "*.json.bz2"))
	if err != nil || len(files) < 12 {
		b.Fatalf("Synthea bundles: %v", err)
	}
	files = files[:12] // the two shared bundles and 10 patients
	m, ix := testModel(b)
	total := 0
	for b.Loop() {
		b.StopTimer()
		st := openSQLite(b)
		b.StartTimer()
		im := operation.Importer{Store: st, Indexer: ix, Model: m}
		rep, err := im.Import(context.Background(), files)
		if err != nil {
			b.Fatal(err)
		}
		total += rep.Written
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "resources/s")
}
