package population

import (
	"fmt"
	"time"
)

// WHO HEARTS hypertension-control indicators as HEARTS360 defines them
// (simpledotorg/hearts360 setup guide, Resolve to Save Lives): for a
// reference month M, "past 3 months" is M and the two months before it and
// "past 12 months" is M and the eleven before it.
//
//   - Patients registered during the past 3 months are new: not yet in the
//     denominator of control.
//   - Of the others, those without any visit in the past 12 months are
//     12-month lost to follow-up and leave the denominator; the rest are
//     under care.
//   - Under-care patients are controlled or uncontrolled by their most
//     recent blood pressure in the past 3 months, or "no visit" when none
//     was taken in those months.
//   - Patients who died are excluded from every figure, including months
//     before their death, so that historic rates do not shift when a death
//     is recorded.
//
// Controlled means SBP < 140 AND DBP < 90 (the guide's prose and WHO
// HEARTS). The guide's SQL marks uncontrolled as "systolic > 140 OR
// diastolic > 90", which would count 140/90 exactly as controlled; Sen
// follows the prose: 140/90 exactly is uncontrolled (docs/population.md).

// HEARTS statuses of one patient in one month.
const (
	HeartsDead         = "dead"
	HeartsNew          = "new"          // registered in the past 3 months
	HeartsLTFU         = "ltfu"         // no visit in the past 12 months
	HeartsControlled   = "controlled"   // under care, last BP in 3 months < 140/90
	HeartsUncontrolled = "uncontrolled" // under care, last BP in 3 months >= 140 or >= 90
	HeartsNoVisit      = "no-visit"     // under care, no BP in the past 3 months
)

// Month is a calendar month.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf returns the month of t (in t's location).
func MonthOf(t time.Time) Month { return Month{t.Year(), t.Month()} }

// ParseMonth parses "2024-04".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Month{}, fmt.Errorf("month %q: want YYYY-MM", s)
	}
	return MonthOf(t), nil
}

// Add returns the month n months later (earlier for n < 0).
func (m Month) Add(n int) Month {
	k := m.index() + n
	return Month{k / 12, time.Month(k%12 + 1)}
}

func (m Month) index() int { return m.Year*12 + int(m.Month) - 1 }

// Before reports whether m is before o.
func (m Month) Before(o Month) bool { return m.index() < o.index() }

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// BPReading is one blood-pressure measurement.
type BPReading struct {
	Date                time.Time
	Systolic, Diastolic float64
}

// Controlled reports SBP < 140 and DBP < 90.
func (r BPReading) Controlled() bool { return r.Systolic < 140 && r.Diastolic < 90 }

// HeartsPatient is what the indicator needs of a registered patient.
type HeartsPatient struct {
	Registered time.Time   // registration (diagnosis or enrolment) date
	Dead       bool        // died (whenever)
	Visits     []time.Time // encounters of any kind (BP readings count as visits too)
	BP         []BPReading
}

// HeartsBP classifies p for reference month m.
func HeartsBP(p HeartsPatient, m Month) string {
	if p.Dead {
		return HeartsDead
	}
	start3, start12 := m.Add(-2), m.Add(-11)
	if !MonthOf(p.Registered).Before(start3) {
		return HeartsNew
	}
	in := func(t time.Time, from Month) bool {
		mm := MonthOf(t)
		return !mm.Before(from) && !m.Before(mm)
	}
	var last *BPReading
	visited := false
	for i := range p.BP {
		r := &p.BP[i]
		if in(r.Date, start12) {
			visited = true
		}
		if in(r.Date, start3) && (last == nil || r.Date.After(last.Date)) {
			last = r
		}
	}
	for _, v := range p.Visits {
		if in(v, start12) {
			visited = true
		}
	}
	switch {
	case !visited:
		return HeartsLTFU
	case last == nil:
		return HeartsNoVisit
	case last.Controlled():
		return HeartsControlled
	}
	return HeartsUncontrolled
}

// HeartsUnderCare reports whether a status is in the control denominator.
func HeartsUnderCare(status string) bool {
	return status == HeartsControlled || status == HeartsUncontrolled || status == HeartsNoVisit
}

// GlucoseReading is one diabetes-control measurement: HbA1c (%) or
// fasting plasma glucose (mmol/L).
type GlucoseReading struct {
	Date  time.Time
	HbA1c float64 // %, 0 when not measured
	FPG   float64 // mmol/L, 0 when not measured
}

// Controlled follows WHO HEARTS-D: HbA1c < 7% (when measured, it wins),
// else fasting glucose < 7.0 mmol/L (126 mg/dL).
func (g GlucoseReading) Controlled() bool {
	if g.HbA1c > 0 {
		return g.HbA1c < 7
	}
	return g.FPG > 0 && g.FPG < 7
}

// HeartsDiabetes classifies a diabetes patient for month m the same way as
// HeartsBP but by the latest glucose reading in the past 3 months.
func HeartsDiabetes(p HeartsPatient, glucose []GlucoseReading, m Month) string {
	bp := HeartsPatient{Registered: p.Registered, Dead: p.Dead, Visits: p.Visits}
	for _, g := range glucose {
		// A glucose reading is mapped onto the BP classifier: controlled
		// readings as 120/80, uncontrolled as 160/100.
		r := BPReading{Date: g.Date, Systolic: 160, Diastolic: 100}
		if g.Controlled() {
			r.Systolic, r.Diastolic = 120, 80
		}
		bp.BP = append(bp.BP, r)
	}
	for _, r := range p.BP {
		bp.Visits = append(bp.Visits, r.Date)
	}
	return HeartsBP(bp, m)
}
