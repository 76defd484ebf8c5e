package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/sen-emr/sen/internal/store"
)

// TypeScanner is the optional streaming capability viewrun uses
// (viewrun.TypeScanner); stores that have it are checked by Run.
type TypeScanner interface {
	ScanType(ctx context.Context, typ string, fn func(body []byte) error) error
}

// testScanType: ScanType yields exactly the current, non-deleted bodies of
// one type, and stops with fn's error.
func testScanType(t *testing.T, s store.Store) {
	sc, ok := s.(TypeScanner)
	if !ok {
		t.Skip("store has no ScanType")
	}
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		put(t, s, store.Write{Type: "Patient", ID: id, JSON: body("Patient", id, `"active":true`)})
	}
	put(t, s, store.Write{Type: "Patient", ID: "b", JSON: body("Patient", "b", `"active":false`)})
	if _, err := del(s, "Patient", "c", 0); err != nil {
		t.Fatalf("delete: %v", err)
	}
	put(t, s, store.Write{Type: "Observation", ID: "o", JSON: body("Observation", "o", `"status":"final"`)})

	var got []string
	err := sc.ScanType(ctx, "Patient", func(b []byte) error {
		id, vid := idOf(t, b)
		got = append(got, id+"/"+vid)
		return nil
	})
	if err != nil {
		t.Fatalf("ScanType: %v", err)
	}
	slices.Sort(got)
	if want := []string{"a/1", "b/2"}; !slices.Equal(got, want) {
		t.Errorf("ScanType(Patient) got %v, want %v", got, want)
	}

	stop := errors.New("stop")
	n := 0
	err = sc.ScanType(ctx, "Patient", func([]byte) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("ScanType with a failing fn: got %v after %d calls, want stop after 1", err, n)
	}
	if err := sc.ScanType(ctx, "Encounter", func([]byte) error { t.Error("called for an empty type"); return nil }); err != nil {
		t.Errorf("ScanType(Encounter): %v", err)
	}
}

// idOf decodes id and meta.versionId of a stored body.
func idOf(tb testing.TB, b []byte) (id, versionID string) {
	tb.Helper()
	var h struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		tb.Fatalf("stored JSON is invalid: %v\n%s", err, b)
	}
	vid, _ := metaOf(tb, b)
	return h.ID, vid
}
