package searchtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/operation"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Bundles is how many Synthea patient bundles the suite loads (besides the
// two bundles of organisations and practitioners).
const Bundles = 10

// SharedDir returns the shared data folder (../shared from the repository
// root; root is the relative path from the calling package to it),
// skipping tb when absent unless SEN_REQUIRE_ALL=1 makes that a failure.
func SharedDir(tb testing.TB, root string) string {
	tb.Helper()
	dir, _ := filepath.Abs(filepath.Join(root, "..", "shared"))
	if _, err := os.Stat(filepath.Join(dir, "fhir", "synthea")); err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared data %s is required (SEN_REQUIRE_ALL=1): %v", dir, err)
		}
		tb.Skipf("shared data %s absent", dir)
	}
	return dir
}

// SyntheaFiles lists the two shared bundles and the first n patient bundles.
func SyntheaFiles(tb testing.TB, shared string, n int) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(shared, "fhir", "synthea", "*.json.bz2"))
	if err != nil || len(files) < n+2 {
		tb.Fatalf("Synthea bundles in %s: %d files, %v", shared, len(files), err)
	}
	sort.Strings(files) // "0-…" (organisations, practitioners) sort first
	return files[:n+2]
}

// fixture is a store loaded with the Synthea bundles, the REST handler
// over it and the corpus computed from the same bundles.
type fixture struct {
	st store.Store
	h  http.Handler
	c  *corpus
	m  *r4.Model
}

// load imports the bundles into the store open returns and builds the handler.
func load(tb testing.TB, files []string, open func(testing.TB) store.Store) *fixture {
	tb.Helper()
	c := loadCorpus(tb, files)
	st := open(tb)
	m := r4.Load()
	ix, err := search.NewIndexer(m)
	if err != nil {
		tb.Fatal(err)
	}
	im := operation.Importer{Store: st, Indexer: ix, Model: m}
	rep, err := im.Import(context.Background(), files)
	if err != nil {
		tb.Fatal(err)
	}
	if f := rep.Failed(); len(f) > 0 {
		tb.Fatalf("import: %+v", f)
	}
	exports, err := operation.NewExporter(st, m, tb.TempDir(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(exports.Close)
	h := rest.New(rest.Config{Store: st, Indexer: ix, Model: m, BaseURL: base, Exports: exports,
		Parser: rest.QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(m, typ, params, strict)
		})})
	return &fixture{st: st, h: h, c: c, m: m}
}

// Run loads the Synthea fixtures into the store open returns (an empty
// one) and checks every query of the table, and the behaviours of
// behaviour.go, against the answer computed from the bundles.
func Run(t *testing.T, shared string, open func(testing.TB) store.Store) {
	f := load(t, SyntheaFiles(t, shared, Bundles), open)
	qs := queries(f.c)
	if len(qs) < 150 {
		t.Errorf("only %d queries generated from the fixtures, want at least 150", len(qs))
	}
	t.Run("behaviour", func(t *testing.T) { behaviours(t, f.h, f.c) })
	for i, q := range qs {
		q.post = i%4 == 3 && !strings.Contains(q.url[1:], "/")
		t.Run(q.url, func(t *testing.T) { check(t, f.h, f.c, q) })
	}
}

const base = "http://sen.test/fhir"

// query is one row of the table.
type query struct {
	url   string   // relative to the base: "/Observation?code=..."
	types []string // the resource types the oracle looks at
	want  func(r res) bool
	// order, when set, must hold between consecutive results (ascending).
	order func(a, b res) bool
	post  bool // send as POST _search with a form body
}

func check(t *testing.T, h http.Handler, c *corpus, q query) {
	var want []string
	for _, typ := range q.types {
		for _, r := range c.byType[typ] {
			if q.want(r) {
				want = append(want, typ+"/"+str(r["id"]))
			}
		}
	}
	got, ordered, err := fetchAll(h, q)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d matches", len(want))
	sort.Strings(want)
	gotSorted := append([]string(nil), got...)
	sort.Strings(gotSorted)
	if d := diff(gotSorted, want); d != "" {
		t.Errorf("%s: got %d, want %d: %s", q.url, len(got), len(want), d)
	}
	if q.order != nil {
		for i := 1; i < len(ordered); i++ {
			a, b := c.byKey[ordered[i-1]], c.byKey[ordered[i]]
			if q.order(b, a) {
				t.Errorf("%s: result %d (%s) sorts before result %d (%s)", q.url, i, ordered[i], i-1, ordered[i-1])
				break
			}
		}
	}
}

// fetchAll runs the search and follows next links, returning the match
// entries in order.
func fetchAll(h http.Handler, q query) (keys, ordered []string, err error) {
	path, rawq, _ := strings.Cut(q.url, "?")
	params, err := url.ParseQuery(rawq)
	if err != nil {
		return nil, nil, err
	}
	if params.Get("_count") == "" {
		params.Set("_count", "100")
	}
	var req *http.Request
	if q.post {
		p := strings.TrimSuffix(path, "/")
		req = httptest.NewRequest("POST", "/fhir"+p+"/_search", strings.NewReader(params.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest("GET", "/fhir"+path+"?"+params.Encode(), nil)
	}
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page > 1000 {
			return nil, nil, fmt.Errorf("more than 1000 pages")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			return nil, nil, fmt.Errorf("%s %s: %d %.500s", req.Method, req.URL, w.Code, w.Body.String())
		}
		var b struct {
			Link []struct{ Relation, URL string }
			// Entry search mode tells matches from includes and outcomes.
			Entry []struct {
				Resource struct{ ResourceType, ID string }
				Search   struct{ Mode string }
			}
		}
		if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
			return nil, nil, err
		}
		for _, e := range b.Entry {
			if e.Search.Mode != "match" {
				continue
			}
			k := e.Resource.ResourceType + "/" + e.Resource.ID
			if seen[k] {
				return nil, nil, fmt.Errorf("%s returned twice (page %d)", k, page)
			}
			seen[k] = true
			ordered = append(ordered, k)
		}
		next := ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				next = l.URL
			}
		}
		if next == "" {
			return ordered, ordered, nil
		}
		req = httptest.NewRequest("GET", "/fhir"+strings.TrimPrefix(next, base), nil)
	}
}

// diff lists up to five keys missing from got and five unexpected ones.
func diff(got, want []string) string {
	g, w := map[string]bool{}, map[string]bool{}
	for _, k := range got {
		g[k] = true
	}
	for _, k := range want {
		w[k] = true
	}
	var missing, extra []string
	for _, k := range want {
		if !g[k] && len(missing) < 5 {
			missing = append(missing, k)
		}
	}
	for _, k := range got {
		if !w[k] && len(extra) < 5 {
			extra = append(extra, k)
		}
	}
	if len(missing) == 0 && len(extra) == 0 && len(got) == len(want) {
		return ""
	}
	return fmt.Sprintf("missing %v, unexpected %v", missing, extra)
}
