package storetest

import (
	"compress/bzip2"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

var (
	indexerOnce sync.Once
	indexer     *search.Indexer
	indexerErr  error
)

func sharedIndexer(tb testing.TB) *search.Indexer {
	tb.Helper()
	indexerOnce.Do(func() { indexer, indexerErr = search.NewIndexer(r4.Load()) })
	if indexerErr != nil {
		tb.Fatalf("indexer: %v", indexerErr)
	}
	return indexer
}

var urnRef = regexp.MustCompile(`"urn:uuid:[0-9a-fA-F-]+"`)

// SyntheaBundles reads up to n patient bundles (in name order) from the
// shared Synthea folder and returns one slice of writes per bundle, with
// urn:uuid references rewritten to Type/id as the transaction layer does and
// index entries computed by search.Indexer.
func SyntheaBundles(tb testing.TB, n int) [][]store.Write {
	tb.Helper()
	shared := RequireShared(tb)
	files, _ := filepath.Glob(filepath.Join(shared, "fhir", "synthea", "*.json.bz2"))
	sort.Strings(files)
	ix := sharedIndexer(tb)
	var out [][]store.Write
	for _, f := range files {
		if len(out) == n {
			break
		}
		if strings.HasPrefix(filepath.Base(f), "0-") {
			continue // hospital and practitioner batches
		}
		fh, err := os.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		var b struct {
			Entry []struct {
				FullURL  string          `json:"fullUrl"`
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		err = json.NewDecoder(bzip2.NewReader(fh)).Decode(&b)
		fh.Close()
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		type head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		heads := make([]head, len(b.Entry))
		local := make(map[string]string, len(b.Entry))
		for i, e := range b.Entry {
			if err := json.Unmarshal(e.Resource, &heads[i]); err != nil {
				tb.Fatalf("%s: %v", f, err)
			}
			local[e.FullURL] = heads[i].ResourceType + "/" + heads[i].ID
		}
		ws := make([]store.Write, 0, len(b.Entry))
		for i, e := range b.Entry {
			raw := urnRef.ReplaceAllFunc(e.Resource, func(m []byte) []byte {
				if r, ok := local[string(m[1:len(m)-1])]; ok {
					return []byte(`"` + r + `"`)
				}
				return m
			})
			idx, err := ix.Index(heads[i].ResourceType, raw)
			if err != nil {
				tb.Fatalf("%s: index %s/%s: %v", f, heads[i].ResourceType, heads[i].ID, err)
			}
			ws = append(ws, store.Write{Type: heads[i].ResourceType, ID: heads[i].ID, JSON: raw, Index: idx})
		}
		out = append(out, ws)
	}
	return out
}

// Synthea loads a few Synthea patients through Indexer + Put (one
// transaction per bundle) and checks counts per type, read-back equality
// and a few searches over real index entries.
func Synthea(t *testing.T, newStore NewStore) {
	bundles := SyntheaBundles(t, 3)
	s := newStore(t)
	ctx := context.Background()
	wantTypes := map[string]int{}
	for _, ws := range bundles {
		load(t, s, ws)
		for _, w := range ws {
			wantTypes[w.Type]++
		}
	}
	for typ, want := range wantTypes {
		p, err := s.Search(ctx, &search.Query{Type: typ, Summary: "count"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != want {
			t.Errorf("%s: %d stored, want %d", typ, p.Total, want)
		}
	}
	for _, ws := range bundles {
		for _, w := range ws {
			r, err := s.Read(ctx, w.Type, w.ID)
			if err != nil {
				t.Fatalf("read %s/%s: %v", w.Type, w.ID, err)
			}
			if !sameButMeta(t, r.JSON, w.JSON) {
				t.Fatalf("%s/%s read back differs:\n%s\nwant\n%s", w.Type, w.ID, r.JSON, w.JSON)
			}
		}
	}
	// Searches over the extracted entries agree with the input.
	patient := bundles[0][0]
	if patient.Type != "Patient" {
		t.Fatalf("first entry is %s, want the Patient", patient.Type)
	}
	wantObs := 0
	for _, w := range bundles[0] {
		if w.Type == "Observation" {
			wantObs++
		}
	}
	for _, q := range []*search.Query{
		{Type: "Observation", Compartment: &search.Compartment{Type: "Patient", ID: patient.ID}, Summary: "count"},
		{Type: "Observation", Summary: "count", Clauses: []search.Clause{{Param: "subject", Type: search.TypeReference,
			Values: []search.Value{{Raw: "Patient/" + patient.ID, RefType: "Patient", RefID: patient.ID}}}}},
		{Type: "Observation", Summary: "count", Clauses: []search.Clause{{Param: "subject", Type: search.TypeReference,
			Chain: &search.Chained{TargetType: "Patient", Clause: search.Clause{Param: "_id", Values: []search.Value{{Raw: patient.ID}}}}}}},
	} {
		p, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != wantObs {
			t.Errorf("observations of the first patient: got %d, want %d", p.Total, wantObs)
		}
	}
	check(t, s)
}

// sameButMeta compares two resource bodies ignoring meta.versionId and
// meta.lastUpdated (set by the store).
func sameButMeta(tb testing.TB, got, want []byte) bool {
	tb.Helper()
	var g, w map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		tb.Fatalf("stored JSON invalid: %v", err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		tb.Fatalf("input JSON invalid: %v", err)
	}
	for _, m := range []map[string]any{g, w} {
		if meta, ok := m["meta"].(map[string]any); ok {
			delete(meta, "versionId")
			delete(meta, "lastUpdated")
			if len(meta) == 0 {
				delete(m, "meta")
			}
		}
	}
	return reflect.DeepEqual(g, w)
}
