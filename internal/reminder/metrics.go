package reminder

import "github.com/prometheus/client_golang/prometheus"

// Metrics count reminders planned and delivery outcomes. Build with
// NewMetrics; a nil *Metrics records nothing.
type Metrics struct {
	planned    *prometheus.CounterVec
	deliveries *prometheus.CounterVec
}

// NewMetrics registers the reminder collectors with reg (panics when they
// already are: a wiring bug in main).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		planned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sen", Subsystem: "reminder", Name: "planned_total",
			Help: "Reminders newly queued, by kind (dose, refill).",
		}, []string{"kind"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sen", Subsystem: "reminder", Name: "deliveries_total",
			Help: "Reminder delivery attempts, by channel and outcome (sent, retry, failed, cancelled, stale).",
		}, []string{"channel", "outcome"}),
	}
	reg.MustRegister(m.planned, m.deliveries)
	return m
}

func (m *Metrics) plannedInc(k Kind) {
	if m != nil {
		m.planned.WithLabelValues(string(k)).Inc()
	}
}

func (m *Metrics) delivered(channel, outcome string) {
	if m != nil {
		m.deliveries.WithLabelValues(channel, outcome).Inc()
	}
}
