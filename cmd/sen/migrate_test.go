package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/sen-emr/sen/internal/store/sqlite"
)

// TestUpgradeFromPreviousSchema creates a data directory at the previous
// schema version (every migration but the last, run by goose from the
// committed migration files), holding resource versions written the way
// that schema stores them; then `sen check` and the store open it with the
// current code. The schema must reach the newest version and every
// version must read back byte for byte.
func TestUpgradeFromPreviousSchema(t *testing.T) {
	ctx := context.Background()
	migrations := os.DirFS("../../internal/store/sqlite/migrations")
	names, err := filepath.Glob("../../internal/store/sqlite/migrations/*.sql")
	if err != nil || len(names) < 2 {
		t.Fatalf("want at least two migrations, found %v (%v)", names, err)
	}
	sort.Strings(names)
	latest, err := goose.NumericComponent(names[len(names)-1])
	if err != nil {
		t.Fatal(err)
	}
	previous, err := goose.NumericComponent(names[len(names)-2])
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "sen.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, previous); err != nil {
		t.Fatalf("migrate to version %d: %v", previous, err)
	}
	// Two versions of one patient and a deleted observation, as schema 1
	// (resources + versions) stores them.
	bodies := []string{
		`{"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":"2025-01-01T00:00:00Z"},"name":[{"family":"Trần"}]}`,
		`{"resourceType":"Patient","id":"p1","meta":{"versionId":"2","lastUpdated":"2025-01-02T00:00:00Z"},"name":[{"family":"Trần","given":["Thị"]}]}`,
	}
	stmts := []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO resources (rid, type, id, version, ts, deleted, kinds, pkey) VALUES (1, 'Patient', 'p1', 2, 1735776000000000, 0, 0, 'p1')", nil},
		{"INSERT INTO versions (seq, rid, type, id, version, ts, deleted, pkey, json) VALUES (1, 1, 'Patient', 'p1', 1, 1735689600000000, 0, 'p1', ?)", []any{[]byte(bodies[0])}},
		{"INSERT INTO versions (seq, rid, type, id, version, ts, deleted, pkey, json) VALUES (2, 1, 'Patient', 'p1', 2, 1735776000000000, 0, 'p1', ?)", []any{[]byte(bodies[1])}},
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s.sql, s.args...); err != nil {
			t.Fatalf("seed the old schema: %v", err)
		}
	}
	db.Close()

	if out, err := runCmd(t, "check", "--data-dir", dir); err != nil {
		t.Fatalf("sen check on the previous schema: %v\n%s", err, out)
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("open the upgraded store: %v", err)
	}
	defer st.Close()
	for i, want := range bodies {
		r, err := st.VRead(ctx, "Patient", "p1", int64(i+1))
		if err != nil {
			t.Fatalf("vread version %d: %v", i+1, err)
		}
		if string(r.JSON) != want {
			t.Errorf("version %d after the upgrade:\n got %s\nwant %s", i+1, r.JSON, want)
		}
	}

	db, err = sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got int64
	if err := db.QueryRowContext(ctx, "SELECT MAX(version_id) FROM goose_db_version WHERE is_applied").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != latest {
		t.Errorf("schema version %d after opening, want %d", got, latest)
	}
}
