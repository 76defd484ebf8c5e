package obs

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus collectors of one Sen process. Build it with
// NewMetrics; its methods are safe for concurrent use.
type Metrics struct {
	// KnownType reports whether a path segment is a resource type; others
	// are labelled "other" so that clients cannot grow the label set. Nil
	// accepts any name that looks like a type (upper-case letter first,
	// letters only, at most 64).
	KnownType func(string) bool

	gatherer prometheus.Gatherer
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	store    *prometheus.HistogramVec
	storeErr *prometheus.CounterVec
}

// latencyBuckets span 0.5 ms to 10 s: reads answer in well under a
// millisecond, big transactions take seconds.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// NewMetrics creates the collectors and registers them, plus the Go runtime
// and process collectors, with reg. When reg is also a prometheus.Gatherer
// (a *prometheus.Registry is), Handler serves it; otherwise Handler serves
// prometheus.DefaultGatherer. It panics if a collector is already
// registered with reg, since that is a wiring bug in main.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sen", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by FHIR interaction, resource type and status code.",
		}, []string{"interaction", "type", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "sen", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by FHIR interaction and resource type.",
			Buckets: latencyBuckets,
		}, []string{"interaction", "type"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "sen", Subsystem: "http", Name: "requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
		store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "sen", Subsystem: "store", Name: "operation_duration_seconds",
			Help:    "Time spent in store operations (update is a whole write transaction).",
			Buckets: latencyBuckets,
		}, []string{"op"}),
		storeErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sen", Subsystem: "store", Name: "operation_errors_total",
			Help: "Store operations that failed, by operation and FHIR error kind.",
		}, []string{"op", "kind"}),
	}
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.store, m.storeErr,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.gatherer = prometheus.DefaultGatherer
	if g, ok := reg.(prometheus.Gatherer); ok {
		m.gatherer = g
	}
	return m
}

// Handler serves the metrics in the Prometheus text format (mount it at
// /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{})
}

// Middleware counts and times every request next serves, labelled by
// Route's interaction and type and the status code written.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		sw := wrap(w)
		defer func() {
			m.inFlight.Dec()
			interaction, typ := Route(r.Method, r.URL.Path)
			typ = m.typeLabel(typ)
			m.latency.WithLabelValues(interaction, typ).Observe(time.Since(start).Seconds())
			m.requests.WithLabelValues(interaction, typ, strconv.Itoa(sw.code())).Inc()
		}()
		next.ServeHTTP(sw, r)
	})
}

func (m *Metrics) typeLabel(typ string) string {
	if typ == "" {
		return ""
	}
	if m.KnownType != nil {
		if m.KnownType(typ) {
			return typ
		}
		return "other"
	}
	if len(typ) > 64 || typ[0] < 'A' || typ[0] > 'Z' {
		return "other"
	}
	for i := 0; i < len(typ); i++ {
		c := typ[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return "other"
		}
	}
	return typ
}
