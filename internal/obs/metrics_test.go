package obs

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sen-emr/sen/internal/rest/resttest"
	"github.com/sen-emr/sen/internal/store"
)

// statusHandler answers with the status named by the path's last segment
// ("/fhir/Patient/404" → 404), writing a body for non-204 statuses.
var statusHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	code := http.StatusOK
	switch {
	case strings.HasSuffix(r.URL.Path, "/404"):
		code = http.StatusNotFound
	case strings.HasSuffix(r.URL.Path, "/500"):
		code = http.StatusInternalServerError
	case strings.HasSuffix(r.URL.Path, "/silent"):
		return // net/http sends 200
	}
	w.WriteHeader(code)
	_, _ = io.WriteString(w, "body")
})

func TestMiddlewareCountsByRoute(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	h := m.Middleware(statusHandler)
	for _, p := range []string{"/fhir/Patient/1", "/fhir/Patient/2", "/fhir/Patient/404", "/fhir/Observation/500",
		"/fhir/Patient/silent", "/fhir/Bogus1/x", "/metrics"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	tests := []struct {
		labels []string
		want   float64
	}{
		{[]string{"read", "Patient", "200"}, 3}, // 1, 2 and silent
		{[]string{"read", "Patient", "404"}, 1},
		{[]string{"read", "Observation", "500"}, 1},
		{[]string{"read", "other", "200"}, 1}, // a digit is no type name: no new label value
		{[]string{"metrics", "", "200"}, 1},
	}
	for _, tt := range tests {
		if got := value(t, m, "sen_http_requests_total", reqLabels(tt.labels[0], tt.labels[1], tt.labels[2])); got != tt.want {
			t.Errorf("requests%v = %v, want %v", tt.labels, got, tt.want)
		}
	}
	if got := series(t, m, "sen_http_request_duration_seconds"); got != 4 { // read/Patient, read/Observation, read/other, metrics
		t.Errorf("%d latency series, want 4", got)
	}
	if got := value(t, m, "sen_http_requests_in_flight", map[string]string{}); got != 0 {
		t.Errorf("in flight after all requests = %v, want 0", got)
	}
}

func TestKnownType(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	m.KnownType = func(s string) bool { return s == "Patient" }
	h := m.Middleware(statusHandler)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/fhir/Patient/1", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/fhir/Made/1", nil))
	for _, tt := range []struct {
		typ  string
		want float64
	}{{"Patient", 1}, {"other", 1}, {"Made", 0}} {
		if got := value(t, m, "sen_http_requests_total", reqLabels("read", tt.typ, "200")); got != tt.want {
			t.Errorf("requests{type=%s} = %v, want %v", tt.typ, got, tt.want)
		}
	}
}

func TestHandlerServesRegistry(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	m.Middleware(statusHandler).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/fhir/Patient/1", nil))
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	for _, want := range []string{
		`sen_http_requests_total{code="200",interaction="read",type="Patient"} 1`,
		"sen_http_request_duration_seconds_bucket",
		"sen_http_requests_in_flight 0",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestStoreTiming(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	st := m.Store(resttest.NewMemStore())
	ctx := context.Background()
	if _, err := st.Read(ctx, "Patient", "nope"); err == nil {
		t.Fatal("read of a missing resource succeeded")
	}
	err := st.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Put(ctx, store.Write{Type: "Patient", ID: "p1", JSON: []byte(`{"resourceType":"Patient","id":"p1"}`)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Read(ctx, "Patient", "p1"); err != nil {
		t.Fatal(err)
	}
	if got := series(t, m, "sen_store_operation_duration_seconds"); got != 2 {
		t.Errorf("%d store latency series, want 2 (read, update)", got)
	}
	if got := value(t, m, "sen_store_operation_errors_total", map[string]string{"op": "read", "kind": "not-found"}); got != 1 {
		t.Errorf("read not-found errors = %v, want 1", got)
	}
}

func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	var seen string
	h := RequestLog(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = RequestID(r.Context())
		statusHandler.ServeHTTP(w, r)
	}))
	tests := []struct {
		name, in string
		keep     bool
	}{
		{"caller's id kept", "abc-123", true},
		{"absent: generated", "", false},
		{"control characters: replaced", "bad\nid", false},
		{"too long: replaced", strings.Repeat("x", 129), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf.Reset()
			req := httptest.NewRequest("GET", "/fhir/Patient/500?identifier=secret", nil)
			if tt.in != "" {
				req.Header.Set(RequestIDHeader, tt.in)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			got := w.Header().Get(RequestIDHeader)
			if got == "" || got != seen {
				t.Fatalf("response id %q, context id %q", got, seen)
			}
			if (got == tt.in) != tt.keep {
				t.Errorf("id %q from %q: keep = %v, want %v", got, tt.in, got == tt.in, tt.keep)
			}
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("log line %q: %v", buf.String(), err)
			}
			if line["request_id"] != got || line["status"] != float64(500) || line["level"] != "ERROR" ||
				line["interaction"] != "read" || line["path"] != "/fhir/Patient/500" {
				t.Errorf("log line %v", line)
			}
			if strings.Contains(buf.String(), "secret") {
				t.Error("the query string reached the log")
			}
		})
	}
}
