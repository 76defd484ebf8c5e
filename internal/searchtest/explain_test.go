package searchtest_test

import (
	"context"
	"fmt"
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

// explainBackend is a store to explain searches on and how to find a
// whole-table scan in its plans.
type explainBackend struct {
	name  string
	open  func(testing.TB) store.Store
	scans func(plan string) []string // the plan lines that read a whole table
}

func explainBackends() []explainBackend {
	return []explainBackend{
		{"sqlite", func(tb testing.TB) store.Store {
			db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"), sqlite.Options{})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { db.Close() })
			return db
		}, sqliteScans},
		{"postgres", func(tb testing.TB) store.Store {
			return pgtest.Open(tb, "sen_explain", "options", "-c enable_seqscan=off")
		}, func(plan string) []string {
			var out []string
			for _, line := range strings.Split(plan, "\n") {
				if strings.Contains(line, "Seq Scan") {
					out = append(out, line)
				}
			}
			return out
		}},
	}
}

// sqliteScans returns the "SCAN x" lines of a SQLite plan that read a
// whole table or index ("SEARCH x USING …" seeks). A scan of a subquery's
// own rows (a CO-ROUTINE or MATERIALIZE of the same plan) reads no table.
func sqliteScans(plan string) []string {
	sub := map[string]bool{}
	lines := strings.Split(plan, "\n")
	for _, line := range lines {
		line = strings.TrimSpace(line)
		for _, p := range []string{"CO-ROUTINE ", "MATERIALIZE "} {
			if name, ok := strings.CutPrefix(line, p); ok {
				sub[name] = true
			}
		}
	}
	var out []string
	for _, line := range lines {
		line = strings.TrimSpace(line)
		name, ok := strings.CutPrefix(line, "SCAN ")
		if !ok || strings.Contains(line, "CONSTANT ROW") || sub[name] {
			continue
		}
		out = append(out, line)
	}
	return out
}

// put indexes and writes resources (JSON bodies with resourceType and id).
func put(tb testing.TB, st store.Store, ix *search.Indexer, bodies ...string) {
	tb.Helper()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for _, body := range bodies {
			typ, id := member(body, "resourceType"), member(body, "id")
			idx, err := ix.Index(typ, []byte(body))
			if err != nil {
				return err
			}
			if _, err := tx.Put(context.Background(), store.Write{Type: typ, ID: id, JSON: []byte(body), Index: idx}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// member returns the string value of the first member name of a JSON body.
func member(body, name string) string {
	k := `"` + name + `":"`
	i := strings.Index(body, k)
	if i < 0 {
		return ""
	}
	rest := body[i+len(k):]
	return rest[:strings.IndexByte(rest, '"')]
}

func parse(tb testing.TB, model *r4.Model, typ, query string) *search.Query {
	tb.Helper()
	vals, err := url.ParseQuery(query)
	if err != nil {
		tb.Fatal(err)
	}
	sq, err := search.ParseQuery(model, typ, vals, true)
	if err != nil {
		tb.Fatalf("%s?%s: %v", typ, query, err)
	}
	return sq
}

// TestExplainUsesIndexes proves the query planning line of the search
// issue: for indexed parameters, neither SQLite nor PostgreSQL scans a
// whole table in any statement a search runs (the bounded counts that
// choose its driving clause, its count, its first page). PostgreSQL runs
// with enable_seqscan=off, so a sequential scan in its plan means no index
// could answer, not that a small test table made scanning cheaper.
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
		{"Observation", "code=http://loinc.org|8480-6&patient=Patient/p1"},
		{"Observation", "code=http://loinc.org|8480-6&patient=Patient/p1&_summary=count"},
		{"Observation", "code=http://loinc.org|8480-6&status=final&_count=1"},
		{"Observation", "code=http://loinc.org|8480-6&status:not=cancelled&patient=p1"},
		{"Observation", "code=http://loinc.org|8480-6&value-quantity:missing=true"},
		{"Observation", "code=http://loinc.org|8480-6&subject:Patient.name=nguyen"},
		{"Observation", "code=http://loinc.org|8480-6&date=ge2020-01-01&_sort=-date"},
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
	for _, b := range explainBackends() {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			ex, ok := st.(explainer)
			if !ok {
				t.Fatalf("%T has no Explain", st)
			}
			// A few resources so that every table exists with rows.
			put(t, st, ix,
				`{"resourceType":"Patient","id":"p1","name":[{"family":"Nguyễn","given":["Văn","An"]}],"birthDate":"1960-01-01"}`,
				`{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-01-01","valueQuantity":{"value":150,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}`,
			)
			for _, q := range queries {
				sq := parse(t, model, q.typ, q.query)
				plan, err := ex.Explain(context.Background(), sq)
				if err != nil {
					t.Fatalf("%s?%s: %v", q.typ, q.query, err)
				}
				t.Logf("%s?%s:\n%s", q.typ, q.query, plan)
				if s := b.scans(plan); len(s) > 0 {
					t.Errorf("%s?%s scans a table (%s):\n%s", q.typ, q.query, strings.Join(s, "; "), plan)
				}
			}
			// A compartment search explains the same way.
			sq := parse(t, model, "Observation", "code=http://loinc.org|8480-6")
			sq.Compartment = &search.Compartment{Type: "Patient", ID: "p1"}
			plan, err := ex.Explain(context.Background(), sq)
			if err != nil {
				t.Fatal(err)
			}
			if s := b.scans(plan); len(s) > 0 {
				t.Errorf("Patient/p1/Observation?code=… scans a table (%s):\n%s", strings.Join(s, "; "), plan)
			}
		})
	}
}

// TestPlanDrivesFromMostSelective proves the other half of the planning
// line: a search starts from its most selective clause. The data make
// each clause of Observation?code=C&patient=P the selective one in turn
// — a code every patient has with a patient of few Observations, and a
// rare code with a patient of many — and the plan names the clause (or
// the compartment) whose index rows are fewest; every other clause is a
// probe of the driving rows, never a scan. The answers themselves are the
// conformance tables' business (Run, both backends).
func TestPlanDrivesFromMostSelective(t *testing.T) {
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		t.Fatal(err)
	}
	obs := func(id, code, patient string) string {
		return fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","code":{"coding":[{"system":"http://loinc.org","code":%q}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":"2024-05-01","valueQuantity":{"value":10,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}}`,
			id, code, patient)
	}
	// "common": 2 for each of 40 patients plus 60 for patient "many";
	// "rare": one, of patient "many". Patient "few" has 2 Observations.
	// All have the same date and value.
	var bodies []string
	for p := range 40 {
		pid := fmt.Sprintf("p%02d", p)
		if p == 0 {
			pid = "few"
		}
		bodies = append(bodies, `{"resourceType":"Patient","id":"`+pid+`"}`)
		for k := range 2 {
			bodies = append(bodies, obs(fmt.Sprintf("o%02d-%d", p, k), "common", pid))
		}
	}
	bodies = append(bodies, `{"resourceType":"Patient","id":"many"}`, obs("rare", "rare", "many"))
	for k := range 60 {
		bodies = append(bodies, obs(fmt.Sprintf("m%02d", k), "common", "many"))
	}
	cases := []struct {
		name, query string
		compartment string // Patient compartment of the search, if any
		drive       string // the plan's heading: the driving clause's parameter, or "compartment"
	}{
		{"rare patient, common code", "code=http://loinc.org|common&patient=Patient/few", "", "patient"},
		{"code first in the query", "patient=Patient/few&code=http://loinc.org|common", "", "patient"},
		{"rare code, patient of many", "code=http://loinc.org|rare&patient=Patient/many", "", "code"},
		{"rare code, subject", "subject=Patient/many&code=http://loinc.org|rare", "", "code"},
		{"compartment of few, common code", "code=http://loinc.org|common", "few", "compartment"},
		{"compartment of many, rare code", "code=http://loinc.org|rare", "many", "code"},
		{"one clause", "code=http://loinc.org|common", "", "code"},
		// Clauses that never drive are probes of the driving rows.
		{":missing probe", "patient=Patient/few&value-quantity:missing=true", "", "patient"},
		{":not probe", "status:not=cancelled&patient=Patient/few", "", "patient"},
		{"chain probe", "subject:Patient.name=nguyen&code=http://loinc.org|rare", "", "code"},
		{"range probes", "date=ge2020-01-01&value-quantity=gt5&code=http://loinc.org|rare", "", "code"},
		{"compartment and probes", "code:text=blood&status:not=final", "few", "compartment"},
		{"large compartment, no indexed value", "code:text=blood", "many", "compartment"},
	}
	for _, b := range explainBackends() {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			ex := st.(explainer)
			put(t, st, ix, bodies...)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					sq := parse(t, model, "Observation", c.query)
					if c.compartment != "" {
						sq.Compartment = &search.Compartment{Type: "Patient", ID: c.compartment}
					}
					plan, err := ex.Explain(context.Background(), sq)
					if err != nil {
						t.Fatal(err)
					}
					got := ""
					if line, ok := strings.CutPrefix(plan, "-- plan: "); ok {
						got, _, _ = strings.Cut(line, "\n")
					}
					want := "rows of the driving clause " + c.drive
					if c.drive == "compartment" {
						want = "compartment rows"
					}
					if got != want {
						t.Errorf("plan heading %q, want %q:\n%s", got, want, plan)
					}
					if s := b.scans(plan); len(s) > 0 {
						t.Errorf("scans a table (%s):\n%s", strings.Join(s, "; "), plan)
					}
					// The driving clauses here seek a value, so a seek on
					// (type, param) alone is a probe reading every row of
					// its parameter. PostgreSQL picks probes by its
					// statistics; SQLite has none and must be told.
					if b.name == "sqlite" && strings.Contains(plan, "(type=? AND param=?)") {
						t.Errorf("a probe reads all rows of a parameter:\n%s", plan)
					}
				})
			}
		})
	}
}
