package search

import (
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/fhirpath"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/index")

// requireShared returns the path of the shared data folder (../shared from
// the repository root), skipping the test when it is absent — or failing
// it when SEN_REQUIRE_ALL=1, as CI sets.
func requireShared(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs("../../../shared")
	if err == nil {
		if _, err = os.Stat(dir); err == nil {
			return dir
		}
	}
	if os.Getenv("SEN_REQUIRE_ALL") == "1" {
		tb.Fatalf("shared data folder required (SEN_REQUIRE_ALL=1): %v", err)
	}
	tb.Skipf("shared data folder absent: %v", err)
	return ""
}

var (
	testIndexerOnce sync.Once
	testIndexer     *Indexer
	testIndexerErr  error
)

// newTestIndexer compiles the indexer once per test binary; it is
// immutable, so tests may share it.
func newTestIndexer(tb testing.TB) *Indexer {
	tb.Helper()
	testIndexerOnce.Do(func() { testIndexer, testIndexerErr = NewIndexer(r4.Load()) })
	if testIndexerErr != nil {
		tb.Fatal(testIndexerErr)
	}
	return testIndexer
}

func parseFHIRPath(src string) (*fhirpath.Expression, error) { return fhirpath.Parse(src) }
