package medication

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// A patient's adherence report: the measure chosen by the caller (PDC,
// CMA1–CMA9 or dose timing) per medicine or per therapeutic class over a
// measurement period, computed from the patient's raw MedicationRequest,
// MedicationDispense and MedicationAdministration JSON. This is what the
// $adherence operation and `sen adherence` return; docs/adherence.md §6
// documents every field.

// Records are one patient's medication resources as raw FHIR JSON, in any
// order. Resources of other types are an error.
type Records struct {
	Requests        [][]byte
	Dispenses       [][]byte
	Administrations [][]byte
}

// Methods and groupings accepted by ReportOptions.
const (
	MethodPDC   = "pdc"
	MethodDoses = "doses"
	ByMedicine  = "medication"
	ByClass     = "class"
)

// ReportOptions parameterise BuildReport.
type ReportOptions struct {
	// Start and End are the measurement period's civil dates, both
	// inclusive. Required.
	Start, End time.Time
	// Method is "pdc" (default), "cma1" … "cma9" or "doses".
	Method string
	// By is "medication" (default: one group per drug code) or "class"
	// (the ATC therapeutic subgroup, e.g. C09; non-ATC drugs stay alone).
	By string
	// Now bounds dose timing (later doses are not yet due). Required.
	Now time.Time
	// Loc is the patient's time zone (Asia/Ho_Chi_Minh when nil).
	Loc   *time.Location
	Meals MealTimes
	// Window is the on-time tolerance (DefaultTimingWindow when 0).
	Window time.Duration
	// StripDays is the length of the adherence strip (14 when 0).
	StripDays int
	// Inpatient stays are excluded from PDC per PQA.
	Inpatient []Stay
}

// ErrBadOptions is wrapped by BuildReport's option errors so that callers
// can answer 400 rather than 500.
var ErrBadOptions = errors.New("invalid adherence report options")

// GroupReport is the result for one medicine or class.
type GroupReport struct {
	Key   string // drug code or class code
	Label string // human name of the medicine or class (first seen)
	Fills int    // dispenses in the group (all dates)
	// PDC is set for method pdc.
	PDC *PDCResult
	// CMA is set for methods cma1–cma9 when computable; CMANote says why
	// it is not (AdhereR's NA).
	CMA     *float64
	CMANote string
	// Doses is set when doses were scheduled in the period.
	Doses *TimingStats
}

// Report is BuildReport's answer.
type Report struct {
	Start, End time.Time // civil dates (midnight UTC), inclusive
	Method, By string
	Groups     []GroupReport // sorted by Key
	Doses      TimingStats   // all medicines
	Strip      []Day         // last StripDays days up to min(Now, End)
	// Warnings name resources that were skipped (a dispense that is not
	// completed, a dosage Sen cannot schedule, …): never silently dropped.
	Warnings []string
}

// parseMethod maps a method name to a CMA measure (0 for pdc and doses).
func parseMethod(m string) (string, Measure, error) {
	m = strings.ToLower(strings.TrimSpace(m))
	switch m {
	case "", MethodPDC:
		return MethodPDC, 0, nil
	case MethodDoses:
		return MethodDoses, 0, nil
	}
	if len(m) == 4 && strings.HasPrefix(m, "cma") && m[3] >= '1' && m[3] <= '9' {
		return m, Measure(m[3] - '0'), nil
	}
	return "", 0, fmt.Errorf("method %q: want pdc, cma1 … cma9 or doses: %w", m, ErrBadOptions)
}

// classOf returns the ATC therapeutic subgroup (level 2, e.g. "C09") of an
// ATC code, or the code itself when it does not look like one.
func classOf(code string) string {
	if looksATC(code) {
		return code[:3]
	}
	return code
}

// looksATC reports whether code has the shape of an ATC code of level 2 or
// deeper (a letter, two digits, then letters and digits, at most 7).
func looksATC(code string) bool {
	if len(code) < 3 || len(code) > 7 || code[0] < 'A' || code[0] > 'Z' {
		return false
	}
	for i := 1; i < len(code); i++ {
		c := code[i]
		digit := c >= '0' && c <= '9'
		if (i <= 2 || i >= 5) && !digit || !digit && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// BuildReport computes the adherence report of one patient. Invalid
// options return an error wrapping ErrBadOptions; resources that cannot be
// decoded are errors naming them; resources that decode but cannot be used
// are listed in Report.Warnings.
func BuildReport(rec Records, o ReportOptions) (Report, error) {
	method, measure, err := parseMethod(o.Method)
	if err != nil {
		return Report{}, err
	}
	by := strings.ToLower(o.By)
	switch by {
	case "":
		by = ByMedicine
	case ByMedicine, ByClass:
	default:
		return Report{}, fmt.Errorf("by %q: want medication or class: %w", o.By, ErrBadOptions)
	}
	if o.Start.IsZero() || o.End.IsZero() {
		return Report{}, fmt.Errorf("start and end are required: %w", ErrBadOptions)
	}
	if o.Now.IsZero() {
		return Report{}, fmt.Errorf("now is required: %w", ErrBadOptions)
	}
	start, end := dayOf(o.Start), dayOf(o.End)
	if end < start {
		return Report{}, fmt.Errorf("end %s is before start %s: %w", o.End.Format(time.DateOnly), o.Start.Format(time.DateOnly), ErrBadOptions)
	}
	if end-start > 366*20 {
		return Report{}, fmt.Errorf("a period longer than 20 years is not supported: %w", ErrBadOptions)
	}
	if o.Loc == nil {
		o.Loc = defaultLocation()
	}
	if o.StripDays <= 0 {
		o.StripDays = 14
	}
	if o.StripDays > 366 {
		return Report{}, fmt.Errorf("strip of %d days: at most 366: %w", o.StripDays, ErrBadOptions)
	}
	rep := Report{Start: dateOf(start), End: dateOf(end), Method: method, By: by}
	groupOf := func(drug string) string {
		if by == ByClass {
			return classOf(drug)
		}
		return drug
	}
	groups := map[string]*GroupReport{}
	group := func(drug, label string) *GroupReport {
		k := groupOf(drug)
		g := groups[k]
		if g == nil {
			g = &GroupReport{Key: k, Label: label}
			if by == ByClass && k != drug {
				g.Label = k
			}
			groups[k] = g
		}
		return g
	}

	// Dispenses → fills per group.
	fills := map[string][]Fill{}
	for _, raw := range rec.Dispenses {
		d, err := ParseDispense(raw)
		if err != nil {
			return Report{}, err
		}
		f, err := d.Fill(o.Loc)
		if err != nil {
			rep.Warnings = append(rep.Warnings, err.Error())
			continue
		}
		// A medicine cannot be handed over after now, nor before modern
		// records began: such dates are typing errors, and counting them
		// would cover days the patient had no medicine.
		if f.Date.After(o.Now) || f.Date.Year() < 1900 {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("MedicationDispense/%s: handed over %s, after now or before 1900: not counted",
				d.ID, f.Date.Format(time.DateOnly)))
			continue
		}
		g := group(f.Drug, d.MedicationCodeableConcept.Label())
		g.Fills++
		fills[g.Key] = append(fills[g.Key], f)
	}

	if method == MethodPDC || measure != 0 {
		for k, g := range groups {
			fs := fills[k]
			if method == MethodPDC {
				r, err := PDC(fs, PDCOptions{PeriodStart: rep.Start, PeriodEnd: rep.End, Inpatient: o.Inpatient})
				if err != nil {
					rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: %v", k, err))
					continue
				}
				r.Fills = nil // per-fill detail is not part of the report
				g.PDC = &r
				continue
			}
			events := make([]Event, len(fs))
			for i, f := range fs {
				events[i] = Event{Date: f.Date, Duration: float64(f.DaysSupply), Category: f.Drug}
			}
			w := Window{Start: rep.Start, Days: end - start + 1}
			v, err := ComputeCMA(measure, events, CMAOptions{FollowUp: w, Observation: w})
			if err != nil {
				g.CMANote = err.Error()
				continue
			}
			g.CMA = &v
		}
	}

	// Requests → planned doses; administrations → intakes.
	from := time.Date(rep.Start.Year(), rep.Start.Month(), rep.Start.Day(), 0, 0, 0, 0, o.Loc)
	afterEnd := dateOf(end + 1)
	to := time.Date(afterEnd.Year(), afterEnd.Month(), afterEnd.Day(), 0, 0, 0, 0, o.Loc)
	if now := o.Now.In(o.Loc); now.Before(to) {
		to = now
	}
	// The strip ends on the last day of the period, or today.
	stripNow := to.Add(-time.Nanosecond)
	var planned []Planned
	stripFrom := time.Date(stripNow.Year(), stripNow.Month(), stripNow.Day(), 0, 0, 0, 0, o.Loc).AddDate(0, 0, 1-o.StripDays)
	schedFrom := from
	if method != MethodDoses && stripFrom.After(from) {
		// Only the strip needs doses when dose timing is not the method.
		schedFrom = stripFrom
	}
	keyOf := map[string]string{} // medication key → group key
	for _, raw := range rec.Requests {
		req, err := ParseRequest(raw)
		if err != nil {
			return Report{}, err
		}
		switch req.Status {
		case "cancelled", "entered-in-error", "draft", "stopped", "unknown":
			continue
		}
		drug := req.MedicationCodeableConcept.Code(ATCSystem)
		if drug == "" {
			drug = req.MedicationCodeableConcept.Label()
		}
		if drug == "" {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("MedicationRequest/%s: no medicationCodeableConcept", req.ID))
			continue
		}
		if !to.After(schedFrom) {
			continue
		}
		doses, err := Schedule(req, schedFrom, to, o.Loc, o.Meals)
		if err != nil {
			rep.Warnings = append(rep.Warnings, err.Error())
			continue
		}
		if len(doses) == 0 {
			continue
		}
		g := group(drug, req.MedicationCodeableConcept.Label())
		keyOf[drug] = g.Key
		for _, d := range doses {
			planned = append(planned, Planned{Medication: drug, Time: d.Time})
		}
	}
	var intakes []Intake
	for _, raw := range rec.Administrations {
		a, err := ParseAdministration(raw)
		if err != nil {
			return Report{}, err
		}
		// Taken doses and doses reported missed: a report of a miss
		// confirms the dose, so it is not counted as unconfirmed.
		in, ok, err := a.Reported(o.Loc)
		if err != nil {
			rep.Warnings = append(rep.Warnings, err.Error())
			continue
		}
		if ok {
			intakes = append(intakes, in)
		}
	}
	// Half a day credits a late dose of a once- or twice-daily medicine
	// without stealing the next one (Match takes the closest intake).
	confs := Match(planned, intakes, 12*time.Hour)
	rep.Strip = Strip(confs, stripNow, o.StripDays, o.Loc, o.Window)
	if method == MethodDoses {
		var grouped []Confirmation
		for _, c := range confs {
			c.Medication = keyOf[c.Medication]
			grouped = append(grouped, c)
		}
		all, per := DoseTiming(grouped, to, o.Window)
		rep.Doses = all
		for i := range per {
			if g := groups[per[i].Medication]; g != nil {
				g.Doses = &per[i]
			}
		}
	}

	for _, g := range groups {
		rep.Groups = append(rep.Groups, *g)
	}
	sort.Slice(rep.Groups, func(i, j int) bool { return rep.Groups[i].Key < rep.Groups[j].Key })
	return rep, nil
}
