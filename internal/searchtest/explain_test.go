package searchtest_test

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/postgres/pgtest"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

// explainer is the store's optional query-plan capability.
type explainer interface {
	Explain(ctx context.Context, q *search.Query) (string, error)
}

// TestExplainUsesIndexes proves the query planning line of the search
// issue: for indexed parameters, neither SQLite nor PostgreSQL scans a
// whole table. PostgreSQL runs with enable_seqscan=off, so a sequential
// scan in its plan means no index could answer, not that a small test
// table made scanning cheaper.
func TestExplainUsesIndexes(t *testing.T) {
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		t.Fatal(err)
	}
	queries := []struct{ typ, query string }{
		{"Observation", "code=http://loinc.org|8480-6"},
		{"Observation", "code=8480-6"},
		{"Observation", "subject=Patient/p1"},
		{"Observation", "patient=p1&code=http://loinc.org|8480-6"},
		{"Observation", "date=ge2020-01-01"},
		{"Observation", "value-quantity=gt100|http://unitsofmeasure.org|mm[Hg]"},
		{"Observation", "code-value-quantity=http://loinc.org|8480-6$gt140"},
		{"Patient", "name=nguyen"},
		{"Patient", "family:exact=Nguyễn"},
		{"Patient", "identifier=https://sen-emr.github.io/fhir/sid/cccd|001206154977"},
		{"Patient", "birthdate=1960"},
		{"Patient", "_id=p1"},
		{"Encounter", "subject:Patient.name=nguyen"},
		{"Patient", "_has:Observation:patient:code=8480-6"},
		{"MedicationRequest", "status=active&patient=p1"},
	}
	backends := []struct {
		name   string
		open   func(testing.TB) store.Store
		isScan func(line string) bool
	}{
		{"sqlite", func(tb testing.TB) store.Store {
			db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"), sqlite.Options{})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { db.Close() })
			return db
		}, func(line string) bool {
			// "SCAN x" reads a whole table or index; "SEARCH x USING ..." seeks.
			return strings.HasPrefix(strings.TrimSpace(line), "SCAN ") && !strings.Contains(line, "CONSTANT ROW")
		}},
		{"postgres", func(tb testing.TB) store.Store {
			return pgtest.Open(tb, "sen_explain", "options", "-c enable_seqscan=off")
		}, func(line string) bool { return strings.Contains(line, "Seq Scan") }},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			ex, ok := st.(explainer)
			if !ok {
				t.Fatalf("%T has no Explain", st)
			}
			// A few resources so that every table exists with rows.
			seed := []string{
				`{"resourceType":"Patient","id":"p1","name":[{"family":"Nguyễn","given":["Văn","An"]}],"birthDate":"1960-01-01"}`,
				`{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-01-01","valueQuantity":{"value":150,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}`,
			}
			err := st.Update(context.Background(), func(tx store.Tx) error {
				for _, body := range seed {
					h := struct{ ResourceType, ID string }{}
					if i := strings.Index(body, `"id":"`); i > 0 {
						h.ID = body[i+6 : i+6+strings.Index(body[i+6:], `"`)]
					}
					h.ResourceType = body[len(`{"resourceType":"`) : len(`{"resourceType":"`)+strings.Index(body[len(`{"resourceType":"`):], `"`)]
					idx, err := ix.Index(h.ResourceType, []byte(body))
					if err != nil {
						return err
					}
					if _, err := tx.Put(context.Background(), store.Write{Type: h.ResourceType, ID: h.ID, JSON: []byte(body), Index: idx}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range queries {
				vals, err := url.ParseQuery(q.query)
				if err != nil {
					t.Fatal(err)
				}
				sq, err := search.ParseQuery(model, q.typ, vals, true)
				if err != nil {
					t.Fatalf("%s?%s: %v", q.typ, q.query, err)
				}
				plan, err := ex.Explain(context.Background(), sq)
				if err != nil {
					t.Fatalf("%s?%s: %v", q.typ, q.query, err)
				}
				t.Logf("%s?%s:\n%s", q.typ, q.query, plan)
				for _, line := range strings.Split(plan, "\n") {
					if b.isScan(line) {
						t.Errorf("%s?%s scans a table:\n%s", q.typ, q.query, plan)
						break
					}
				}
			}
		})
	}
}
