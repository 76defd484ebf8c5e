package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/sen-emr/sen/internal/search"
)

// TestCompositeMigration writes composite index rows the way schema 3
// stored them (one row per component) and checks that migration 4 pairs
// them into one row each: the components of one value still match
// together and never across values.
func TestCompositeMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sen.db")
	raw, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 3); err != nil {
		t.Fatalf("migrate to 3: %v", err)
	}
	const loinc, ucum = "http://loinc.org", "http://unitsofmeasure.org"
	body := `{"resourceType":"Observation","id":"o1","meta":{"versionId":"1","lastUpdated":"2025-01-01T00:00:00Z"}}`
	stmts := []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO resources (rid, type, id, version, ts, deleted, kinds, pkey) VALUES (1, 'Observation', 'o1', 1, 1735689600000000, 0, 128, '')", nil},
		{"INSERT INTO versions (rid, type, id, version, ts, deleted, pkey, json) VALUES (1, 'Observation', 'o1', 1, 1735689600000000, 0, '', ?)", []any{[]byte(body)}},
		// group 1: heart rate 90 /min; group 2: body weight 70 kg.
		{"INSERT INTO idx_composite (rid, n, type, param, grp, pos, kind, system, code) VALUES (1, 0, 'Observation', 'code-value-quantity', 1, 0, 'token', ?, '8867-4')", []any{loinc}},
		{"INSERT INTO idx_composite (rid, n, type, param, grp, pos, kind, system, code, num, num_low, num_high, unit) VALUES (1, 1, 'Observation', 'code-value-quantity', 1, 1, 'quantity', ?, '/min', 90, 90, 90, '/min')", []any{ucum}},
		{"INSERT INTO idx_composite (rid, n, type, param, grp, pos, kind, system, code) VALUES (1, 2, 'Observation', 'code-value-quantity', 2, 0, 'token', ?, '29463-7')", []any{loinc}},
		{"INSERT INTO idx_composite (rid, n, type, param, grp, pos, kind, system, code, num, num_low, num_high, unit) VALUES (1, 3, 'Observation', 'code-value-quantity', 2, 1, 'quantity', ?, 'kg', 70, 70, 70, 'kg')", []any{ucum}},
	}
	for _, s := range stmts {
		if _, err := raw.ExecContext(ctx, s.sql, s.args...); err != nil {
			t.Fatalf("%s: %v", s.sql, err)
		}
	}
	raw.Close()

	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("open (migrate to latest): %v", err)
	}
	defer db.Close()
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
	cvq := func(code string, prefix string, n float64) *search.Query {
		return &search.Query{Type: "Observation", Clauses: []search.Clause{{
			Param: "code-value-quantity", Type: search.TypeComposite,
			Components: []search.Clause{{Param: "code", Type: search.TypeToken}, {Param: "value-quantity", Type: search.TypeQuantity}},
			Values:     []search.Value{{Parts: []search.Value{{Raw: code, Code: code}, {Prefix: prefix, Number: n}}}},
		}}}
	}
	cases := []struct {
		name string
		q    *search.Query
		want []string
	}{
		{"first pair", cvq("8867-4", "gt", 80), []string{"o1"}},
		{"second pair", cvq("29463-7", "", 70), []string{"o1"}},
		{"components of different values do not pair", cvq("8867-4", "", 70), nil},
	}
	for _, c := range cases {
		page, err := db.Search(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, r := range page.Resources {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	var rows int
	if err := db.reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM idx_composite").Scan(&rows); err != nil || rows != 2 {
		t.Errorf("idx_composite holds %d rows (%v), want 2 (one per value)", rows, err)
	}
}
