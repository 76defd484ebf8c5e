package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// testPaging: cursors walk a result exactly once, forward and back, and
// are stable under concurrent writes (new resources do not appear, none is
// skipped or repeated).
func testPaging(t *testing.T, s store.Store) {
	var ws []store.Write
	for i := 0; i < 11; i++ {
		id := fmt.Sprintf("pg%02d", i)
		// Scores repeat so that sort ties are broken by the row id.
		ws = append(ws, store.Write{Type: "Basic", ID: id, JSON: body("Basic", id, ""),
			Index: search.Indexed{Entries: []search.Entry{numE("score", float64(i%4), 0.5), tokenE("code", "", "x")}}})
	}
	load(t, s, ws)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		sort []search.SortKey
	}{
		{"insertion order", nil},
		{"number desc with ties", []search.SortKey{{Param: "score", Type: search.TypeNumber, Descending: true}}},
		{"number asc then _id desc", []search.SortKey{{Param: "score", Type: search.TypeNumber}, {Param: "_id", Descending: true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := search.Query{Type: "Basic", Clauses: []search.Clause{tokC("code", "", "", "x")}, Sort: c.sort}
			all := base
			all.Count = 100
			whole, err := s.Search(ctx, &all)
			if err != nil {
				t.Fatal(err)
			}
			want := ids(whole.Resources)
			if len(want) != 11 || whole.Next != "" {
				t.Fatalf("one page holds %d resources (next %q), want 11", len(want), whole.Next)
			}
			var got []string
			var pages []*store.Page
			pq := base
			pq.Count = 3
			for i := 0; ; i++ {
				p, err := s.Search(ctx, &pq)
				if err != nil {
					t.Fatal(err)
				}
				if p.Total != 11 {
					t.Errorf("page %d total %d, want 11", i, p.Total)
				}
				pages = append(pages, p)
				got = append(got, ids(p.Resources)...)
				if i == 0 {
					// Concurrent writes between pages: a new match must not
					// appear, nor shift the pages.
					id := fmt.Sprintf("new%d", len(c.sort))
					put(t, s, store.Write{Type: "Basic", ID: id, JSON: body("Basic", id, ""),
						Index: search.Indexed{Entries: []search.Entry{numE("score", 0, 0.5), tokenE("code", "", "x")}}})
					defer del(s, "Basic", id, 0)
				}
				if p.Next == "" {
					break
				}
				if i > 10 {
					t.Fatal("paging does not end")
				}
				pq.Cursor = p.Next
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("pages gave %v, want %v", got, want)
			}
			if len(pages) != 4 {
				t.Fatalf("%d pages, want 4", len(pages))
			}
			// Walk back from the last page.
			for i := len(pages) - 1; i > 0; i-- {
				pq.Cursor = pages[i].Prev
				if pq.Cursor == "" {
					t.Fatalf("page %d has no Prev", i)
				}
				p, err := s.Search(ctx, &pq)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := ids(p.Resources), ids(pages[i-1].Resources); strings.Join(g, ",") != strings.Join(w, ",") {
					t.Errorf("prev of page %d = %v, want %v", i, g, w)
				}
				if i == 1 && p.Prev != "" {
					t.Error("the first page reached backwards has a Prev")
				}
			}
			// The cursor cannot be replayed on another query.
			other := base
			other.Type = "Patient"
			other.Cursor = pages[1].Next
			_, err = s.Search(ctx, &other)
			wantKind(t, err, fhir.KindInvalid)
		})
	}
	t.Run("offset", func(t *testing.T) {
		p, err := s.Search(ctx, &search.Query{Type: "Basic", Count: 2, Offset: 9, Clauses: []search.Clause{idC("pg00", "pg01", "pg02", "pg03", "pg04", "pg05", "pg06", "pg07", "pg08", "pg09", "pg10")}})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(p.Resources); strings.Join(got, ",") != "pg09,pg10" || p.Next != "" {
			t.Errorf("offset 9 gave %v (next %q), want [pg09 pg10] and no next", got, p.Next)
		}
	})
}

// testSearchAfterWrites: updates replace a resource's index entries and
// deletes remove them.
func testSearchAfterWrites(t *testing.T, s store.Store) {
	load(t, s, fixture())
	// p3 renamed: the old name no longer matches, the new one does.
	put(t, s, store.Write{Type: "Patient", ID: "p3", JSON: body("Patient", "p3", ""),
		Index: search.Indexed{Entries: []search.Entry{strE("name", "Hoàng", "hoang"), tokenE("gender", gender, "male")}, Patients: []string{"p3"}}})
	assertIDs(t, s, q("Patient", strC("name", "", "le")), nil)
	assertIDs(t, s, q("Patient", strC("name", "", "hoang")), []string{"p3"})
	assertIDs(t, s, q("Patient", dayC("birthdate", "", "2001-01-01")), nil)
	// obs2 deleted: gone from searches, includes and compartments.
	if _, err := del(s, "Observation", "obs2", 0); err != nil {
		t.Fatal(err)
	}
	assertIDs(t, s, q("Observation", tokC("code", "", "", "29463-7")), nil)
	assertIDs(t, s, q("Observation"), []string{"obs1", "obs3"})
	assertIDs(t, s, &search.Query{Type: "Observation", Compartment: &search.Compartment{Type: "Patient", ID: "p1"}}, []string{"obs1"})
	p := assertIDs(t, s, &search.Query{Type: "Patient", Clauses: []search.Clause{idC("p1")},
		RevInclude: []search.Include{{Source: "Observation", Param: "subject"}}}, []string{"p1"})
	if len(p.Included) != 1 || p.Included[0].ID != "obs1" {
		t.Errorf("revinclude after delete: %v", ids(p.Included))
	}
	// A deleted target is not included and breaks chains.
	if _, err := del(s, "Patient", "p2", 0); err != nil {
		t.Fatal(err)
	}
	p = assertIDs(t, s, &search.Query{Type: "Observation", Clauses: []search.Clause{idC("obs3")},
		Include: []search.Include{{Source: "Observation", Param: "subject"}}}, []string{"obs3"})
	if len(p.Included) != 0 {
		t.Errorf("a deleted resource was included: %v", ids(p.Included))
	}
	assertIDs(t, s, q("Observation", search.Clause{Param: "subject", Type: search.TypeReference,
		Chain: &search.Chained{TargetType: "Patient", Clause: strC("name", "", "binh")}}), nil)
	// Recreated: searchable again with its new entries.
	put(t, s, store.Write{Type: "Observation", ID: "obs2", JSON: body("Observation", "obs2", ""),
		Index: search.Indexed{Entries: []search.Entry{tokenE("code", loinc, "1234-5")}, Patients: []string{"p1"}}})
	assertIDs(t, s, q("Observation", tokC("code", "", "", "1234-5")), []string{"obs2"})
	check(t, s)
}
