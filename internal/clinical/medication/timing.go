package medication

import (
	"fmt"
	"sort"
	"time"
)

// Dose timing: how many scheduled doses were taken, taken on time, or
// missed, from dose confirmations (MedicationAdministration resources or
// the patient app's "taken" events).

// Intake is one recorded administration: a medication taken at a time.
type Intake struct {
	Medication string
	Time       time.Time
}

// Administration is the part of a MedicationAdministration used here.
// https://hl7.org/fhir/R4/medicationadministration.html
type Administration struct {
	ResourceType              string           `json:"resourceType"`
	ID                        string           `json:"id,omitempty"`
	Status                    string           `json:"status,omitempty"`
	MedicationCodeableConcept *CodeableConcept `json:"medicationCodeableConcept,omitempty"`
	EffectiveDateTime         string           `json:"effectiveDateTime,omitempty"`
	EffectivePeriod           *Period          `json:"effectivePeriod,omitempty"`
}

// ParseAdministration decodes a MedicationAdministration.
func ParseAdministration(data []byte) (Administration, error) {
	var a Administration
	if err := decode(data, "MedicationAdministration", &a, &a.ResourceType); err != nil {
		return Administration{}, err
	}
	return a, nil
}

// Intake returns the administration as an Intake. ok is false for
// administrations that did not happen (status not-done, entered-in-error,
// stopped before start); the medication key is the ATC code, else the
// first code, else the text, as for Dispense.Fill.
func (a Administration) Intake(loc *time.Location) (in Intake, ok bool, err error) {
	if loc == nil {
		loc = defaultLocation()
	}
	switch a.Status {
	case "completed", "in-progress":
	case "not-done", "entered-in-error", "stopped", "on-hold", "unknown":
		return Intake{}, false, nil
	default:
		return Intake{}, false, fmt.Errorf("MedicationAdministration/%s: unknown status %q", a.ID, a.Status)
	}
	med := a.MedicationCodeableConcept.Code(ATCSystem)
	if med == "" {
		med = a.MedicationCodeableConcept.Label()
	}
	when := a.EffectiveDateTime
	if when == "" && a.EffectivePeriod != nil {
		when = a.EffectivePeriod.Start
	}
	if med == "" || when == "" {
		return Intake{}, false, fmt.Errorf("MedicationAdministration/%s: needs a medication and an effective time", a.ID)
	}
	t, _, err := parseDateTime(when, loc)
	if err != nil {
		return Intake{}, false, fmt.Errorf("MedicationAdministration/%s: %w", a.ID, err)
	}
	return Intake{Medication: med, Time: t}, true, nil
}

// Planned is a scheduled dose of a medication (from Schedule).
type Planned struct {
	Medication string
	Time       time.Time
}

// Confirmation pairs a scheduled dose with the intake matched to it; Taken
// is zero when none was.
type Confirmation struct {
	Medication string
	Scheduled  time.Time
	Taken      time.Time
}

// DefaultTimingWindow is how far from the scheduled time a dose still
// counts as taken on time.
const DefaultTimingWindow = 2 * time.Hour

// Match pairs each planned dose with at most one intake of the same
// medication taken within ±match of it (use a wide match, e.g. half the
// dosing interval, to credit late doses), taking scheduled doses in time
// order and each time the closest intake not yet used.
func Match(planned []Planned, intakes []Intake, match time.Duration) []Confirmation {
	byMed := map[string][]Intake{}
	for _, in := range intakes {
		byMed[in.Medication] = append(byMed[in.Medication], in)
	}
	for _, ins := range byMed {
		sort.Slice(ins, func(i, j int) bool { return ins[i].Time.Before(ins[j].Time) })
	}
	used := map[string][]bool{}
	ps := append([]Planned(nil), planned...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Time.Before(ps[j].Time) })
	out := make([]Confirmation, len(ps))
	for i, p := range ps {
		out[i] = Confirmation{Medication: p.Medication, Scheduled: p.Time}
		ins := byMed[p.Medication]
		if used[p.Medication] == nil {
			used[p.Medication] = make([]bool, len(ins))
		}
		best := -1
		for j, in := range ins {
			d := absDur(in.Time.Sub(p.Time))
			if used[p.Medication][j] || d > match {
				continue
			}
			if best < 0 || d < absDur(ins[best].Time.Sub(p.Time)) {
				best = j
			}
		}
		if best >= 0 {
			used[p.Medication][best] = true
			out[i].Taken = ins[best].Time
		}
	}
	return out
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// TimingStats counts doses that were due by now. Pending doses (not taken
// and still inside their window) are left out.
type TimingStats struct {
	Medication              string // "" for all medicines
	Due, Taken, OnTime      int
	Missed                  int
	TakenShare, OnTimeShare float64 // shares of Due; 0 when nothing is due
}

// DoseTiming summarises confirmations up to now, overall and per
// medicine (sorted by medicine). window is the on-time tolerance
// (DefaultTimingWindow when 0).
func DoseTiming(confs []Confirmation, now time.Time, window time.Duration) (all TimingStats, per []TimingStats) {
	if window <= 0 {
		window = DefaultTimingWindow
	}
	m := map[string]*TimingStats{}
	for _, c := range confs {
		if c.Scheduled.After(now) || (c.Taken.IsZero() && c.Scheduled.Add(window).After(now)) {
			continue
		}
		s := m[c.Medication]
		if s == nil {
			s = &TimingStats{Medication: c.Medication}
			m[c.Medication] = s
		}
		for _, t := range []*TimingStats{s, &all} {
			t.Due++
			switch {
			case c.Taken.IsZero():
				t.Missed++
			case absDur(c.Taken.Sub(c.Scheduled)) <= window:
				t.Taken++
				t.OnTime++
			default:
				t.Taken++
			}
		}
	}
	for _, s := range m {
		per = append(per, *s)
	}
	sort.Slice(per, func(i, j int) bool { return per[i].Medication < per[j].Medication })
	for _, t := range append([]*TimingStats{&all}, ptrs(per)...) {
		if t.Due > 0 {
			t.TakenShare = float64(t.Taken) / float64(t.Due)
			t.OnTimeShare = float64(t.OnTime) / float64(t.Due)
		}
	}
	return all, per
}

func ptrs(ss []TimingStats) []*TimingStats {
	out := make([]*TimingStats, len(ss))
	for i := range ss {
		out[i] = &ss[i]
	}
	return out
}

// DayStatus is one cell of the adherence strip.
type DayStatus int

// Day statuses, from best to worst; NoDoses and Pending are neutral.
const (
	NoDoses   DayStatus = iota // nothing was scheduled
	AllOnTime                  // every dose taken within the window
	AllTaken                   // every dose taken, some late
	Partial                    // some doses missed
	NoneTaken                  // every dose missed
	Pending                    // today, doses still to come
)

func (s DayStatus) String() string {
	return [...]string{"no-doses", "all-on-time", "all-taken", "partial", "none-taken", "pending"}[s]
}

// Day is one day of the strip.
type Day struct {
	Date                       time.Time // local midnight
	Due, Taken, OnTime, Missed int
	Status                     DayStatus
}

// Strip returns the last n days (oldest first, ending with now's day in
// loc) for the UI's adherence bar, from the confirmations of all medicines.
func Strip(confs []Confirmation, now time.Time, n int, loc *time.Location, window time.Duration) []Day {
	if loc == nil {
		loc = defaultLocation()
	}
	if window <= 0 {
		window = DefaultTimingWindow
	}
	now = now.In(loc)
	y, mo, d := now.Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	days := make([]Day, n)
	for i := range days {
		days[i].Date = today.AddDate(0, 0, i-n+1)
	}
	pending := make([]bool, n)
	for _, c := range confs {
		s := c.Scheduled.In(loc)
		i := dayOf(s) - dayOf(days[0].Date)
		if i < 0 || i >= n {
			continue
		}
		if s.After(now) || (c.Taken.IsZero() && s.Add(window).After(now)) {
			pending[i] = true
			continue
		}
		day := &days[i]
		day.Due++
		switch {
		case c.Taken.IsZero():
			day.Missed++
		case absDur(c.Taken.Sub(c.Scheduled)) <= window:
			day.Taken++
			day.OnTime++
		default:
			day.Taken++
		}
	}
	for i := range days {
		day := &days[i]
		switch {
		case day.Missed > 0 && day.Taken == 0:
			day.Status = NoneTaken
		case day.Missed > 0:
			day.Status = Partial
		case pending[i]:
			day.Status = Pending
		case day.Due == 0:
			day.Status = NoDoses
		case day.OnTime == day.Due:
			day.Status = AllOnTime
		default:
			day.Status = AllTaken
		}
	}
	return days
}
