package storetest

import (
	"os"
	"path/filepath"
	"testing"
)

// RequireShared returns the shared data folder (../shared beside the
// repository root). When it is absent the test is skipped, or fails when
// SEN_REQUIRE_ALL=1 (as in CI).
func RequireShared(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err == nil {
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				dir = ""
				break
			}
			dir = parent
		}
	}
	shared := ""
	if dir != "" {
		shared = filepath.Join(dir, "..", "shared")
	}
	if st, err := os.Stat(filepath.Join(shared, "fhir", "synthea")); shared == "" || err != nil || !st.IsDir() {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared data (%s) is required with SEN_REQUIRE_ALL=1", shared)
		}
		tb.Skipf("shared data not found at %s", shared)
	}
	return shared
}
