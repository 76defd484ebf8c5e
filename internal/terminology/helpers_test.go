package terminology

import (
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

var (
	testOnce sync.Once
	testTerm *Terminology
	testErr  error
)

// fixedNow stamps expansions in tests.
var fixedNow = time.Date(2026, 7, 1, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// newTest returns a Terminology with the R4 core value sets and a fixed
// clock, built once per test binary.
func newTest(tb testing.TB) *Terminology {
	tb.Helper()
	testOnce.Do(func() {
		testTerm, testErr = New(Options{Model: r4.Load(), Now: func() time.Time { return fixedNow }})
	})
	if testErr != nil {
		tb.Fatalf("New: %v", testErr)
	}
	return testTerm
}
