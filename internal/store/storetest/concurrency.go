package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// testConcurrentUpdates: writers doing read-modify-write with If-Match must
// never lose an update, and the version history must have no gaps.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	ctx := context.Background()
	put(t, s, store.Write{Type: "Basic", ID: "counter", JSON: body("Basic", "counter", `"n":0`)})
	const workers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; {
				err := s.Update(ctx, func(tx store.Tx) error {
					cur, err := tx.Read(ctx, "Basic", "counter")
					if err != nil {
						return err
					}
					_, err = tx.Put(ctx, store.Write{Type: "Basic", ID: "counter", IfMatch: cur.VersionID,
						JSON: body("Basic", "counter", fmt.Sprintf(`"n":%d,"by":%d`, cur.VersionID, w))})
					return err
				})
				switch fhir.KindOf(err) {
				case fhir.KindPrecondition:
					continue // lost the race: retry with a fresh read
				case fhir.KindInternal:
					if err != nil {
						errs <- err
						return
					}
				default:
					errs <- err
					return
				}
				i++
			}
		}(w)
	}
	// Plain overwrites (no If-Match) racing on another resource.
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := tryPut(s, store.Write{Type: "Basic", ID: "blind", JSON: body("Basic", "blind", "")}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent writer failed: %v", err)
	}
	for _, c := range []struct {
		id   string
		want int64
	}{{"counter", workers*each + 1}, {"blind", workers * each}} {
		r, err := s.Read(ctx, "Basic", c.id)
		if err != nil || r.VersionID != c.want {
			t.Fatalf("%s: final version %v (%v), want %d", c.id, r, err, c.want)
		}
		h, err := s.History(ctx, store.HistoryQuery{Type: "Basic", ID: c.id, Count: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Resources) != int(c.want) {
			t.Fatalf("%s: history has %d versions, want %d", c.id, len(h.Resources), c.want)
		}
		for i, v := range h.Resources {
			if want := c.want - int64(i); v.VersionID != want {
				t.Fatalf("%s: history[%d] is version %d, want %d (gap or duplicate)", c.id, i, v.VersionID, want)
			}
		}
	}
	check(t, s)
}

// testConcurrentCreates: of several create-only writers of one id, exactly
// one wins and the others get KindConflict.
func testConcurrentCreates(t *testing.T, s store.Store) {
	const n = 6
	var wg sync.WaitGroup
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := tryPut(s, store.Write{Type: "Patient", ID: "race", CreateOnly: true, JSON: body("Patient", "race", ""),
				Index: search.Indexed{Entries: []search.Entry{tokenE("gender", "", "male")}, Patients: []string{"race"}}})
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	wins := 0
	for err := range results {
		switch fhir.KindOf(err) {
		case fhir.KindInternal:
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			wins++
		case fhir.KindConflict:
		default:
			t.Fatalf("create: unexpected %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d create-only writers succeeded, want 1", wins)
	}
	r, err := s.Read(context.Background(), "Patient", "race")
	if err != nil || r.VersionID != 1 {
		t.Fatalf("read after racing creates: %v, %v", r, err)
	}
	check(t, s)
}
