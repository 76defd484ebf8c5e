package careplan

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC)

// bpObs is a blood-pressure panel with systolic and diastolic components.
func bpObs(tb testing.TB, id string, daysAgo, sys, dia int) []byte {
	tb.Helper()
	return []byte(fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final",
	"code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
	"effectiveDateTime":%q,
	"component":[
	 {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":%d,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
	 {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":%d,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}`,
		id, testNow.AddDate(0, 0, -daysAgo).Format(time.RFC3339), sys, dia))
}

func labObs(tb testing.TB, id, code string, daysAgo int, v float64, unit, status string) []byte {
	tb.Helper()
	return []byte(fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":%q,
	"code":{"coding":[{"system":"http://loinc.org","code":%q}]},"effectiveDateTime":%q,
	"valueQuantity":{"value":%g,"system":"http://unitsofmeasure.org","code":%q}}`,
		id, status, code, testNow.AddDate(0, 0, -daysAgo).Format(time.DateOnly), v, unit))
}

const bpGoal = `{"resourceType":"Goal","id":"g-bp","lifecycleStatus":"active",
 "description":{"text":"Huyết áp < 140/90"},"subject":{"reference":"Patient/p"},
 "target":[
  {"measure":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic"}]},
   "detailQuantity":{"value":140,"comparator":"<","unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
  {"measure":{"coding":[{"system":"http://loinc.org","code":"8462-4","display":"Diastolic"}]},
   "detailQuantity":{"value":90,"comparator":"<","unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}`

const a1cGoal = `{"resourceType":"Goal","id":"g-a1c","lifecycleStatus":"active",
 "description":{"text":"HbA1c < 7 %"},"subject":{"reference":"Patient/p"},
 "target":[{"measure":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},
   "detailQuantity":{"value":7,"comparator":"<","unit":"%","system":"http://unitsofmeasure.org","code":"%"}}]}`

func TestEvaluateGoal(t *testing.T) {
	tests := []struct {
		name        string
		goal        string
		obs         [][]byte
		wantStatus  []string // per target
		wantTrend   []string
		wantLatest  []float64
		wantAchieve string
	}{
		{
			name:       "BP improving but still above",
			goal:       bpGoal,
			obs:        [][]byte{bpObs(t, "o1", 90, 168, 98), bpObs(t, "o2", 60, 162, 96), bpObs(t, "o3", 3, 148, 88)},
			wantStatus: []string{TargetNotAchieved, TargetAchieved}, wantTrend: []string{TrendImproving, TrendImproving},
			wantLatest: []float64{148, 88}, wantAchieve: "improving",
		},
		{
			name:       "BP at target twice: sustaining",
			goal:       bpGoal,
			obs:        [][]byte{bpObs(t, "o2", 30, 132, 81), bpObs(t, "o1", 2, 131, 80)},
			wantStatus: []string{TargetAchieved, TargetAchieved}, wantTrend: []string{TrendStable, TrendStable},
			wantLatest: []float64{131, 80}, wantAchieve: "sustaining",
		},
		{
			name:       "BP newly achieved",
			goal:       bpGoal,
			obs:        [][]byte{bpObs(t, "o1", 30, 150, 92), bpObs(t, "o2", 2, 135, 85)},
			wantStatus: []string{TargetAchieved, TargetAchieved}, wantTrend: []string{TrendImproving, TrendImproving},
			wantLatest: []float64{135, 85}, wantAchieve: "achieved",
		},
		{
			name:       "BP worsening",
			goal:       bpGoal,
			obs:        [][]byte{bpObs(t, "o1", 30, 138, 85), bpObs(t, "o2", 2, 158, 95)},
			wantStatus: []string{TargetNotAchieved, TargetNotAchieved}, wantTrend: []string{TrendWorsening, TrendWorsening},
			wantLatest: []float64{158, 95}, wantAchieve: "worsening",
		},
		{
			name:       "exactly 140 is not below 140",
			goal:       bpGoal,
			obs:        [][]byte{bpObs(t, "o1", 1, 140, 80)},
			wantStatus: []string{TargetNotAchieved, TargetAchieved}, wantTrend: []string{"", ""},
			wantLatest: []float64{140, 80}, wantAchieve: "not-achieved",
		},
		{
			name:       "no observations",
			goal:       bpGoal,
			wantStatus: []string{TargetNoData, TargetNoData}, wantTrend: []string{"", ""},
			wantLatest: []float64{-1, -1}, wantAchieve: "",
		},
		{
			name: "HbA1c: entered-in-error and old results ignored",
			goal: a1cGoal,
			obs: [][]byte{labObs(t, "a0", "4548-4", 500, 6.0, "%", "final"), labObs(t, "a1", "4548-4", 120, 8.1, "%", "final"),
				labObs(t, "a2", "4548-4", 10, 7.4, "%", "final"), labObs(t, "a3", "4548-4", 5, 6.2, "%", "entered-in-error")},
			wantStatus: []string{TargetNotAchieved}, wantTrend: []string{TrendImproving},
			wantLatest: []float64{7.4}, wantAchieve: "improving",
		},
		{
			name:       "HbA1c in an unconvertible unit is left out",
			goal:       a1cGoal,
			obs:        [][]byte{labObs(t, "a1", "4548-4", 10, 53, "mmol/mol", "final")},
			wantStatus: []string{TargetNoData}, wantTrend: []string{""},
			wantLatest: []float64{-1}, wantAchieve: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EvaluateGoal([]byte(tt.goal), tt.obs, EvalOptions{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Targets) != len(tt.wantStatus) {
				t.Fatalf("got %d targets, want %d", len(got.Targets), len(tt.wantStatus))
			}
			for i, tp := range got.Targets {
				if tp.Status != tt.wantStatus[i] {
					t.Errorf("target %d status = %s, want %s", i, tp.Status, tt.wantStatus[i])
				}
				if tp.Trend != tt.wantTrend[i] {
					t.Errorf("target %d trend = %q, want %q", i, tp.Trend, tt.wantTrend[i])
				}
				gotLatest := -1.0
				if l := tp.Latest(); l != nil {
					gotLatest = l.Value
				}
				if gotLatest != tt.wantLatest[i] {
					t.Errorf("target %d latest = %v, want %v", i, gotLatest, tt.wantLatest[i])
				}
			}
			if got.Achievement != tt.wantAchieve {
				t.Errorf("achievement = %q, want %q", got.Achievement, tt.wantAchieve)
			}
		})
	}
}

func TestTargetText(t *testing.T) {
	g, err := EvaluateGoal([]byte(bpGoal), nil, EvalOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := g.Targets[0].Text(), "< 140 mm[Hg]"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}

func TestEvaluateGoalRange(t *testing.T) {
	goal := `{"resourceType":"Goal","lifecycleStatus":"active","description":{"text":"glucose"},"subject":{"reference":"Patient/p"},
	 "target":[{"measure":{"coding":[{"system":"http://loinc.org","code":"14771-0"}]},
	  "detailRange":{"low":{"value":4.4,"code":"mmol/L"},"high":{"value":7.2,"code":"mmol/L"}}}]}`
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{5.0, "mmol/L", TargetAchieved},
		{3.9, "mmol/L", TargetNotAchieved},
		{7.2, "mmol/L", TargetAchieved},
		{6000, "umol/L", TargetAchieved}, // 6.0 mmol/L through UCUM
	}
	for _, tt := range tests {
		got, err := EvaluateGoal([]byte(goal), [][]byte{labObs(t, "x", "14771-0", 1, tt.v, tt.unit, "final")}, EvalOptions{Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if s := got.Targets[0].Status; s != tt.want {
			t.Errorf("%v %s: status %s, want %s", tt.v, tt.unit, s, tt.want)
		}
	}
}

func TestEvaluateGoalErrors(t *testing.T) {
	tests := []struct {
		name string
		goal string
		obs  [][]byte
		want string
	}{
		{"not a goal", `{"resourceType":"Patient"}`, nil, "want a Goal"},
		{"malformed goal", `{`, nil, "read Goal"},
		{"wrong observation type", bpGoal, [][]byte{[]byte(`{"resourceType":"Condition"}`)}, "want a Observation"},
	}
	for _, tt := range tests {
		_, err := EvaluateGoal([]byte(tt.goal), tt.obs, EvalOptions{Now: testNow})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
