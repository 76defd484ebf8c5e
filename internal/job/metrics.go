package job

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the runner's Prometheus collectors. Build with NewMetrics;
// a nil *Metrics records nothing.
type Metrics struct {
	depth *prometheus.GaugeVec
	runs  *prometheus.CounterVec
}

// NewMetrics registers the job collectors with reg. It panics if they are
// already registered (a wiring bug in main), like obs.NewMetrics.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		depth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "sen", Subsystem: "job", Name: "queue_depth",
			Help: "Jobs in the background queue, by state (queued, running, done, failed).",
		}, []string{"state"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sen", Subsystem: "job", Name: "runs_total",
			Help: "Job attempts finished, by kind and outcome (done, retry, failed).",
		}, []string{"kind", "outcome"}),
	}
	reg.MustRegister(m.depth, m.runs)
	return m
}

func (m *Metrics) setDepth(d map[State]int) {
	if m == nil {
		return
	}
	for s, n := range d {
		m.depth.WithLabelValues(string(s)).Set(float64(n))
	}
}

func (m *Metrics) ran(kind, outcome string) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(kind, outcome).Inc()
}
