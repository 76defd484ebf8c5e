package auth

import (
	"context"
	"testing"

	"github.com/sen-emr/sen/internal/search"
)

// BenchmarkGuardRead compares a guarded read by a care-team doctor (the
// relationship look-up runs once per request, as each request has a new
// Principal) with the unguarded read.
func BenchmarkGuardRead(b *testing.B) {
	st := openStore(b)
	load(b, st, policyFixture...)
	g := newGuard(b, st, nil)
	ctx := context.Background()
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.Read(ctx, "Observation", "o2"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("guarded", func(b *testing.B) {
		for b.Loop() {
			pctx := WithPrincipal(ctx, testPrincipals()["doctorA"]())
			if _, err := g.Read(pctx, "Observation", "o2"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("guarded-search-5", func(b *testing.B) {
		for b.Loop() {
			pctx := WithPrincipal(ctx, testPrincipals()["researcher"]())
			if _, err := g.Search(pctx, &search.Query{Type: "Observation", Count: 10}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
