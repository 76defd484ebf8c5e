package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Expunger is the physical removal a backend offers to the retention
// purge (record.Expunger): every version of typ/id and its index and
// compartment rows, in one transaction. Removing an absent resource is
// not an error.
type Expunger interface {
	Expunge(ctx context.Context, typ, id string) error
}

// Expunge runs the physical-removal contract against stores from newStore,
// which must implement Expunger.
func Expunge(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	open := func(t *testing.T) (store.Store, Expunger) {
		t.Helper()
		s := newStore(t)
		x, ok := s.(Expunger)
		if !ok {
			t.Fatalf("%T does not implement Expunge", s)
		}
		return s, x
	}
	obs := func(id, code, patient string) store.Write {
		return store.Write{Type: "Observation", ID: id, JSON: body("Observation", id, `"status":"final","code":{"text":"`+code+`"}`),
			Index: search.Indexed{Entries: []search.Entry{tokenE("code", "http://loinc.org", code), refE("subject", "Patient", patient),
				strE("code-text", code, code), instE("date", "2020-03-01T08:00:00Z")}, Patients: []string{patient}}}
	}
	byCode := func(code string) *search.Query {
		return &search.Query{Type: "Observation", Clauses: []search.Clause{tokC("code", "", "", code)}}
	}
	inPatient := func(p string) *search.Query {
		return &search.Query{Type: "Observation", Compartment: &search.Compartment{Type: "Patient", ID: p}}
	}
	// gone checks that nothing of Observation/id can be read any more.
	gone := func(t *testing.T, s store.Store, id string, versions int64) {
		t.Helper()
		if _, err := s.Read(ctx, "Observation", id); fhir.KindOf(err) != fhir.KindNotFound {
			t.Errorf("read after expunge: err %v (kind %d), want not found (not gone: no delete version is left)", err, fhir.KindOf(err))
		}
		for v := int64(1); v <= versions; v++ {
			if _, err := s.VRead(ctx, "Observation", id, v); fhir.KindOf(err) != fhir.KindNotFound {
				t.Errorf("vread version %d after expunge: err %v, want not found", v, err)
			}
		}
		p, err := s.History(ctx, store.HistoryQuery{Type: "Observation", ID: id})
		if err == nil && len(p.Resources) > 0 {
			t.Errorf("instance history after expunge has %d versions, want none", len(p.Resources))
		} else if err != nil && fhir.KindOf(err) != fhir.KindNotFound {
			t.Errorf("instance history after expunge: %v", err)
		}
		for _, q := range []store.HistoryQuery{{Type: "Observation"}, {}} {
			p, err := s.History(ctx, q)
			if err != nil {
				t.Fatalf("history %+v: %v", q, err)
			}
			for _, r := range p.Resources {
				if r.Type == "Observation" && r.ID == id {
					t.Errorf("history %q still lists Observation/%s version %d", q.Type, id, r.VersionID)
				}
			}
		}
	}

	t.Run("LiveWithHistory", func(t *testing.T) {
		s, x := open(t)
		put(t, s, obs("o1", "8480-6", "p1"))
		put(t, s, obs("o1", "8480-6", "p1"))
		put(t, s, obs("o1", "8462-4", "p1"))
		put(t, s, obs("o2", "8462-4", "p1"))
		put(t, s, obs("o3", "8480-6", "p2"))
		if err := x.Expunge(ctx, "Observation", "o1"); err != nil {
			t.Fatalf("expunge: %v", err)
		}
		gone(t, s, "o1", 3)
		assertIDs(t, s, byCode("8462-4"), []string{"o2"})
		assertIDs(t, s, inPatient("p1"), []string{"o2"})
		assertIDs(t, s, &search.Query{Type: "Observation", Clauses: []search.Clause{{Param: "_id", Type: search.TypeToken,
			Values: []search.Value{{Raw: "o1", Code: "o1"}}}}}, nil)
		// The neighbours keep every version and index entry.
		if r, err := s.Read(ctx, "Observation", "o2"); err != nil || r.VersionID != 1 {
			t.Errorf("Observation/o2 after expunging o1: %v, %v", r, err)
		}
		assertIDs(t, s, byCode("8480-6"), []string{"o3"})
		assertIDs(t, s, inPatient("p2"), []string{"o3"})
		check(t, s)
	})

	t.Run("Deleted", func(t *testing.T) {
		s, x := open(t)
		put(t, s, obs("d1", "8480-6", "p1"))
		if _, err := del(s, "Observation", "d1", 0); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := s.Read(ctx, "Observation", "d1"); fhir.KindOf(err) != fhir.KindGone {
			t.Fatalf("read of a deleted resource: %v, want gone", err)
		}
		if err := x.Expunge(ctx, "Observation", "d1"); err != nil {
			t.Fatalf("expunge: %v", err)
		}
		gone(t, s, "d1", 2)
		check(t, s)
	})

	t.Run("RecreatedAtVersionOne", func(t *testing.T) {
		s, x := open(t)
		put(t, s, obs("r1", "8480-6", "p1"))
		put(t, s, obs("r1", "8480-6", "p1"))
		if err := x.Expunge(ctx, "Observation", "r1"); err != nil {
			t.Fatalf("expunge: %v", err)
		}
		got := put(t, s, obs("r1", "8310-5", "p3"))
		if got.VersionID != 1 {
			t.Errorf("re-created version %d, want 1", got.VersionID)
		}
		p, err := s.History(ctx, store.HistoryQuery{Type: "Observation", ID: "r1"})
		if err != nil || len(p.Resources) != 1 {
			t.Errorf("history of the re-created resource: %v, %v; want one version", p, err)
		}
		assertIDs(t, s, byCode("8480-6"), nil)
		assertIDs(t, s, byCode("8310-5"), []string{"r1"})
		assertIDs(t, s, inPatient("p1"), nil)
		check(t, s)
	})

	t.Run("AbsentAndInvalid", func(t *testing.T) {
		s, x := open(t)
		put(t, s, obs("keep", "8480-6", "p1"))
		cases := []struct {
			name, typ, id string
			kind          fhir.Kind // 0: no error
		}{
			{"absent id", "Observation", "nothing", 0},
			{"same id, other type", "Patient", "keep", 0},
			{"empty type", "", "keep", fhir.KindInvalid},
			{"bad id", "Observation", "no/slash", fhir.KindInvalid},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := x.Expunge(ctx, c.typ, c.id)
				if c.kind == 0 && err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if c.kind != 0 {
					wantKind(t, err, c.kind)
				}
			})
		}
		if r, err := s.Read(ctx, "Observation", "keep"); err != nil || r.VersionID != 1 {
			t.Errorf("Observation/keep: %v, %v; want version 1 untouched", r, err)
		}
		check(t, s)
	})

	t.Run("ConcurrentWithWrites", func(t *testing.T) {
		s, x := open(t)
		const n = 8
		for i := range n {
			put(t, s, obs(seqID("x", i), "8480-6", "p1"))
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range n {
			wg.Add(2)
			go func() { defer wg.Done(); errs <- x.Expunge(ctx, "Observation", seqID("x", i)) }()
			go func() { defer wg.Done(); _, err := tryPut(s, obs(seqID("y", i), "8480-6", "p1")); errs <- err }()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent expunge/put: %v", err)
			}
		}
		want := make([]string, 0, n)
		for i := range n {
			want = append(want, seqID("y", i))
		}
		assertIDs(t, s, &search.Query{Type: "Observation", Count: 100}, want)
		check(t, s)
	})
}

func seqID(prefix string, i int) string { return prefix + string(rune('a'+i)) }
