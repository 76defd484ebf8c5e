package rest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/search"
)

func TestCheckDepth(t *testing.T) {
	tests := []struct {
		name string
		body string
		max  int
		ok   bool
	}{
		{"flat", `{"a":1}`, 1, true},
		{"at the limit", `{"a":[{"b":1}]}`, 3, true},
		{"one too deep", `{"a":[{"b":[1]}]}`, 3, false},
		{"brackets in strings do not count", `{"a":"[[[[{{{{\"[["}`, 1, true},
		{"escaped backslash before the closing quote", `{"a":"\\","b":[[1]]}`, 2, false},
		{"siblings do not add up", `{"a":[1],"b":[2],"c":{"d":3}}`, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDepth([]byte(tt.body), tt.max)
			if got := err == nil; got != tt.ok {
				t.Errorf("checkDepth(%s, %d) = %v, want ok=%v", tt.body, tt.max, err, tt.ok)
			}
		})
	}
}

func TestHostileInput(t *testing.T) {
	h, _ := newTestHandler(t, nil, func(c *Config) {
		c.Limits = Limits{MaxBundleEntries: 3, MaxCount: 20, MaxOffset: 100}
		// The real parser: the test one knows identifier only, not _offset.
		c.Parser = QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(c.Model, typ, params, strict)
		})
	})
	deep := `{"resourceType":"Patient","extension":` + strings.Repeat(`[{"extension":`, 5000) + `[]` + strings.Repeat(`}]`, 5000) + `}`
	entry := `{"request":{"method":"GET","url":"Patient?identifier=x"}}`
	bundle := func(n int) string {
		return `{"resourceType":"Bundle","type":"batch","entry":[` + strings.TrimSuffix(strings.Repeat(entry+",", n), ",") + `]}`
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		diag                     string // substring of the OperationOutcome
	}{
		{"deep create", "POST", "/fhir/Patient", deep, http.StatusBadRequest, "nests deeper than 100"},
		{"deep transaction", "POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` + deep + `}]}`, http.StatusBadRequest, "nests deeper"},
		{"bundle at the entry limit", "POST", "/fhir", bundle(3), http.StatusOK, ""},
		{"bundle over the entry limit", "POST", "/fhir", bundle(4), http.StatusRequestEntityTooLarge, "4 entries, more than the limit of 3"},
		{"offset over the limit", "GET", "/fhir/Patient?_offset=101", "", http.StatusBadRequest, "_offset 101 is beyond the limit of 100"},
		{"offset at the limit", "GET", "/fhir/Patient?_offset=100", "", http.StatusOK, ""},
		{"count over the limit is reduced", "GET", "/fhir/Patient?_count=5000", "", http.StatusOK, "_count 5000 reduced to the maximum of 20"},
		{"offset in a batch GET", "POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"GET","url":"Patient?_offset=1000"}}]}`, http.StatusBadRequest, "beyond the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, tt.method, tt.path, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %.300s", w.Code, tt.status, w.Body.String())
			}
			if tt.diag != "" && !strings.Contains(w.Body.String(), tt.diag) {
				t.Errorf("body lacks %q: %.400s", tt.diag, w.Body.String())
			}
		})
	}
}
