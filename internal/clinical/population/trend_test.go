package population

import (
	"strings"
	"testing"
	"time"
)

// TestTrend follows one hypertensive patient registered in January 2024
// through a year: new for three months, then controlled while her readings
// are below 140/90, uncontrolled after a high one, and no-visit once the
// last reading is more than three months old.
func TestTrend(t *testing.T) {
	c := &Cohort{People: map[string]*Person{
		"a": {ID: "a", Gender: "female", Birth: day(1950, 1, 1), Province: "01",
			Conditions: map[string]time.Time{"I10": day(2024, 1, 10)},
			BP: []BPReading{
				{day(2024, 1, 10), 160, 95},
				{day(2024, 4, 10), 132, 82},
				{day(2024, 6, 10), 150, 85},
			}},
		"b": {ID: "b", Gender: "male", Birth: day(1960, 1, 1), Province: "79",
			Conditions: map[string]time.Time{"I10": day(2023, 1, 10)},
			BP:         []BPReading{{day(2024, 2, 1), 128, 80}}},
	}}
	got, err := c.Trend("hypertension", Month{2024, time.January}, Month{2024, time.October}, "01")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		month                                  string
		registered, new, underCare, controlled int
	}{
		{"2024-01", 1, 1, 0, 0},
		{"2024-02", 1, 1, 0, 0},
		{"2024-03", 1, 1, 0, 0},
		{"2024-04", 1, 0, 1, 1},
		{"2024-05", 1, 0, 1, 1},
		{"2024-06", 1, 0, 1, 0},
		{"2024-07", 1, 0, 1, 0},
		{"2024-08", 1, 0, 1, 0},
		{"2024-09", 1, 0, 1, 0},
		{"2024-10", 1, 0, 1, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("%d points, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Month.String() != w.month || g.Row.Registered != w.registered || g.Row.New != w.new || g.Row.UnderCare != w.underCare || g.Row.Controlled != w.controlled {
			t.Errorf("point %d: got %s %+v, want %+v", i, g.Month, g.Row, w)
		}
	}
	// Each point is the dashboard's total for that month.
	rows, _ := c.Dashboard(DashboardQuery{Registry: "hypertension", By: ByProvince, Month: Month{2024, time.May}, Province: "01"})
	if rows[len(rows)-1].Controlled != got[4].Row.Controlled || rows[len(rows)-1].UnderCare != got[4].Row.UnderCare {
		t.Errorf("May point %+v differs from the dashboard %+v", got[4].Row, rows[len(rows)-1])
	}
}

func TestTrendErrors(t *testing.T) {
	c := &Cohort{People: map[string]*Person{}}
	tests := []struct {
		name     string
		registry string
		from, to Month
		want     string
	}{
		{"backwards", "hypertension", Month{2024, time.May}, Month{2024, time.April}, "before the start"},
		{"too long", "hypertension", Month{2000, time.January}, Month{2024, time.April}, "at most"},
		{"unknown registry", "nope", Month{2024, time.January}, Month{2024, time.April}, "unknown registry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Trend(tt.registry, tt.from, tt.to, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
