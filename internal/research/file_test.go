package research

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
)

func TestFileRequests(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "research-requests.json")
	f := &FileRequests{Path: path}
	if _, err := f.Get(ctx, "a"); fhir.KindOf(err) != fhir.KindNotFound {
		t.Fatalf("get from a missing file: %v, want not found", err)
	}
	want := Request{ID: "a", Researcher: "Practitioner/r1", Purpose: "p", Types: []string{"Patient"}, Status: StatusApproved}
	if err := f.Put(ctx, &want); err != nil {
		t.Fatal(err)
	}
	// A second FileRequests on the same path (the next sen research run)
	// sees it.
	got, err := (&FileRequests{Path: path}).Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got.Researcher != want.Researcher || got.Status != want.Status || len(got.Types) != 1 {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if l, _ := f.List(ctx); len(l) != 1 {
		t.Errorf("list %v", l)
	}
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get(ctx, "a"); err == nil || !strings.Contains(err.Error(), "not a request file") {
		t.Errorf("corrupt file: %v", err)
	}
}
