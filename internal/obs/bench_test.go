package obs

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkMiddleware is the cost metrics and request logging add to one
// request (a JSON log line to a discarding handler).
func BenchmarkMiddleware(b *testing.B) {
	m := NewMetrics(prometheus.NewRegistry())
	h := RequestLog(slog.New(slog.NewJSONHandler(discard{}, nil)), m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})))
	req := httptest.NewRequest("GET", "/fhir/Patient/123", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
