package population

import (
	"strings"
	"testing"
	"time"
)

// TestHeartsScenarios reproduces every scenario of the HEARTS360 guide.
func TestHeartsScenarios(t *testing.T) {
	wantStatus := map[string]string{
		"controlled":   HeartsControlled,
		"uncontrolled": HeartsUncontrolled,
		"no_visit":     HeartsNoVisit,
		"under_care":   HeartsNoVisit, // under care: in the denominator, no BP in 3 months
		"ltfu":         HeartsLTFU,
		"dead":         HeartsDead,
	}
	rows := readCSV(t, "hearts360_bp_control_scenarios.csv")
	if len(rows) != len(wantStatus) {
		t.Fatalf("%d scenarios, want %d", len(rows), len(wantStatus))
	}
	for _, r := range rows {
		t.Run(r["scenario"], func(t *testing.T) {
			p := HeartsPatient{Registered: month(t, r["registered"])}
			for _, v := range strings.Split(r["visits"], ";") {
				v = strings.TrimSpace(v)
				if strings.HasPrefix(v, "marked dead") {
					p.Dead = true
					continue
				}
				f := strings.Fields(v)
				d := month(t, f[0])
				switch {
				case len(f) == 1: // a visit without a recorded reading
					p.Visits = append(p.Visits, d)
				case f[1] == "controlled":
					p.BP = append(p.BP, BPReading{Date: d, Systolic: 128, Diastolic: 78})
				default: // "uncontrolled", "(BP not controlled)"
					p.BP = append(p.BP, BPReading{Date: d, Systolic: 152, Diastolic: 94})
				}
			}
			months := []string{r["reference_month"]}
			if r["reference_month"] == "any" { // dead: every month, historic ones too
				months = []string{"2023-10", "2023-12", "2024-01", "2024-06"}
			}
			for _, ms := range months {
				m, err := ParseMonth(ms)
				if err != nil {
					t.Fatal(err)
				}
				got := HeartsBP(p, m)
				if got != wantStatus[r["scenario"]] {
					t.Errorf("%s: got %s, want %s (%s)", ms, got, wantStatus[r["scenario"]], r["expected_category"])
				}
				wantUnder := r["scenario"] != "ltfu" && r["scenario"] != "dead"
				if under := HeartsUnderCare(got); under != wantUnder {
					t.Errorf("under care = %v, want %v (%s)", under, wantUnder, r["expected_category"])
				}
			}
		})
	}
}

func TestHeartsBoundaries(t *testing.T) {
	reg := time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC)
	apr := Month{2024, time.April}
	tests := []struct {
		name string
		p    HeartsPatient
		want string
	}{
		{"140/90 exactly is uncontrolled", HeartsPatient{Registered: reg, BP: []BPReading{{day(2024, 4, 2), 140, 80}}}, HeartsUncontrolled},
		{"139/90 is uncontrolled", HeartsPatient{Registered: reg, BP: []BPReading{{day(2024, 4, 2), 139, 90}}}, HeartsUncontrolled},
		{"139/89 is controlled", HeartsPatient{Registered: reg, BP: []BPReading{{day(2024, 4, 2), 139, 89}}}, HeartsControlled},
		{"latest reading wins within a month", HeartsPatient{Registered: reg, BP: []BPReading{{day(2024, 4, 20), 120, 70}, {day(2024, 4, 2), 170, 100}}}, HeartsControlled},
		{"registered two months ago is new", HeartsPatient{Registered: day(2024, 2, 1), BP: []BPReading{{day(2024, 4, 2), 120, 70}}}, HeartsNew},
		{"registered three months ago counts", HeartsPatient{Registered: day(2024, 1, 31), BP: []BPReading{{day(2024, 4, 2), 120, 70}}}, HeartsControlled},
		{"visit without BP keeps under care", HeartsPatient{Registered: reg, Visits: []time.Time{day(2024, 3, 2)}}, HeartsNoVisit},
		{"future readings ignored", HeartsPatient{Registered: reg, BP: []BPReading{{day(2024, 5, 2), 120, 70}}}, HeartsLTFU},
	}
	for _, tt := range tests {
		if got := HeartsBP(tt.p, apr); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestHeartsDiabetes(t *testing.T) {
	reg := day(2022, 1, 1)
	apr := Month{2024, time.April}
	tests := []struct {
		g    []GlucoseReading
		want string
	}{
		{[]GlucoseReading{{Date: day(2024, 3, 1), HbA1c: 6.9}}, HeartsControlled},
		{[]GlucoseReading{{Date: day(2024, 3, 1), HbA1c: 7.0, FPG: 5}}, HeartsUncontrolled},
		{[]GlucoseReading{{Date: day(2024, 3, 1), FPG: 6.9}}, HeartsControlled},
		{[]GlucoseReading{{Date: day(2024, 3, 1), FPG: 7.0}}, HeartsUncontrolled},
		{[]GlucoseReading{{Date: day(2023, 10, 1), FPG: 6}}, HeartsNoVisit},
		{nil, HeartsLTFU},
	}
	for _, tt := range tests {
		if got := HeartsDiabetes(HeartsPatient{Registered: reg}, tt.g, apr); got != tt.want {
			t.Errorf("%+v: got %s, want %s", tt.g, got, tt.want)
		}
	}
}

func TestMonth(t *testing.T) {
	m, err := ParseMonth("2024-02")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Add(-2).String(); got != "2023-12" {
		t.Errorf("Add(-2) = %s", got)
	}
	if got := m.Add(11).String(); got != "2025-01" {
		t.Errorf("Add(11) = %s", got)
	}
	if _, err := ParseMonth("2024/02"); err == nil {
		t.Error("want error")
	}
}

func month(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse("2006-01", s)
	if err != nil {
		tb.Fatal(err)
	}
	return t.AddDate(0, 0, 14)
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, time.UTC) }
