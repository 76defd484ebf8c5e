package obs

import (
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// value returns the value of the counter or gauge family name whose labels
// equal want (label name → value), 0 when there is no such series.
func value(tb testing.TB, m *Metrics, name string, want map[string]string) float64 {
	tb.Helper()
	for _, mf := range gather(tb, m) {
		if mf.GetName() != name {
			continue
		}
		for _, s := range mf.GetMetric() {
			if labelsEqual(s.GetLabel(), want) {
				switch {
				case s.Counter != nil:
					return s.GetCounter().GetValue()
				case s.Gauge != nil:
					return s.GetGauge().GetValue()
				}
			}
		}
	}
	return 0
}

// series counts the series of family name.
func series(tb testing.TB, m *Metrics, name string) int {
	tb.Helper()
	for _, mf := range gather(tb, m) {
		if mf.GetName() == name {
			return len(mf.GetMetric())
		}
	}
	return 0
}

func gather(tb testing.TB, m *Metrics) []*dto.MetricFamily {
	tb.Helper()
	mfs, err := m.gatherer.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	return mfs
}

func labelsEqual(got []*dto.LabelPair, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, l := range got {
		if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
			return false
		}
	}
	return true
}

func reqLabels(interaction, typ, code string) map[string]string {
	return map[string]string{"interaction": interaction, "type": typ, "code": code}
}
