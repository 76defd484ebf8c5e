package careplan

import (
	"fmt"
	"testing"
)

// BenchmarkBuildWorklist scores a commune station's 200 patients.
func BenchmarkBuildWorklist(b *testing.B) {
	var recs []Record
	for i := range 200 {
		c := chart{id: fmt.Sprintf("p%d", i), name: fmt.Sprintf("Người bệnh %d", i), village: fmt.Sprintf("Thôn %d", i%8),
			commune: "Xã An Bình", born: fmt.Sprintf("%d-01-01", 1935+i%40), conds: []string{"I10", "E11.9"},
			visitedDaysAgo: i % 60, failedTasks: i % 3}
		if i%10 == 0 {
			c.dischargedDaysAgo = 1 + i%20
			c.taskDueInDays = ip(5 - i%9)
		}
		recs = append(recs, c.record(b))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildWorklist(recs, WorklistOptions{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateGoal evaluates BP targets over a year of weekly readings.
func BenchmarkEvaluateGoal(b *testing.B) {
	var obs [][]byte
	for i := range 52 {
		obs = append(obs, bpObs(b, fmt.Sprintf("o%d", i), i*7, 130+i%30, 80+i%15))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EvaluateGoal([]byte(bpGoal), obs, EvalOptions{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
}
