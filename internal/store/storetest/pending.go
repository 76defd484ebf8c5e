package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// testBundleWrites: index rows written late (at commit or before a read
// that needs them) behave as if written at once: a resource written twice
// in one transaction keeps only its last index rows, one deleted in the same
// transaction none, a search inside the transaction sees them, and a large
// bundle (bulk path, COPY on PostgreSQL) is searchable after commit.
func testBundleWrites(t *testing.T, s store.Store) {
	ctx := context.Background()
	pat := func(id, gender string) store.Write {
		return store.Write{Type: "Patient", ID: id, JSON: body("Patient", id, `"gender":"`+gender+`"`),
			Index: search.Indexed{Entries: []search.Entry{tokenE("gender", "", gender)}, Patients: []string{id}}}
	}
	gender := func(g string) *search.Query { return q("Patient", tokC("gender", "", "", g)) }
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, w := range []store.Write{pat("a", "male"), pat("b", "male"), pat("a", "female")} {
			if _, err := tx.Put(ctx, w); err != nil {
				return err
			}
		}
		if _, err := tx.Delete(ctx, "Patient", "b", 0); err != nil {
			return err
		}
		p, err := tx.Search(ctx, gender("female"))
		if err != nil {
			return err
		}
		if got := ids(p.Resources); len(got) != 1 || got[0] != "a" {
			t.Errorf("search in the transaction: got %v, want [a]", got)
		}
		_, err = tx.Put(ctx, pat("c", "other"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	assertIDs(t, s, gender("male"), nil)
	assertIDs(t, s, gender("female"), []string{"a"})
	assertIDs(t, s, gender("other"), []string{"c"})

	var ws []store.Write
	want := []string{}
	for i := 0; i < 600; i++ {
		id := fmt.Sprintf("bulk%03d", i)
		g := "male"
		if i%3 == 0 {
			g = "unknown"
			want = append(want, id)
		}
		ws = append(ws, pat(id, g))
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		for _, w := range ws {
			if _, err := tx.Put(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Search(ctx, &search.Query{Type: "Patient", Clauses: []search.Clause{tokC("gender", "", "", "unknown")}, Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if got := sorted(ids(page.Resources)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bulk search: got %d resources, want %d", len(got), len(want))
	}
	check(t, s)
}
