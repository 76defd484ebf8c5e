package medication

import (
	"fmt"
	"sort"
	"time"
)

// Dose timing: how many scheduled doses were taken, taken on time, or
// missed, from dose confirmations (MedicationAdministration resources or
// the patient app's "taken" events).

// Intake is one recorded administration: a medication taken at a time,
// or, with Missed, a dose the patient reported as not taken.
type Intake struct {
	Medication string
	Time       time.Time
	// Missed marks a report that the dose was not taken (a not-done
	// MedicationAdministration): it confirms a miss, it is no intake.
	Missed bool
	// Ref is "MedicationAdministration/{id}" when the record has an id.
	Ref string
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
	in, ok, err = a.Reported(loc)
	if in.Missed {
		return Intake{}, false, nil
	}
	return in, ok, err
}

// Reported returns what the administration says about a dose: taken
// (completed, in-progress) or reported missed (not-done, Intake.Missed).
// ok is false for records that say neither (entered-in-error, stopped,
// on-hold, unknown). A not-done record needs a medication and a time like
// any other, since it confirms a particular dose.
func (a Administration) Reported(loc *time.Location) (in Intake, ok bool, err error) {
	if loc == nil {
		loc = defaultLocation()
	}
	missed := false
	switch a.Status {
	case "completed", "in-progress":
	case "not-done":
		missed = true
	case "entered-in-error", "stopped", "on-hold", "unknown":
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
	in = Intake{Medication: med, Time: t, Missed: missed}
	if a.ID != "" {
		in.Ref = "MedicationAdministration/" + a.ID
	}
	return in, true, nil
}

// Planned is a scheduled dose of a medication (from Schedule).
type Planned struct {
	Medication string
	Time       time.Time
}

// Confirmation pairs a scheduled dose with the intake matched to it; Taken
// is zero when none was. Missed is set when no intake was matched but the
// patient reported the dose missed; a dose neither taken nor reported
// missed is unconfirmed. Ref names the record matched (taken or missed).
type Confirmation struct {
	Medication string
	Scheduled  time.Time
	Taken      time.Time
	Missed     bool
	Ref        string
}

// Unconfirmed reports whether nothing was recorded about the dose.
func (c Confirmation) Unconfirmed() bool { return c.Taken.IsZero() && !c.Missed }

// DefaultTimingWindow is how far from the scheduled time a dose still
// counts as taken on time.
const DefaultTimingWindow = 2 * time.Hour

// Match pairs each planned dose with at most one intake of the same
// medication taken within ±match of it (use a wide match, e.g. half the
// dosing interval, to credit late doses), taking scheduled doses in time
// order and each time the closest intake not yet used. Reports of missed
// doses (Intake.Missed) are then paired the same way with the doses left
// without an intake, so a dose both taken and reported missed counts as
// taken.
func Match(planned []Planned, intakes []Intake, match time.Duration) []Confirmation {
	var taken, missed []Intake
	for _, in := range intakes {
		if in.Missed {
			missed = append(missed, in)
		} else {
			taken = append(taken, in)
		}
	}
	out := matchPass(planned, taken, match, nil)
	if len(missed) > 0 {
		out = matchPass(planned, missed, match, out)
	}
	return out
}

// matchPass pairs the planned doses (sorted by time) with intakes; with a
// previous pass, only the doses it left unmatched take part.
func matchPass(planned []Planned, intakes []Intake, match time.Duration, prev []Confirmation) []Confirmation {
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
	if prev != nil {
		out = prev
	}
	for i, p := range ps {
		if prev == nil {
			out[i] = Confirmation{Medication: p.Medication, Scheduled: p.Time}
		} else if !out[i].Taken.IsZero() {
			continue
		}
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
			if ins[best].Missed {
				out[i].Missed = true
			} else {
				out[i].Taken = ins[best].Time
			}
			out[i].Ref = ins[best].Ref
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

// TimingStats counts doses that were due by now. Pending doses (not taken,
// not reported missed and still inside their window) are left out.
//
// Every due dose is taken, reported missed (ConfirmedMissed) or
// unconfirmed: Due = Taken + ConfirmedMissed + Unconfirmed. Missed is
// ConfirmedMissed + Unconfirmed — every dose not confirmed taken — and
// TakenShare = Taken / Due counts an unconfirmed dose as missed: a lower
// bound that is biased low for patients who take their medicine but do
// not confirm every dose. ConfirmedShare = Taken / (Taken +
// ConfirmedMissed) is the share over the doses the patient confirmed
// either way, to be read beside UnconfirmedShare = Unconfirmed / Due.
type TimingStats struct {
	Medication              string // "" for all medicines
	Due, Taken, OnTime      int
	Missed                  int     // not confirmed taken: ConfirmedMissed + Unconfirmed
	ConfirmedMissed         int     // reported missed (not-done administrations)
	Unconfirmed             int     // neither taken nor reported missed
	TakenShare, OnTimeShare float64 // shares of Due; 0 when nothing is due
	// ConfirmedShare is Taken / (Taken + ConfirmedMissed); 0 when no dose
	// was confirmed (see Confirmed).
	ConfirmedShare   float64
	UnconfirmedShare float64 // Unconfirmed / Due; 0 when nothing is due
}

// Confirmed is the number of due doses confirmed taken or missed.
func (t TimingStats) Confirmed() int { return t.Taken + t.ConfirmedMissed }

// DoseTiming summarises confirmations up to now, overall and per
// medicine (sorted by medicine). window is the on-time tolerance
// (DefaultTimingWindow when 0).
func DoseTiming(confs []Confirmation, now time.Time, window time.Duration) (all TimingStats, per []TimingStats) {
	if window <= 0 {
		window = DefaultTimingWindow
	}
	m := map[string]*TimingStats{}
	for _, c := range confs {
		if c.Scheduled.After(now) || (c.Unconfirmed() && c.Scheduled.Add(window).After(now)) {
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
				if c.Missed {
					t.ConfirmedMissed++
				} else {
					t.Unconfirmed++
				}
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
			t.UnconfirmedShare = float64(t.Unconfirmed) / float64(t.Due)
		}
		if c := t.Confirmed(); c > 0 {
			t.ConfirmedShare = float64(t.Taken) / float64(c)
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
		if s.After(now) || (c.Unconfirmed() && s.Add(window).After(now)) {
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
