package sqlite

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// indexNames lists the database's named indexes.
func indexNames(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	rows, err := db.reader.QueryContext(context.Background(), "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[n] = true
	}
	return out
}

func putPatient(t *testing.T, db *DB, id, family string) {
	t.Helper()
	err := db.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Put(context.Background(), store.Write{Type: "Patient", ID: id,
			JSON:  []byte(`{"resourceType":"Patient","id":"` + id + `","name":[{"family":"` + family + `"}]}`),
			Index: search.Indexed{Entries: []search.Entry{{Param: "family", Type: search.TypeString, Value: family, Norm: search.Normalize(family)}}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBulkDefersIndexes: a bulk load on a small database drops the search
// indexes and finish builds them; a load that dies before finish has them
// built by the next Open; a big database keeps its indexes.
func TestBulkDefersIndexes(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name     string
		existing int
		finish   bool // false: the process "dies" before finish
		dropped  bool
	}{
		{"empty database, finished", 0, true, true},
		{"empty database, interrupted", 0, false, true},
		{"database over the limit keeps its indexes", 3, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sen.db")
			db, err := Open(ctx, path, Options{BulkMaxResources: 2})
			if err != nil {
				t.Fatal(err)
			}
			before := indexNames(t, db)
			if !before["idx_string_search"] || !before["idx_token_search"] {
				t.Fatalf("fresh schema lacks search indexes: %v", before)
			}
			for i := range c.existing {
				putPatient(t, db, "old"+string(rune('a'+i)), "Trần")
			}
			finish, err := db.BeginBulk(ctx)
			if err != nil {
				t.Fatal(err)
			}
			during := indexNames(t, db)
			if got := !during["idx_string_search"]; got != c.dropped {
				t.Fatalf("idx_string_search dropped = %v, want %v", got, c.dropped)
			}
			if !during["resources_type_id"] || !during["versions_rid_version"] {
				t.Fatal("a unique index the writes rely on was dropped")
			}
			putPatient(t, db, "new", "Nguyễn")
			if c.finish {
				if err := finish(ctx); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			db, err = Open(ctx, path, Options{BulkMaxResources: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			after := indexNames(t, db)
			for n := range before {
				if !after[n] {
					t.Errorf("index %s missing after the load", n)
				}
			}
			q, err := search.ParseQuery(r4.Load(), "Patient", url.Values{"family": {"nguyen"}}, false)
			if err != nil {
				t.Fatal(err)
			}
			page, err := db.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Resources) != 1 || page.Resources[0].ID != "new" {
				t.Fatalf("search after the load: %+v", page.Resources)
			}
		})
	}
}
