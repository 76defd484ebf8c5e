package validate

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
)

var (
	validatorOnce sync.Once
	validatorV    *Validator
	evalMu        sync.Mutex
	evalFailures  = map[string]int{} // constraint key → failed evaluations
)

// testValidator returns one Validator shared by the tests (building it
// compiles the whole model). Invariants whose FHIRPath evaluation fails
// are counted in evalFailures.
func testValidator(tb testing.TB) *Validator {
	tb.Helper()
	validatorOnce.Do(func() {
		validatorV = New(r4.Load(), WithEvalErrorHandler(func(key, expr string, err error) {
			evalMu.Lock()
			defer evalMu.Unlock()
			evalFailures[key+": "+err.Error()]++
		}))
	})
	return validatorV
}

// logEvalFailures logs the invariants that could not be evaluated so far.
func logEvalFailures(tb testing.TB) {
	tb.Helper()
	evalMu.Lock()
	defer evalMu.Unlock()
	total := 0
	for k, n := range evalFailures {
		total += n
		tb.Logf("invariant not evaluated %d×: %s", n, k)
	}
	tb.Logf("%d invariant evaluations failed (skipped, not reported)", total)
}

// requireShared returns the path of the shared data folder (/work/shared,
// the repository's sibling), skipping the test when it is absent, or
// failing it when SEN_REQUIRE_ALL=1 (as in CI).
func requireShared(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	if _, err := os.Stat(filepath.Join(dir, "fhir")); err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared data folder %s is required (SEN_REQUIRE_ALL=1): %v", dir, err)
		}
		tb.Skipf("shared data folder %s absent: %v", dir, err)
	}
	return dir
}

// errorsOf keeps the issues of severity error or fatal.
func errorsOf(issues []fhir.Issue) []fhir.Issue {
	var out []fhir.Issue
	for _, is := range issues {
		if is.Severity == "error" || is.Severity == "fatal" {
			out = append(out, is)
		}
	}
	return out
}

func formatIssues(issues []fhir.Issue) string {
	var b strings.Builder
	for _, is := range issues {
		b.WriteString("\n  " + is.Severity + " " + is.Code + " " + strings.Join(is.Expression, ",") + ": " + is.Diagnostics)
	}
	return b.String()
}
