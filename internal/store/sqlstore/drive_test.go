package sqlstore

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
)

// countingDB answers the bounded counts of plan(): the rows of each
// parameter (by the parameter name among a count's arguments) or of the
// compartment, cut at the count's LIMIT, and records every count asked.
type countingDB struct {
	rows  map[string]int64 // parameter ("subject", "code" …) or "compartment" -> index rows
	asked []string         // "what<=limit" per count, in order
}

func (c *countingDB) Dialect() Dialect { return Dialect{Name: "sqlite"} }
func (c *countingDB) Reader() Querier  { return c }
func (c *countingDB) InTx(ctx context.Context, fn func(q Querier) error) error {
	return fn(c)
}
func (c *countingDB) Exec(context.Context, string, ...any) error { return fmt.Errorf("no writes") }
func (c *countingDB) ExecBatch(context.Context, []Stmt) error    { return fmt.Errorf("no writes") }
func (c *countingDB) Query(_ context.Context, sql string, args ...any) (Rows, error) {
	if !strings.HasPrefix(sql, "SELECT COUNT(*) FROM (SELECT ") || !strings.HasSuffix(sql, " LIMIT ?) x") {
		return nil, fmt.Errorf("not a bounded count: %s", sql)
	}
	limit := args[len(args)-1].(int64)
	what := ""
	if strings.Contains(sql, "FROM compartments") {
		what = "compartment"
	} else {
		for _, a := range args {
			if s, ok := a.(string); ok {
				if _, known := c.rows[s]; known {
					what = s
				}
			}
		}
	}
	if what == "" {
		return nil, fmt.Errorf("count of what? %s %v", sql, args)
	}
	c.asked = append(c.asked, fmt.Sprintf("%s<=%d", what, limit))
	return &oneRow{n: min(c.rows[what], limit)}, nil
}

type oneRow struct {
	n    int64
	done bool
}

func (r *oneRow) Next() bool {
	more := !r.done
	r.done = true
	return more
}
func (r *oneRow) Scan(dest ...any) error { *dest[0].(*int64) = r.n; return nil }
func (r *oneRow) Err() error             { return nil }
func (r *oneRow) Close()                 {}

// TestPlan checks the choice of the driving clause against given index row
// counts: the fewest rows drive, each count is bounded by the smallest so
// far, references are counted first, counts stop at an empty clause, and
// clauses no index answers are neither counted nor chosen over a
// compartment.
func TestPlan(t *testing.T) {
	model := r4.Load()
	tests := []struct {
		name        string
		query       string
		compartment string // a Patient compartment of the search
		rows        map[string]int64
		want        string   // the driving clause's parameter, "compartment" or "" (no plan)
		asked       []string // the counts run, in order
	}{
		{"common code, patient of few", "code=http://loinc.org|85354-9&patient=Patient/p", "",
			map[string]int64{"code": 115002, "subject": 184}, "patient", []string{"subject<=2000", "code<=184"}},
		{"rare code, patient of many", "code=http://loinc.org|rare&patient=Patient/p", "",
			map[string]int64{"code": 3, "subject": 1500}, "code", []string{"subject<=2000", "code<=1500"}},
		{"both past the cap: the reference", "status=final&patient=Patient/p", "",
			map[string]int64{"status": 400000, "subject": 5000}, "patient", []string{"subject<=2000", "status<=2000"}},
		{"tie below the cap: the first counted", "code=http://loinc.org|a&patient=Patient/p", "",
			map[string]int64{"code": 184, "subject": 184}, "patient", []string{"subject<=2000", "code<=184"}},
		{"an empty clause ends the counting", "code=http://loinc.org|none&status=final&patient=Patient/p", "",
			map[string]int64{"code": 0, "status": 400000, "subject": 184}, "code", []string{"subject<=2000", "code<=184"}},
		{"compartment of few", "code=http://loinc.org|85354-9", "p",
			map[string]int64{"code": 115002, "compartment": 1004}, "compartment", []string{"compartment<=2000", "code<=1004"}},
		{"compartment of many, rare code", "code=http://loinc.org|rare", "p",
			map[string]int64{"code": 2, "compartment": 9000}, "code", []string{"compartment<=2000", "code<=2000"}},
		{"compartment of many, no indexed value", "code:text=blood", "p",
			map[string]int64{"code": 1, "compartment": 9000}, "compartment", []string{"compartment<=2000"}},
		{"no indexed value beside an indexed one", "code:text=blood&patient=Patient/p", "",
			map[string]int64{"code": 1, "subject": 184}, "patient", []string{"subject<=2000"}},
		{"one clause: no count", "code=http://loinc.org|85354-9", "",
			map[string]int64{"code": 115002}, "code", nil},
		{"one clause and probes: no count", "code=http://loinc.org|85354-9&status:not=final&value-quantity:missing=true", "",
			map[string]int64{"code": 115002}, "code", nil},
		{"_id reads the resource: no plan", "_id=o1&code=http://loinc.org|85354-9", "",
			map[string]int64{"code": 115002}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			sq, err := search.ParseQuery(model, "Observation", vals, true)
			if err != nil {
				t.Fatal(err)
			}
			if tt.compartment != "" {
				sq.Compartment = &search.Compartment{Type: "Patient", ID: tt.compartment}
			}
			db := &countingDB{rows: tt.rows}
			e := New(db, Options{Model: model})
			pl, err := e.plan(context.Background(), db, sq, []string{"Observation"})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			switch {
			case pl.compartment:
				got = "compartment"
			case pl.clause >= 0:
				got = sq.Clauses[pl.clause].Param
			}
			if got != tt.want {
				t.Errorf("driven by %q, want %q (counts %v)", got, tt.want, db.asked)
			}
			if !slices.Equal(db.asked, tt.asked) {
				t.Errorf("counts %v, want %v", db.asked, tt.asked)
			}
		})
	}
}
