package sqlite

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// obsFixture is one Observation of TestDrivenSearch as the test knows it.
type obsFixture struct {
	id      string
	codes   []string // LOINC codes of code.coding (a code may repeat)
	status  string
	patient string
}

func (o obsFixture) json() string {
	var cs []string
	for _, c := range o.codes {
		cs = append(cs, fmt.Sprintf(`{"system":"http://loinc.org","code":%q}`, c))
	}
	return fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":%q,"code":{"coding":[%s]},"subject":{"reference":"Patient/%s"}}`,
		o.id, o.status, strings.Join(cs, ","), o.patient)
}

// TestDrivenSearch checks the searches sqlstore drives from one index
// clause (drive.go: index-only counts, rid bounds and LIMIT pushed into the
// clause) against answers computed here from the fixtures: repeated codes
// (several index rows per resource), deleted and updated resources,
// another type with the same codes, and more clauses, a compartment and OR
// values beside the driving one; every page size walked forward by Next
// and back by Prev.
func TestDrivenSearch(t *testing.T) {
	ctx := context.Background()
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		t.Fatal(err)
	}
	db := openTest(t, "")
	put := func(typ, id, body string) {
		t.Helper()
		idx, err := ix.Index(typ, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, func(tx store.Tx) error {
			_, err := tx.Put(ctx, store.Write{Type: typ, ID: id, JSON: []byte(body), Index: idx})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"p1", "p2"} {
		put("Patient", p, `{"resourceType":"Patient","id":"`+p+`"}`)
	}
	var obs []obsFixture
	for i := 1; i <= 20; i++ {
		o := obsFixture{id: fmt.Sprintf("o%02d", i), codes: []string{"A"}, status: "final", patient: "p1"}
		if i%3 == 0 {
			o.codes = []string{"B"}
		}
		if i%2 == 1 {
			o.status = "preliminary"
		}
		if i > 10 {
			o.patient = "p2"
		}
		switch i {
		case 5:
			o.codes = []string{"A", "A"} // two index rows for one resource
		case 7:
			o.codes = []string{"A", "B"}
		}
		obs = append(obs, o)
		put("Observation", o.id, o.json())
		if i == 4 {
			put("Condition", "c1", `{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://loinc.org","code":"A"}]},"subject":{"reference":"Patient/p1"}}`)
		}
	}
	// o02 deleted; o04 changes from A to B; o06 from B to A.
	if err := db.Update(ctx, func(tx store.Tx) error { _, err := tx.Delete(ctx, "Observation", "o02", 0); return err }); err != nil {
		t.Fatal(err)
	}
	obs = slices.DeleteFunc(obs, func(o obsFixture) bool { return o.id == "o02" })
	for i := range obs {
		switch obs[i].id {
		case "o04":
			obs[i].codes = []string{"B"}
		case "o06":
			obs[i].codes = []string{"A"}
		default:
			continue
		}
		put("Observation", obs[i].id, obs[i].json())
	}

	tests := []struct {
		query   string
		patient string // compartment
		match   func(o obsFixture) bool
	}{
		{"code=A", "", func(o obsFixture) bool { return slices.Contains(o.codes, "A") }},
		{"code=http://loinc.org|B", "", func(o obsFixture) bool { return slices.Contains(o.codes, "B") }},
		{"code=A,B", "", func(o obsFixture) bool { return true }},
		{"code=A&status=final", "", func(o obsFixture) bool { return slices.Contains(o.codes, "A") && o.status == "final" }},
		{"status=final&code=A", "", func(o obsFixture) bool { return slices.Contains(o.codes, "A") && o.status == "final" }},
		{"code=A&patient=Patient/p2", "", func(o obsFixture) bool { return slices.Contains(o.codes, "A") && o.patient == "p2" }},
		{"code=A", "p1", func(o obsFixture) bool { return slices.Contains(o.codes, "A") && o.patient == "p1" }},
		{"code=A&status:not=final", "", func(o obsFixture) bool { return slices.Contains(o.codes, "A") && o.status != "final" }},
		{"code=Z", "", func(o obsFixture) bool { return false }},
	}
	for _, tt := range tests {
		var want []string
		for _, o := range obs {
			if tt.match(o) {
				want = append(want, o.id)
			}
		}
		for _, count := range []int{1, 3, 100} {
			t.Run(fmt.Sprintf("%s/%s/_count=%d", tt.patient, tt.query, count), func(t *testing.T) {
				params, err := url.ParseQuery(tt.query)
				if err != nil {
					t.Fatal(err)
				}
				parse := func(extra url.Values) *search.Query {
					t.Helper()
					for k, v := range extra {
						params[k] = v
					}
					sq, err := search.ParseQuery(model, "Observation", params, true)
					if err != nil {
						t.Fatal(err)
					}
					if tt.patient != "" {
						sq.Compartment = &search.Compartment{Type: "Patient", ID: tt.patient}
					}
					return sq
				}
				page, err := db.Search(ctx, parse(url.Values{"_summary": {"count"}}))
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != len(want) {
					t.Errorf("_summary=count: total %d, want %d", page.Total, len(want))
				}
				delete(params, "_summary")
				sq := parse(url.Values{"_count": {fmt.Sprint(count)}})
				var got []string
				var pages []*store.Page
				for {
					page, err := db.Search(ctx, sq)
					if err != nil {
						t.Fatal(err)
					}
					if page.Total != len(want) {
						t.Errorf("page %d: total %d, want %d", len(pages)+1, page.Total, len(want))
					}
					if len(page.Resources) > count {
						t.Fatalf("page of %d resources, _count=%d", len(page.Resources), count)
					}
					for _, r := range page.Resources {
						got = append(got, r.ID)
					}
					pages = append(pages, page)
					if page.Next == "" || len(pages) > len(want)+1 {
						break
					}
					sq.Cursor = page.Next
				}
				if !slices.Equal(got, want) {
					t.Fatalf("forward: got %v, want %v", got, want)
				}
				// Back from the last page by Prev links.
				var back []string
				for i, prev := len(pages)-1, pages[len(pages)-1].Prev; prev != ""; i-- {
					sq.Cursor = prev
					page, err := db.Search(ctx, sq)
					if err != nil {
						t.Fatal(err)
					}
					var ids []string
					for _, r := range page.Resources {
						ids = append(ids, r.ID)
					}
					back = append(ids, back...)
					if i == 0 {
						t.Fatal("more Prev pages than Next pages")
					}
					prev = page.Prev
				}
				if len(pages) > 1 {
					last := len(pages[len(pages)-1].Resources)
					if !slices.Equal(back, want[:len(want)-last]) {
						t.Errorf("backward: got %v, want %v", back, want[:len(want)-last])
					}
				}
			})
		}
	}
}
