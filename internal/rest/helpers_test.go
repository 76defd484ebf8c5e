package rest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rest/resttest"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/validate"
)

var (
	modelOnce sync.Once
	model     *r4.Model
	validator *validate.Validator
)

func testModel() *r4.Model {
	modelOnce.Do(func() { model = r4.Load(); validator = validate.New(model) })
	return model
}

func testValidator() *validate.Validator { testModel(); return validator }

// newTestHandler returns the handler over st (a fresh in-memory store when nil).
func newTestHandler(tb testing.TB, st store.Store, mod func(*Config)) (http.Handler, store.Store) {
	tb.Helper()
	if st == nil {
		st = resttest.NewMemStore()
	}
	cfg := Config{Store: st, Indexer: resttest.IdentifierIndexer{}, Parser: QueryParserFunc(resttest.ParseIdentifierQuery), Model: testModel(),
		Validator: testValidator(), BaseURL: "http://sen.test/fhir"}
	if mod != nil {
		mod(&cfg)
	}
	return New(cfg), st
}

// do sends one request; headers alternate name, value.
func do(tb testing.TB, h http.Handler, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func decode(tb testing.TB, w *httptest.ResponseRecorder) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		tb.Fatalf("body is not JSON (%v): %q", err, w.Body.String())
	}
	return m
}

// outcomeText returns the diagnostics and expressions of an OperationOutcome body.
func outcomeText(tb testing.TB, w *httptest.ResponseRecorder) string {
	tb.Helper()
	var o fhir.OperationOutcome
	if err := json.Unmarshal(w.Body.Bytes(), &o); err != nil || o.ResourceType != "OperationOutcome" {
		tb.Fatalf("not an OperationOutcome: %s", w.Body.String())
	}
	var parts []string
	for _, is := range o.Issue {
		parts = append(parts, is.Diagnostics+" @"+strings.Join(is.Expression, ","))
	}
	return strings.Join(parts, "; ")
}
