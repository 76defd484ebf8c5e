package medication

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Dose is one scheduled administration.
type Dose struct {
	Time      time.Time // in the patient's location
	Amount    float64   // 0 when the dosage gives no dose
	AmountMax float64   // upper bound of a doseRange, else equal to Amount
	Unit      string
	Line      int // index in dosageInstruction
	Sequence  int // Dosage.sequence, 0 when absent
}

// horizon bounds the search for the end of a count-limited line.
const horizonYears = 100

// Schedule returns the doses req prescribes in [from, to), sorted by time,
// in loc (Asia/Ho_Chi_Minh when nil), resolving when-codes with meals
// (Vietnamese defaults for zero fields).
//
// Dosage lines with the same sequence (or none) run concurrently; a line
// of a later sequence without its own boundsPeriod.start starts when the
// previous sequence ends (tapering). The first sequence starts at
// boundsPeriod.start, else at authoredOn. PRN lines (asNeeded) have no
// scheduled doses: see PRNLimits. Invalid or unsupported dosages return an
// error naming the line.
func Schedule(req Request, from, to time.Time, loc *time.Location, meals MealTimes) ([]Dose, error) {
	if loc == nil {
		loc = defaultLocation()
	}
	meals = meals.withDefaults()
	if err := meals.Validate(); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	if !to.After(from) {
		return nil, fmt.Errorf("schedule: window end %v is not after start %v", to, from)
	}
	if len(req.DosageInstruction) == 0 {
		return nil, fmt.Errorf("schedule MedicationRequest/%s: no dosageInstruction", req.ID)
	}
	var authored time.Time
	if req.AuthoredOn != "" {
		t, _, err := parseDateTime(req.AuthoredOn, loc)
		if err != nil {
			return nil, fmt.Errorf("schedule MedicationRequest/%s: authoredOn: %w", req.ID, err)
		}
		authored = t
	}

	lines := make([]int, len(req.DosageInstruction))
	for i := range lines {
		lines[i] = i
	}
	seqOf := func(i int) int {
		if s := req.DosageInstruction[i].Sequence; s != nil {
			return *s
		}
		return 0
	}
	sort.SliceStable(lines, func(a, b int) bool { return seqOf(lines[a]) < seqOf(lines[b]) })

	var doses []Dose
	groupStart, openEnded := authored, -1
	for g := 0; g < len(lines); {
		seq := seqOf(lines[g])
		var groupEnd time.Time
		groupOpen := false
		for ; g < len(lines) && seqOf(lines[g]) == seq; g++ {
			i := lines[g]
			d := req.DosageInstruction[i]
			if d.asNeeded() {
				continue
			}
			p, err := planLine(d, i, seq, groupStart, openEnded, loc, meals)
			if err != nil {
				return nil, fmt.Errorf("schedule MedicationRequest/%s dosage %d: %w", req.ID, i+1, err)
			}
			doses = append(doses, p.generate(from, to)...)
			end := p.end
			if end.IsZero() && p.count > 0 {
				end = p.countEnd()
			}
			if end.IsZero() {
				groupOpen = true
			} else if end.After(groupEnd) {
				groupEnd = end
			}
		}
		if groupOpen {
			openEnded = seq
		}
		if !groupEnd.IsZero() {
			groupStart = groupEnd
		}
	}
	sort.SliceStable(doses, func(a, b int) bool { return doses[a].Time.Before(doses[b].Time) })
	return doses, nil
}

// mode is how a line's dose times are generated.
type mode int

const (
	byDay    mode = iota // times of day on dose days
	byHours              // every interval from an anchor
	byAwake              // every interval from waking to sleep, each day
	byEvents             // explicit Timing.event instants only
)

// linePlan is one Dosage line made concrete.
type linePlan struct {
	line, seq   int
	start, end  time.Time // end zero: open-ended
	count       int       // 0: no count limit
	amount, max float64
	unit        string
	loc         *time.Location
	meals       MealTimes

	mode     mode
	events   []time.Time
	anchor   time.Time
	interval time.Duration
	times    []time.Duration // byDay
	unitDay  string          // d, wk, mo, a
	period   int             // in unitDay
	weekDays [7]bool         // byDay filter; all false = no filter
	weekOffs []int           // wk without dayOfWeek: day offsets within a period
}

func planLine(d Dosage, line, seq int, groupStart time.Time, openSeq int, loc *time.Location, meals MealTimes) (*linePlan, error) {
	p := &linePlan{line: line, seq: seq, loc: loc, meals: meals}
	if err := p.setDose(d); err != nil {
		return nil, err
	}
	if d.Timing == nil {
		return nil, fmt.Errorf("no timing: cannot schedule %q", d.Text)
	}
	r, err := repeatOf(d.Timing)
	if err != nil {
		return nil, err
	}
	hasTime := false
	switch {
	case r != nil && r.BoundsPeriod != nil && r.BoundsPeriod.Start != "":
		p.start, hasTime, err = parseDateTime(r.BoundsPeriod.Start, loc)
		if err != nil {
			return nil, fmt.Errorf("boundsPeriod.start: %w", err)
		}
	case openSeq >= 0:
		return nil, fmt.Errorf("sequence %d has no end, so sequence %d needs its own boundsPeriod.start", openSeq, seq)
	case groupStart.IsZero() && len(d.Timing.Event) == 0:
		return nil, fmt.Errorf("no start: give authoredOn or timing.repeat.boundsPeriod.start")
	default:
		p.start = groupStart
		hasTime = groupStart.Hour() != 0 || groupStart.Minute() != 0 || groupStart.Second() != 0
	}
	for _, e := range d.Timing.Event {
		t, _, err := parseDateTime(e, loc)
		if err != nil {
			return nil, fmt.Errorf("timing.event: %w", err)
		}
		p.events = append(p.events, t)
	}
	if r == nil {
		if len(p.events) == 0 {
			return nil, fmt.Errorf("timing has neither repeat, code nor event")
		}
		p.mode = byEvents
		return p, nil
	}
	if err := p.setBounds(r); err != nil {
		return nil, err
	}
	return p, p.setPattern(r, hasTime)
}

func (p *linePlan) setDose(d Dosage) error {
	for _, dr := range d.DoseAndRate {
		switch {
		case dr.DoseQuantity != nil:
			q := dr.DoseQuantity
			if q.Value == nil || *q.Value < 0 || math.IsNaN(*q.Value) {
				return fmt.Errorf("doseQuantity needs a value >= 0")
			}
			p.amount, p.max, p.unit = *q.Value, *q.Value, q.Unit
			if p.unit == "" {
				p.unit = q.Code
			}
			return nil
		case dr.DoseRange != nil:
			lo, hi := dr.DoseRange.Low, dr.DoseRange.High
			if lo == nil || hi == nil || lo.Value == nil || hi.Value == nil || *lo.Value < 0 || *hi.Value < *lo.Value {
				return fmt.Errorf("doseRange needs low <= high, both with values")
			}
			p.amount, p.max, p.unit = *lo.Value, *hi.Value, lo.Unit
			if p.unit == "" {
				p.unit = lo.Code
			}
			return nil
		}
	}
	return nil
}

// repeatOf returns timing.repeat, or one derived from a standard timing
// code (HL7 v3 GTSAbbreviation) when only a code is given.
func repeatOf(t *Timing) (*Repeat, error) {
	if t.Repeat != nil || t.Code == nil {
		return t.Repeat, nil
	}
	f := func(freq int, period float64, unit string) *Repeat {
		return &Repeat{Frequency: &freq, Period: &period, PeriodUnit: unit}
	}
	switch c := t.Code.Code(""); c {
	case "QD":
		return f(1, 1, "d"), nil
	case "BID":
		return f(2, 1, "d"), nil
	case "TID":
		return f(3, 1, "d"), nil
	case "QID":
		return f(4, 1, "d"), nil
	case "QOD":
		return f(1, 2, "d"), nil
	case "Q4H":
		return f(1, 4, "h"), nil
	case "Q6H":
		return f(1, 6, "h"), nil
	case "WK":
		return f(1, 1, "wk"), nil
	case "MO":
		return f(1, 1, "mo"), nil
	case "AM":
		return &Repeat{When: []string{"MORN"}}, nil
	case "PM":
		return &Repeat{When: []string{"EVE"}}, nil
	case "BED":
		return &Repeat{When: []string{"HS"}}, nil
	default:
		return nil, fmt.Errorf("timing code %q without repeat is not supported", c)
	}
}

func (p *linePlan) setBounds(r *Repeat) error {
	if r.BoundsPeriod != nil && r.BoundsPeriod.End != "" {
		end, err := periodEnd(r.BoundsPeriod.End, p.loc)
		if err != nil {
			return fmt.Errorf("boundsPeriod.end: %w", err)
		}
		p.end = end
	}
	if r.BoundsDuration != nil {
		q := r.BoundsDuration
		if q.Value == nil || *q.Value <= 0 {
			return fmt.Errorf("boundsDuration needs a positive value")
		}
		end, err := addDuration(p.start, *q.Value, q.unitCode())
		if err != nil {
			return fmt.Errorf("boundsDuration: %w", err)
		}
		p.end = end
	}
	if r.BoundsRange != nil && r.BoundsRange.High != nil && r.BoundsRange.High.Value != nil {
		// A range of durations: the course may last up to High.
		end, err := addDuration(p.start, *r.BoundsRange.High.Value, r.BoundsRange.High.unitCode())
		if err != nil {
			return fmt.Errorf("boundsRange.high: %w", err)
		}
		p.end = end
	}
	if !p.end.IsZero() && !p.end.After(p.start) {
		return fmt.Errorf("bounds end %v is not after start %v", p.end, p.start)
	}
	if r.Count != nil {
		if *r.Count <= 0 {
			return fmt.Errorf("count %d must be positive", *r.Count)
		}
		p.count = *r.Count
	}
	return nil
}

// weekdayOf maps a FHIR days-of-week code to its weekday.
func weekdayOf(code string) (time.Weekday, bool) {
	for i, c := range [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		if c == code {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

func (p *linePlan) setPattern(r *Repeat, hasTime bool) error {
	freq := 1
	if r.Frequency != nil {
		freq = *r.Frequency
		if freq <= 0 {
			return fmt.Errorf("frequency %d must be positive", freq)
		}
	}
	if r.FrequencyMax != nil && *r.FrequencyMax < freq {
		return fmt.Errorf("frequencyMax %d is below frequency %d", *r.FrequencyMax, freq)
	}
	period, unit := 1.0, "d"
	if r.Period != nil {
		period = *r.Period
		if !(period > 0) || math.IsInf(period, 0) {
			return fmt.Errorf("period %v must be positive", period)
		}
		if r.PeriodUnit == "" {
			return fmt.Errorf("period %v has no periodUnit", period)
		}
	}
	if r.PeriodUnit != "" {
		unit = r.PeriodUnit
	}
	if r.PeriodMax != nil && *r.PeriodMax < period {
		return fmt.Errorf("periodMax %v is below period %v", *r.PeriodMax, period)
	}
	for _, code := range r.DayOfWeek {
		wd, ok := weekdayOf(code)
		if !ok {
			return fmt.Errorf("unknown dayOfWeek %q", code)
		}
		p.weekDays[wd] = true
	}
	offset := time.Duration(-1)
	if r.Offset != nil {
		if *r.Offset < 0 {
			return fmt.Errorf("offset %d must be >= 0 minutes", *r.Offset)
		}
		offset = time.Duration(*r.Offset) * time.Minute
	}

	var times []time.Duration
	for _, s := range r.TimeOfDay {
		t, err := time.Parse(time.TimeOnly, s)
		if err != nil {
			return fmt.Errorf("timeOfDay %q: want hh:mm:ss", s)
		}
		times = append(times, time.Duration(t.Hour())*time.Hour+time.Duration(t.Minute())*time.Minute+time.Duration(t.Second())*time.Second)
	}
	hourly := unit == "s" || unit == "min" || unit == "h" || (unit == "d" && period != math.Trunc(period))
	if hourly && len(times) == 0 && len(r.When) == 1 && r.When[0] == "WAKE" {
		// Sen's convention for "every N hours while awake": an hourly
		// period with when = [WAKE] starts at waking and stops at sleep.
		return p.setInterval(period, unit, freq, byAwake)
	}
	for _, code := range r.When {
		ts, err := p.meals.whenTimes(code, offset)
		if err != nil {
			return err
		}
		times = append(times, ts...)
	}
	if len(times) > 0 && hourly {
		return fmt.Errorf("when/timeOfDay cannot be combined with a period of %v %s", period, unit)
	}
	if hourly {
		if err := p.setInterval(period, unit, freq, byHours); err != nil {
			return err
		}
		p.anchor = p.start
		if !hasTime {
			y, m, d := p.start.Date()
			p.anchor = time.Date(y, m, d, 0, 0, 0, 0, p.loc).Add(p.meals.Wake)
		}
		return nil
	}

	p.mode, p.unitDay, p.period = byDay, unit, int(period)
	if float64(p.period) != period {
		return fmt.Errorf("period %v %s: only whole periods are supported", period, unit)
	}
	explicit := len(times) > 0
	switch unit {
	case "d":
		if !explicit && p.period > 1 && freq > 1 {
			return fmt.Errorf("%d doses every %d days is ambiguous: give timeOfDay or when", freq, p.period)
		}
		if !explicit {
			times = p.meals.standardTimes(freq)
		}
	case "wk":
		if len(r.DayOfWeek) == 0 && freq > 1 {
			for k := range freq {
				p.weekOffs = append(p.weekOffs, k*7*p.period/freq)
			}
		}
		if !explicit {
			times = p.meals.standardTimes(1)
		}
	case "mo", "a":
		if freq > 1 && !explicit {
			return fmt.Errorf("%d doses per %s: give timeOfDay or when", freq, unit)
		}
		if !explicit {
			times = p.meals.standardTimes(1)
		}
	default:
		return fmt.Errorf("unknown periodUnit %q (want s, min, h, d, wk, mo or a)", unit)
	}
	p.times = sortedUnique(times)
	return nil
}

func (p *linePlan) setInterval(period float64, unit string, freq int, m mode) error {
	var per time.Duration
	switch unit {
	case "s":
		per = time.Duration(period * float64(time.Second))
	case "min":
		per = time.Duration(period * float64(time.Minute))
	case "h":
		per = time.Duration(period * float64(time.Hour))
	case "d":
		per = time.Duration(period * 24 * float64(time.Hour))
	default:
		return fmt.Errorf("every %v %s while awake: use an hourly period", period, unit)
	}
	p.interval = per / time.Duration(freq)
	if p.interval < time.Minute {
		return fmt.Errorf("doses %v apart are too frequent to schedule", p.interval)
	}
	p.mode = m
	return nil
}

// generate emits the line's doses in [from, to).
func (p *linePlan) generate(from, to time.Time) []Dose {
	var out []Dose
	n := 0
	p.walk(to, func(t time.Time) bool {
		n++
		if !t.Before(from) {
			out = append(out, Dose{Time: t, Amount: p.amount, AmountMax: p.max, Unit: p.unit, Line: p.line, Sequence: p.seq})
		}
		return p.count == 0 || n < p.count
	})
	return out
}

// countEnd is the end of a count-limited open line: midnight after its last
// dose, so a following sequence starts the next day.
func (p *linePlan) countEnd() time.Time {
	var last time.Time
	p.walk(p.start.AddDate(horizonYears, 0, 0), func(t time.Time) bool {
		last = t
		return true
	})
	if last.IsZero() {
		return p.start
	}
	y, m, d := last.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, p.loc)
}

// walk calls emit for each dose time from the line's start, in order, until
// the line ends, until (exclusive), the count is reached, or emit returns
// false.
func (p *linePlan) walk(until time.Time, emit func(time.Time) bool) {
	stop := until
	if !p.end.IsZero() && p.end.Before(stop) {
		stop = p.end
	}
	seen := 0
	ok := func(t time.Time) bool {
		if t.Before(p.start) || !t.Before(stop) {
			return true
		}
		seen++
		return emit(t) && (p.count == 0 || seen < p.count)
	}
	switch p.mode {
	case byEvents:
		ev := append([]time.Time(nil), p.events...)
		sort.Slice(ev, func(i, j int) bool { return ev[i].Before(ev[j]) })
		for _, t := range ev {
			if !ok(t) {
				return
			}
		}
	case byHours:
		for t := p.anchor; t.Before(stop); t = t.Add(p.interval) {
			if !ok(t) {
				return
			}
		}
	case byAwake, byDay:
		y, m, d := p.start.Date()
		for day := time.Date(y, m, d, 0, 0, 0, 0, p.loc); day.Before(stop); day = day.AddDate(0, 0, 1) {
			for _, t := range p.dayTimes(day) {
				if !ok(t) {
					return
				}
			}
		}
	}
}

// dayTimes returns the dose times on the given local midnight.
func (p *linePlan) dayTimes(day time.Time) []time.Time {
	var tods []time.Duration
	if p.mode == byAwake {
		for t := p.meals.Wake; t <= p.meals.Sleep; t += p.interval {
			tods = append(tods, t)
		}
	} else if p.isDoseDay(day) {
		tods = p.times
	}
	out := make([]time.Time, len(tods))
	for i, t := range tods {
		out[i] = day.Add(t)
	}
	return out
}

func (p *linePlan) isDoseDay(day time.Time) bool {
	filtered := p.weekDays != [7]bool{}
	if filtered && !p.weekDays[day.Weekday()] {
		return false
	}
	y0, m0, d0 := p.start.Date()
	first := time.Date(y0, m0, d0, 0, 0, 0, 0, p.loc)
	days := dayOf(day) - dayOf(first)
	switch p.unitDay {
	case "d":
		return days%p.period == 0
	case "wk":
		if filtered {
			// Weeks run Monday..Sunday; count them from the start's week.
			weeks := (days + int(mondayIndex(first.Weekday()))) / 7
			return weeks%p.period == 0
		}
		in := days % (7 * p.period)
		if len(p.weekOffs) == 0 {
			return in == 0
		}
		for _, o := range p.weekOffs {
			if in == o {
				return true
			}
		}
		return false
	case "mo", "a":
		months := (day.Year()-y0)*12 + int(day.Month()-m0)
		step := p.period
		if p.unitDay == "a" {
			step *= 12
		}
		return months%step == 0 && day.Day() == min(d0, daysIn(day.Year(), day.Month()))
	}
	return false
}

func mondayIndex(w time.Weekday) int { return (int(w) + 6) % 7 }

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// PRNLimit is the ceiling of an as-needed dosage line (maxDosePerPeriod).
type PRNLimit struct {
	Line      int
	Reason    string // asNeededCodeableConcept, e.g. "pain"
	Amount    float64
	Unit      string
	Per       float64 // denominator value
	PerUnit   string  // UCUM time unit of the denominator
	PerWindow time.Duration
}

// PRNLimits returns the maximum-dose rules of the as-needed lines of req.
// An as-needed line without maxDosePerPeriod has no entry.
func PRNLimits(req Request) ([]PRNLimit, error) {
	var out []PRNLimit
	for i, d := range req.DosageInstruction {
		if !d.asNeeded() || d.MaxDosePerPeriod == nil {
			continue
		}
		n, den := d.MaxDosePerPeriod.Numerator, d.MaxDosePerPeriod.Denominator
		if n == nil || den == nil || n.Value == nil || den.Value == nil || *n.Value <= 0 || *den.Value <= 0 {
			return nil, fmt.Errorf("dosage %d: maxDosePerPeriod needs positive numerator and denominator", i+1)
		}
		base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		end, err := addDuration(base, *den.Value, den.unitCode())
		if err != nil {
			return nil, fmt.Errorf("dosage %d: maxDosePerPeriod denominator: %w", i+1, err)
		}
		out = append(out, PRNLimit{
			Line: i, Reason: d.AsNeededCodeableConcept.Label(),
			Amount: *n.Value, Unit: n.Unit, Per: *den.Value, PerUnit: den.unitCode(),
			PerWindow: end.Sub(base),
		})
	}
	return out, nil
}
