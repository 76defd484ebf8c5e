package search

import (
	"bytes"
	"compress/bzip2"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

func TestNewIndexerCoversAllParams(t *testing.T) {
	m := r4.Load()
	ix := newTestIndexer(t)
	if got := len(m.AllSearchParams()); got != 1375 {
		t.Fatalf("model has %d search parameters, want 1375", got)
	}
	// Every parameter with an expression is compiled for every base type,
	// except the ones skipParam names.
	for _, sp := range m.AllSearchParams() {
		if skip, _ := skipParam(sp); skip {
			continue
		}
		for _, base := range sp.Base {
			types := []string{base}
			if base == "Resource" || base == "DomainResource" {
				types = []string{"Patient", "Bundle"}
				if base == "DomainResource" {
					types = types[:1]
				}
			}
			for _, rt := range types {
				found := false
				for _, c := range ix.byType[rt] {
					if c.sp == sp {
						found = true
					}
				}
				if !found {
					t.Errorf("%s (%s) not compiled for %s", sp.Code, sp.URL, rt)
				}
			}
		}
	}
	sk := ix.Skipped()
	sort.Strings(sk)
	t.Logf("skipped: %v", sk)
	fast, slow := 0, 0
	for _, list := range ix.byType {
		for _, c := range list {
			if c.ev.expr != nil {
				slow++
			} else {
				fast++
			}
		}
	}
	t.Logf("compiled (type, parameter) pairs: %d fast paths, %d with FHIRPath fallback", fast, slow)
}

// TestFastPathsAgreeWithFHIRPath checks the fast path evaluator against the
// general FHIRPath engine on every example, parameter by parameter: both
// must find the same values. Parameters whose R4 expression the FHIRPath
// engine rejects on the data (as() over several items) are only logged.
func TestFastPathsAgreeWithFHIRPath(t *testing.T) {
	ix := newTestIndexer(t)
	files, _ := filepath.Glob("testdata/examples/*.json")
	files2, _ := filepath.Glob("testdata/index/*.json")
	compared := 0
	for _, f := range append(files, files2...) {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		root, rt := readResource(t, f)
		res := &resource{root: item{v: root, t: rt}}
		for _, c := range ix.byType[rt] {
			if c.typ == TypeComposite || c.ev.expr != nil {
				continue
			}
			e, err := parseFHIRPath(c.sp.Expression)
			if err != nil {
				t.Fatal(err)
			}
			fast, err := ix.run(c.ev, res.root, true, res, nil)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := ix.run(evaluator{expr: e}, res.root, true, res, nil)
			if err != nil {
				t.Logf("%s %s: FHIRPath: %v", f, c.sp.Code, err)
				continue
			}
			var fe, se []Entry
			for _, it := range fast {
				fe = convert(c.sp.Code, c.typ, it, fe)
			}
			for _, it := range slow {
				se = convert(c.sp.Code, c.typ, it, se)
			}
			g, w := entryKeys(dedupe(fe, 0)), entryKeys(dedupe(se, 0))
			if strings.Join(g, "\n") != strings.Join(w, "\n") {
				t.Errorf("%s %s: fast paths and FHIRPath disagree:\nonly fast: %v\nonly FHIRPath: %v", f, c.sp.Code, minus(g, w), minus(w, g))
			}
			compared++
		}
	}
	t.Logf("compared %d (resource, parameter) extractions", compared)
}

func entryKeys(es []Entry) []string {
	var out []string
	for _, e := range es {
		b, _ := json.Marshal(e)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

func minus(a, b []string) []string {
	set := map[string]int{}
	for _, x := range b {
		set[x]++
	}
	var out []string
	for _, x := range a {
		if set[x] > 0 {
			set[x]--
			continue
		}
		out = append(out, x)
	}
	return out
}

func readResource(tb testing.TB, file string) (map[string]any, string) {
	tb.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	rt, _ := root["resourceType"].(string)
	return root, rt
}

func TestIndexExamples(t *testing.T) {
	ix := newTestIndexer(t)
	files, _ := filepath.Glob("testdata/examples/*.json")
	if len(files) < 30 {
		t.Fatalf("only %d examples in testdata", len(files))
	}
	total := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, rt := readResource(t, f)
		got, err := ix.Index(rt, b)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(got.Entries) == 0 {
			t.Errorf("%s: no entries", f)
		}
		total += len(got.Entries)
	}
	t.Logf("%d examples, %d entries", len(files), total)
}

// TestIndexSharedExamples indexes every official example in the shared
// folder (and the resources inside example Bundles).
func TestIndexSharedExamples(t *testing.T) {
	shared := requireShared(t)
	ix := newTestIndexer(t)
	var files []string
	for _, dir := range []string{"fhir/examples", "fhir/examples-more"} {
		fs, _ := filepath.Glob(filepath.Join(shared, dir, "*.json"))
		files = append(files, fs...)
	}
	n := 0
	for _, f := range files {
		root, rt := readResource(t, f)
		if !ix.m.IsResource(rt) {
			continue
		}
		if _, err := ix.IndexValue(rt, root); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		n++
		for _, r := range bundleResources(root) {
			rt, _ := r["resourceType"].(string)
			if _, err := ix.IndexValue(rt, r); err != nil {
				t.Errorf("%s: entry %s/%v: %v", f, rt, r["id"], err)
			}
			n++
		}
	}
	t.Logf("indexed %d resources from %d files", n, len(files))
}

func bundleResources(root map[string]any) []map[string]any {
	if root["resourceType"] != "Bundle" {
		return nil
	}
	var out []map[string]any
	entries, _ := root["entry"].([]any)
	for _, e := range entries {
		em, _ := e.(map[string]any)
		if r, ok := em["resource"].(map[string]any); ok {
			out = append(out, r)
		}
	}
	return out
}

var urnRef = regexp.MustCompile(`"urn:uuid:[0-9a-fA-F-]+"`)

// syntheaResources returns the raw JSON and type of every resource of every
// Synthea bundle in the shared folder.
func syntheaResources(tb testing.TB) (raws [][]byte, types []string) {
	tb.Helper()
	shared := requireShared(tb)
	files, _ := filepath.Glob(filepath.Join(shared, "fhir/synthea/*.json.bz2"))
	if len(files) < 92 {
		tb.Fatalf("found %d synthea bundles, want >= 92", len(files))
	}
	for _, f := range files {
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
		// The bundles are transactions with urn:uuid references; rewrite
		// them to Type/id as the transaction layer does before indexing.
		local := make(map[string]string, len(b.Entry))
		heads := make([]struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}, len(b.Entry))
		for i, e := range b.Entry {
			if err := json.Unmarshal(e.Resource, &heads[i]); err != nil {
				tb.Fatalf("%s: %v", f, err)
			}
			if e.FullURL != "" && heads[i].ID != "" {
				local[e.FullURL] = heads[i].ResourceType + "/" + heads[i].ID
			}
		}
		for i, e := range b.Entry {
			raw := urnRef.ReplaceAllFunc(e.Resource, func(m []byte) []byte {
				u := string(m[1 : len(m)-1])
				if r, ok := local[u]; ok {
					return []byte(`"` + r + `"`)
				}
				return m
			})
			raws = append(raws, raw)
			types = append(types, heads[i].ResourceType)
		}
	}
	return raws, types
}

func TestIndexSynthea(t *testing.T) {
	raws, types := syntheaResources(t)
	ix := newTestIndexer(t)
	entries, withPatient := 0, 0
	for i, raw := range raws {
		got, err := ix.Index(types[i], raw)
		if err != nil {
			t.Fatalf("resource %d (%s): %v", i, types[i], err)
		}
		entries += len(got.Entries)
		if len(got.Patients) > 0 {
			withPatient++
		}
	}
	t.Logf("%d resources, %d entries, %d in a Patient compartment", len(raws), entries, withPatient)
	if withPatient < len(raws)/2 {
		t.Errorf("only %d of %d resources in a Patient compartment", withPatient, len(raws))
	}
}

var (
	syntheaOnce  sync.Once
	syntheaRaws  [][]byte
	syntheaTypes []string
)

func BenchmarkIndexSynthea(b *testing.B) {
	requireShared(b)
	// Decompressing the bundles takes far longer than indexing them: load
	// once for all the benchmark's b.N rounds.
	syntheaOnce.Do(func() { syntheaRaws, syntheaTypes = syntheaResources(b) })
	raws, types := syntheaRaws, syntheaTypes
	ix := newTestIndexer(b)
	b.ResetTimer()
	n := 0
	start := time.Now()
	for i := 0; i < b.N; i++ {
		j := i % len(raws)
		if _, err := ix.Index(types[j], raws[j]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "resources/s")
}
