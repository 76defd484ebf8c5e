package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/store"
)

type ver struct {
	id string
	v  int64
}

func versions(p *store.Page) []ver {
	var out []ver
	for _, r := range p.Resources {
		out = append(out, ver{r.Type + "/" + r.ID, r.VersionID})
	}
	return out
}

func testHistory(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Writes: A1 B1 A2 C1 A3(delete) B2, with instants recorded between.
	put(t, s, store.Write{Type: "Patient", ID: "A", JSON: body("Patient", "A", "")})
	put(t, s, store.Write{Type: "Patient", ID: "B", JSON: body("Patient", "B", "")})
	a2 := put(t, s, store.Write{Type: "Patient", ID: "A", JSON: body("Patient", "A", `"active":true`)})
	time.Sleep(2 * time.Millisecond)
	mid := time.Now()
	time.Sleep(2 * time.Millisecond)
	put(t, s, store.Write{Type: "Observation", ID: "C", JSON: body("Observation", "C", "")})
	if _, err := del(s, "Patient", "A", 0); err != nil {
		t.Fatal(err)
	}
	put(t, s, store.Write{Type: "Patient", ID: "B", JSON: body("Patient", "B", `"active":true`)})

	cases := []struct {
		name string
		q    store.HistoryQuery
		want []ver
	}{
		{"instance", store.HistoryQuery{Type: "Patient", ID: "A"}, []ver{{"Patient/A", 3}, {"Patient/A", 2}, {"Patient/A", 1}}},
		{"type", store.HistoryQuery{Type: "Patient"}, []ver{{"Patient/B", 2}, {"Patient/A", 3}, {"Patient/A", 2}, {"Patient/B", 1}, {"Patient/A", 1}}},
		{"system", store.HistoryQuery{}, []ver{{"Patient/B", 2}, {"Patient/A", 3}, {"Observation/C", 1}, {"Patient/A", 2}, {"Patient/B", 1}, {"Patient/A", 1}}},
		{"since", store.HistoryQuery{Since: mid}, []ver{{"Patient/B", 2}, {"Patient/A", 3}, {"Observation/C", 1}}},
		{"type since", store.HistoryQuery{Type: "Observation", Since: mid}, []ver{{"Observation/C", 1}}},
		{"at", store.HistoryQuery{At: mid}, []ver{{"Patient/A", 2}, {"Patient/B", 1}}},
		{"instance at", store.HistoryQuery{Type: "Patient", ID: "A", At: mid}, []ver{{"Patient/A", 2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := s.History(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := versions(p); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if p.Total != len(c.want) {
				t.Errorf("total %d, want %d", p.Total, len(c.want))
			}
		})
	}

	t.Run("delete versions", func(t *testing.T) {
		p, err := s.History(ctx, store.HistoryQuery{Type: "Patient", ID: "A"})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Resources[0].Deleted || p.Resources[0].JSON != nil {
			t.Errorf("history[0] = %+v, want a delete without body", p.Resources[0])
		}
		if string(p.Resources[1].JSON) != string(a2.JSON) {
			t.Errorf("history[1] body %s, want %s", p.Resources[1].JSON, a2.JSON)
		}
	})

	t.Run("paging", func(t *testing.T) {
		var got []ver
		q := store.HistoryQuery{Count: 2}
		var pages []*store.Page
		for i := 0; ; i++ {
			p, err := s.History(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, p)
			got = append(got, versions(p)...)
			if i == 0 {
				// A write after the first page must not shift later pages.
				put(t, s, store.Write{Type: "Patient", ID: "late", JSON: body("Patient", "late", "")})
				if p.Prev != "" {
					t.Error("first page has a Prev cursor")
				}
			}
			if p.Next == "" {
				break
			}
			if i > 5 {
				t.Fatal("paging does not end")
			}
			q.Cursor = p.Next
		}
		want := cases[2].want
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("paged history %v, want %v", got, want)
		}
		if len(pages) != 3 {
			t.Fatalf("got %d pages, want 3", len(pages))
		}
		p, err := s.History(ctx, store.HistoryQuery{Count: 2, Cursor: pages[2].Prev})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(versions(p)) != fmt.Sprint(versions(pages[1])) {
			t.Errorf("prev of page 3 = %v, want page 2 %v", versions(p), versions(pages[1]))
		}
		if _, err := s.History(ctx, store.HistoryQuery{Cursor: "not-a-cursor"}); err == nil {
			t.Error("a malformed cursor was accepted")
		}
		if _, err := s.History(ctx, store.HistoryQuery{Type: "Observation", Cursor: pages[1].Next}); err == nil {
			t.Error("a cursor of another query was accepted")
		}
	})

	t.Run("unknown instance", func(t *testing.T) {
		if _, err := s.History(ctx, store.HistoryQuery{Type: "Patient", ID: "nobody"}); err == nil {
			t.Error("history of an unknown resource succeeded")
		}
	})
}
