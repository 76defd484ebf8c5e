package resttest

import (
	"bytes"
	"compress/bzip2"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// SharedDir returns the shared data folder (../shared from the repository
// root), skipping tb when it is absent unless SEN_REQUIRE_ALL=1, when that
// is a failure. root is the relative path from the test's package to the
// repository root ("../../..").
func SharedDir(tb testing.TB, root string) string {
	tb.Helper()
	dir, _ := filepath.Abs(filepath.Join(root, "..", "shared"))
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared data %s is required (SEN_REQUIRE_ALL=1): %v", dir, err)
		}
		tb.Skipf("shared data %s absent", dir)
	}
	return dir
}

// SyntheaFiles lists the Synthea bundles, the two "0-" bundles of
// organisations and practitioners first (the patient bundles refer to them
// by conditional references). limit > 0 keeps only that many patient
// bundles.
func SyntheaFiles(tb testing.TB, shared string, limit int) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(shared, "fhir", "synthea", "*.json.bz2"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no Synthea bundles in %s: %v", shared, err)
	}
	sort.Slice(files, func(i, j int) bool {
		a, b := strings.HasPrefix(filepath.Base(files[i]), "0-"), strings.HasPrefix(filepath.Base(files[j]), "0-")
		if a != b {
			return a
		}
		return files[i] < files[j]
	})
	if limit > 0 && len(files) > limit+2 {
		files = files[:limit+2]
	}
	return files
}

// ReadBz2 returns the decompressed content of a .bz2 file.
func ReadBz2(tb testing.TB, path string) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(bzip2.NewReader(f))
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return b
}

type inBundle struct {
	Type  string `json:"type"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Request  struct {
			Method string `json:"method"`
			URL    string `json:"url"`
		} `json:"request"`
	} `json:"entry"`
}

type outBundle struct {
	Type  string `json:"type"`
	Entry []struct {
		Response struct {
			Status   string          `json:"status"`
			Location string          `json:"location"`
			Outcome  json.RawMessage `json:"outcome"`
		} `json:"response"`
	} `json:"entry"`
}

var localRef = regexp.MustCompile(`^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$`)

// LoadSynthea POSTs every bundle in files to h at /fhir, checks every
// entry succeeded, reads every written resource back and compares it with
// what was sent (apart from meta, id and rewritten references: urn:uuid
// references must point at the entry's new location, conditional ones at
// some Type/id), then checks the per-type counts with _summary=count.
func LoadSynthea(t *testing.T, h http.Handler, files []string) {
	t.Helper()
	want := map[string]map[string]bool{} // type → ids
	for _, file := range files {
		body := ReadBz2(t, file)
		var in inBundle
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		w := serve(h, "POST", "/fhir", body)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: POST %s bundle: %d %.2000s", filepath.Base(file), in.Type, w.Code, w.Body.String())
		}
		var out outBundle
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Entry) != len(in.Entry) {
			t.Fatalf("%s: response has %d entries for %d (%v)", filepath.Base(file), len(out.Entry), len(in.Entry), err)
		}
		urls := map[string]string{}
		for i, e := range out.Entry {
			if !strings.HasPrefix(e.Response.Status, "20") {
				t.Fatalf("%s: entry %d: %s %s", filepath.Base(file), i, e.Response.Status, e.Response.Outcome)
			}
			parts := strings.Split(e.Response.Location, "/")
			if len(parts) < 2 {
				t.Fatalf("%s: entry %d: location %q", filepath.Base(file), i, e.Response.Location)
			}
			urls[in.Entry[i].FullURL] = parts[0] + "/" + parts[1]
		}
		for i, e := range in.Entry {
			loc := urls[e.FullURL]
			typ, id, _ := strings.Cut(loc, "/")
			if want[typ] == nil {
				want[typ] = map[string]bool{}
			}
			want[typ][id] = true
			rw := serve(h, "GET", "/fhir/"+loc, nil)
			if rw.Code != http.StatusOK {
				t.Fatalf("%s: entry %d: read %s: %d", filepath.Base(file), i, loc, rw.Code)
			}
			if strings.HasPrefix(out.Entry[i].Response.Status, "200") && e.Request.Method == "POST" {
				continue // a conditional create that matched: the stored one wins
			}
			var sent, got any
			_ = json.Unmarshal(e.Resource, &sent)
			_ = json.Unmarshal(rw.Body.Bytes(), &got)
			if diff := compare(sent, got, urls, "", true); diff != "" {
				t.Fatalf("%s: entry %d (%s) reads back different: %s", filepath.Base(file), i, loc, diff)
			}
		}
	}
	for typ, ids := range want {
		w := serve(h, "GET", "/fhir/"+typ+"?_summary=count", nil)
		var b struct{ Total int }
		if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || w.Code != 200 {
			t.Fatalf("count %s: %d %s", typ, w.Code, w.Body.String())
		}
		if b.Total != len(ids) {
			t.Errorf("%s: %d stored, want %d", typ, b.Total, len(ids))
		}
	}
}

// compare returns "" when got equals sent apart from the top-level meta and
// id and references rewritten as described at LoadSynthea.
func compare(sent, got any, urls map[string]string, path string, top bool) string {
	switch s := sent.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path + ": not an object"
		}
		for k, sv := range s {
			if top && (k == "meta" || k == "id") {
				continue
			}
			if k == "reference" {
				ref, _ := sv.(string)
				gr, _ := g[k].(string)
				switch {
				case urls[ref] != "":
					if gr != urls[ref] {
						return fmt.Sprintf("%s.reference = %q, want %q (from %s)", path, gr, urls[ref], ref)
					}
				case strings.Contains(ref, "?"):
					if !localRef.MatchString(gr) || !strings.HasPrefix(gr, strings.SplitN(ref, "?", 2)[0]+"/") {
						return fmt.Sprintf("%s.reference = %q, want the resolution of %s", path, gr, ref)
					}
				case gr != ref:
					return fmt.Sprintf("%s.reference = %q, want %q", path, gr, ref)
				}
				continue
			}
			if d := compare(sv, g[k], urls, path+"."+k, false); d != "" {
				return d
			}
		}
		for k := range g {
			if _, ok := s[k]; !ok && !(top && (k == "meta" || k == "id")) {
				return path + "." + k + ": not sent"
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(s) {
			return path + ": array differs"
		}
		for i := range s {
			if d := compare(s[i], g[i], urls, fmt.Sprintf("%s[%d]", path, i), false); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(sent, got) {
		return fmt.Sprintf("%s = %v, want %v", path, got, sent)
	}
	return ""
}

func serve(h http.Handler, method, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
