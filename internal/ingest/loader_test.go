package ingest_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/ingest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/synth"
)

// TestLoadSynthetic loads a small synthetic population and checks that
// every generated resource reads back with the same content and a version.
func TestLoadSynthetic(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ix, err := search.NewIndexer(r4.Load())
	if err != nil {
		t.Fatal(err)
	}
	gen := synth.New(synth.Config{Seed: 7, Patients: 40, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	var bodies [][]byte
	if err := gen.Run(func(b []byte) error { bodies = append(bodies, b); return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, b := range bodies {
		var h struct{ ResourceType string }
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatal(err)
		}
		want[h.ResourceType]++
	}
	progressCalls := 0
	l := ingest.Loader{Store: st, Indexer: ix, Batch: 97, Progress: func(int) { progressCalls++ }}
	stats, err := l.Load(ctx, ingest.FromSlice(bodies))
	if err != nil {
		t.Fatal(err)
	}
	if stats.Written != len(bodies) {
		t.Errorf("written %d, want %d", stats.Written, len(bodies))
	}
	for typ, n := range want {
		if stats.ByType[typ] != n {
			t.Errorf("%s: written %d, want %d", typ, stats.ByType[typ], n)
		}
	}
	if wantCalls := (len(bodies) + 96) / 97; progressCalls != wantCalls {
		t.Errorf("progress called %d times, want %d", progressCalls, wantCalls)
	}
	for _, b := range bodies[:50] {
		var sent map[string]any
		_ = json.Unmarshal(b, &sent)
		typ, id := sent["resourceType"].(string), sent["id"].(string)
		got, err := st.Read(ctx, typ, id)
		if err != nil {
			t.Fatalf("read %s/%s: %v", typ, id, err)
		}
		var back map[string]any
		if err := json.Unmarshal(got.JSON, &back); err != nil {
			t.Fatal(err)
		}
		delete(back, "meta")
		delete(sent, "meta")
		gb, _ := json.Marshal(back)
		sb, _ := json.Marshal(sent)
		if string(gb) != string(sb) {
			t.Errorf("%s/%s read back differs:\n got %s\nwant %s", typ, id, gb, sb)
		}
		if got.VersionID != 1 {
			t.Errorf("%s/%s version %d, want 1", typ, id, got.VersionID)
		}
	}
}

// TestLoadStopsOnBadResource checks that a resource without an id stops
// the load with an error naming its position.
func TestLoadStopsOnBadResource(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ix, err := search.NewIndexer(r4.Load())
	if err != nil {
		t.Fatal(err)
	}
	inputs := [][]byte{
		[]byte(`{"resourceType":"Patient","id":"a"}`),
		[]byte(`{"resourceType":"Patient"}`),
		[]byte(`{"resourceType":"Patient","id":"c"}`),
	}
	l := ingest.Loader{Store: st, Indexer: ix}
	_, err = l.Load(ctx, ingest.FromSlice(inputs))
	if err == nil {
		t.Fatal("load succeeded, want an error for the resource without id")
	}
	if want := "resource #2"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %q", err, want)
	}
}

// TestSources checks that both sources yield their items in order, then
// the end (nil, nil), and keep answering the end.
func TestSources(t *testing.T) {
	items := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	ch := make(chan []byte, len(items))
	for _, b := range items {
		ch <- b
	}
	close(ch)
	for name, next := range map[string]func() ([]byte, error){
		"slice": ingest.FromSlice(items),
		"chan":  ingest.FromChan(ch),
	} {
		var got []string
		for {
			b, err := next()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if b == nil {
				break
			}
			got = append(got, string(b))
		}
		if strings.Join(got, "") != "abc" {
			t.Errorf("%s: got %q, want a b c", name, got)
		}
		if b, err := next(); b != nil || err != nil {
			t.Errorf("%s: after the end got (%q, %v), want (nil, nil)", name, b, err)
		}
	}
}
