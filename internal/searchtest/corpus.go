package searchtest

import (
	"compress/bzip2"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
)

// res is one resource of the corpus as decoded JSON.
type res = map[string]any

// corpus is the raw content of the loaded bundles, with the lookups the
// oracle needs: resources by type and by Type/id, and the resolution of
// bundle-local (urn:uuid) and conditional references, done here in plain
// Go from the bundles themselves.
type corpus struct {
	byType map[string][]res
	byKey  map[string]res    // "Type/id"
	urls   map[string]string // fullUrl → "Type/id"
	ident  map[string]string // "Type|system|value" → "Type/id"
}

func loadCorpus(tb testing.TB, files []string) *corpus {
	tb.Helper()
	c := &corpus{byType: map[string][]res{}, byKey: map[string]res{}, urls: map[string]string{}, ident: map[string]string{}}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		var r io.Reader = fh
		if strings.HasSuffix(f, ".bz2") {
			r = bzip2.NewReader(fh)
		}
		var b struct {
			Entry []struct {
				FullURL  string `json:"fullUrl"`
				Resource res    `json:"resource"`
			} `json:"entry"`
		}
		err = json.NewDecoder(r).Decode(&b)
		fh.Close()
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		for _, e := range b.Entry {
			typ, _ := e.Resource["resourceType"].(string)
			id, _ := e.Resource["id"].(string)
			key := typ + "/" + id
			c.urls[e.FullURL] = key
			c.byKey[key] = e.Resource
			c.byType[typ] = append(c.byType[typ], e.Resource)
			for _, ident := range list(e.Resource["identifier"]) {
				m, _ := ident.(res)
				sys, _ := m["system"].(string)
				val, _ := m["value"].(string)
				c.ident[typ+"|"+sys+"|"+val] = key
			}
		}
	}
	return c
}

// ref resolves a Reference value to "Type/id" ("" when unresolvable).
func (c *corpus) ref(v any) string {
	m, _ := v.(res)
	s, _ := m["reference"].(string)
	if k, ok := c.urls[s]; ok {
		return k
	}
	if typ, q, ok := strings.Cut(s, "?identifier="); ok {
		sys, val, _ := strings.Cut(q, "|")
		return c.ident[typ+"|"+sys+"|"+val]
	}
	return s
}

func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

// get walks a dotted path, flattening arrays: get(r, "code.coding") is
// every Coding of the CodeableConcept.
func get(v any, path string) []any {
	cur := list(v)
	for _, p := range strings.Split(path, ".") {
		var next []any
		for _, x := range cur {
			if m, ok := x.(res); ok {
				next = append(next, list(m[p])...)
			}
		}
		cur = next
	}
	return cur
}

func str(v any) string { s, _ := v.(string); return s }

// hasCoding reports whether any coding under path has the system (unless
// "*") and code.
func hasCoding(r res, path, system, code string) bool {
	for _, cd := range get(r, path) {
		m, _ := cd.(res)
		if str(m["code"]) == code && (system == "*" || str(m["system"]) == system) {
			return true
		}
	}
	return false
}
