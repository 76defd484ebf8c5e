package medication

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// Continuous Multiple-interval measures of medication Availability
// (CMA1–CMA9), as defined and implemented by AdhereR:
//
//	Dima AL, Dediu D (2017). Computation of adherence to medication and
//	visualization of medication histories in R with AdhereR: Towards
//	transparent and reproducible use of electronic healthcare data.
//	PLoS ONE 12(4): e0174426. https://doi.org/10.1371/journal.pone.0174426
//
// The definitions are summarised in docs/adherence.md; the tests reproduce
// the values published in AdhereR's overview vignette.

// ErrNotComputable reports that a measure is undefined for the data (AdhereR
// returns NA): too few events in the observation window, an empty window, or
// an observation window consumed entirely by carry-over (CMA8).
var ErrNotComputable = errors.New("adherence measure not computable")

// Event is one medication event (a prescription or a dispensing) in the
// form AdhereR uses: the date, the days of supply it provides, the daily
// dose (needed only when dosage changes are considered) and the medication
// category (needed only for same-medication rules).
type Event struct {
	Date     time.Time
	Duration float64 // days of supply, > 0
	PerDay   float64 // prescribed daily dose; > 0 when ConsiderDosageChange
	Category string  // medication type, e.g. an ATC code
}

// Window is a span of whole days [Start, Start+Days). Only the civil date of
// Start counts.
type Window struct {
	Start time.Time
	Days  int
}

// End returns the first day after the window.
func (w Window) End() time.Time { return w.Start.AddDate(0, 0, w.Days) }

// Measure names one of AdhereR's CMA1–CMA9.
type Measure int

// The nine measures. See docs/adherence.md for each definition.
const (
	CMA1 Measure = iota + 1
	CMA2
	CMA3
	CMA4
	CMA5
	CMA6
	CMA7
	CMA8
	CMA9
)

func (m Measure) String() string {
	if m < CMA1 || m > CMA9 {
		return fmt.Sprintf("Measure(%d)", int(m))
	}
	return fmt.Sprintf("CMA%d", int(m))
}

// CMAOptions are AdhereR's parameters. FollowUp (FUW) bounds the events
// considered at all; Observation (OW) is the window the measure describes and
// should lie inside FollowUp. The carry-over flags matter for CMA5–CMA9:
// CarryOnlyForSameMedication drops oversupply when the category changes, and
// ConsiderDosageChange rescales carried days by the ratio of daily doses.
type CMAOptions struct {
	FollowUp                   Window
	Observation                Window
	CarryOnlyForSameMedication bool
	ConsiderDosageChange       bool
}

// span is a half-open window in day numbers; fractional ends arise only
// from dosage-adjusted carry-over (CMA8's lag, episode ends).
type span struct{ start, end float64 }

func (s span) days() float64 { return s.end - s.start }

func spanOf(w Window) span {
	s := float64(dayOf(w.Start))
	return span{s, s + float64(w.Days)}
}

type carryRules struct {
	sameMedicationOnly bool
	dosageChange       bool
}

// ev is an event in day numbers.
type ev struct {
	day, dur, perDay float64
	cat              string
}

// link is one event in a carry-over chain: the interval to the next event
// (or to the end of the chain's window), the oversupply carried into it and
// the days of that interval that are covered.
type link struct {
	ev
	interval, carryIn, covered float64
}

func (l link) gap() float64 { return l.interval - l.covered }

func validateEvents(events []Event, needPerDay bool) error {
	for i, e := range events {
		switch {
		case e.Date.IsZero():
			return fmt.Errorf("event %d: missing date", i)
		case !(e.Duration > 0) || math.IsInf(e.Duration, 0):
			return fmt.Errorf("event %d (%s): duration %v must be a positive number of days", i, e.Date.Format(time.DateOnly), e.Duration)
		case needPerDay && !(e.PerDay > 0):
			return fmt.Errorf("event %d (%s): daily dose %v must be positive when dosage changes are considered", i, e.Date.Format(time.DateOnly), e.PerDay)
		}
	}
	return nil
}

func validateWindow(name string, w Window) error {
	if w.Start.IsZero() {
		return fmt.Errorf("%s window: missing start", name)
	}
	if w.Days <= 0 {
		return fmt.Errorf("%s window: length %d days must be positive", name, w.Days)
	}
	return nil
}

// toDays converts events to day numbers sorted by date; events on the same
// day keep their input order, as AdhereR keeps the data's order.
func toDays(events []Event) []ev {
	out := make([]ev, len(events))
	for i, e := range events {
		out[i] = ev{float64(dayOf(e.Date)), e.Duration, e.PerDay, e.Category}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].day < out[j].day })
	return out
}

// within returns the events whose date lies in s (already sorted).
func within(evs []ev, s span) []ev {
	lo := sort.Search(len(evs), func(i int) bool { return evs[i].day >= s.start })
	hi := sort.Search(len(evs), func(i int) bool { return evs[i].day >= s.end })
	return evs[lo:hi]
}

// chain simulates the supply: each event's supply starts on its date plus
// the oversupply still unused from the previous event (carry-over), and its
// interval runs to the next event, the last one to end.
func chain(evs []ev, end float64, r carryRules) []link {
	links := make([]link, len(evs))
	carry := 0.0
	for i, e := range evs {
		if i > 0 {
			prev := evs[i-1]
			if r.sameMedicationOnly && e.cat != prev.cat {
				carry = 0
			}
			if r.dosageChange && prev.perDay > 0 && e.perDay > 0 {
				carry = carry * prev.perDay / e.perDay
			}
		}
		next := end
		if i+1 < len(evs) {
			next = evs[i+1].day
		}
		interval := max(0, next-e.day)
		avail := carry + e.dur
		links[i] = link{ev: e, interval: interval, carryIn: carry, covered: min(interval, avail)}
		carry = max(0, avail-interval)
	}
	return links
}

// ComputeCMA computes measure m over events. It returns ErrNotComputable
// (wrapped) where AdhereR returns NA, and a descriptive error for invalid
// input. Events outside the follow-up window are ignored.
func ComputeCMA(m Measure, events []Event, o CMAOptions) (float64, error) {
	if err := validateEvents(events, o.ConsiderDosageChange); err != nil {
		return 0, fmt.Errorf("%v: %w", m, err)
	}
	if err := validateWindow("follow-up", o.FollowUp); err != nil {
		return 0, fmt.Errorf("%v: %w", m, err)
	}
	if err := validateWindow("observation", o.Observation); err != nil {
		return 0, fmt.Errorf("%v: %w", m, err)
	}
	fuw := spanOf(o.FollowUp)
	evs := within(toDays(events), fuw)
	v, err := cma(m, evs, fuw, spanOf(o.Observation), carryRules{o.CarryOnlyForSameMedication, o.ConsiderDosageChange})
	if err != nil {
		return 0, fmt.Errorf("%v: %w", m, err)
	}
	return v, nil
}

// cma computes m for events already restricted to fuw and sorted.
func cma(m Measure, fuwEvents []ev, fuw, ow span, r carryRules) (float64, error) {
	if ow.days() <= 0 {
		return 0, fmt.Errorf("empty observation window: %w", ErrNotComputable)
	}
	owEvents := within(fuwEvents, ow)
	switch m {
	case CMA1, CMA3:
		if len(owEvents) < 2 {
			return 0, fmt.Errorf("%d events in the observation window, need 2: %w", len(owEvents), ErrNotComputable)
		}
		first, last := owEvents[0].day, owEvents[len(owEvents)-1].day
		if last == first {
			return 0, fmt.Errorf("all events on one day: %w", ErrNotComputable)
		}
		supply := 0.0
		for _, e := range owEvents[:len(owEvents)-1] {
			supply += e.dur
		}
		v := supply / (last - first)
		if m == CMA3 {
			v = min(v, 1)
		}
		return v, nil
	case CMA2, CMA4:
		if len(owEvents) < 1 {
			return 0, fmt.Errorf("no event in the observation window: %w", ErrNotComputable)
		}
		supply := 0.0
		for _, e := range owEvents {
			supply += e.dur
		}
		v := supply / (ow.end - owEvents[0].day)
		if m == CMA4 {
			v = min(v, 1)
		}
		return v, nil
	case CMA5:
		if len(owEvents) < 2 {
			return 0, fmt.Errorf("%d events in the observation window, need 2: %w", len(owEvents), ErrNotComputable)
		}
		first, last := owEvents[0].day, owEvents[len(owEvents)-1].day
		if last == first {
			return 0, fmt.Errorf("all events on one day: %w", ErrNotComputable)
		}
		covered := 0.0
		for _, l := range chain(owEvents, ow.end, r)[:len(owEvents)-1] {
			covered += l.covered
		}
		return covered / (last - first), nil
	case CMA6:
		if len(owEvents) < 1 {
			return 0, fmt.Errorf("no event in the observation window: %w", ErrNotComputable)
		}
		covered := 0.0
		for _, l := range chain(owEvents, ow.end, r) {
			covered += l.covered
		}
		return covered / (ow.end - owEvents[0].day), nil
	case CMA7:
		return cma7(fuwEvents, fuw, ow, r)
	case CMA8:
		lag := carryInto(fuwEvents, ow.start, r)
		lagged := span{ow.start + lag, ow.end}
		if lagged.days() <= 0 {
			return 0, fmt.Errorf("carry-over of %.1f days covers the whole observation window: %w", lag, ErrNotComputable)
		}
		return cma7(fuwEvents, fuw, lagged, r)
	case CMA9:
		return cma9(fuwEvents, fuw, ow, r)
	}
	return 0, fmt.Errorf("unknown measure %d", int(m))
}

// cma7 is the share of the observation window covered by supply, counting
// carry-over from events before the window and within it.
func cma7(fuwEvents []ev, fuw, ow span, r carryRules) (float64, error) {
	if len(fuwEvents) == 0 {
		return 0, fmt.Errorf("no event in the follow-up window: %w", ErrNotComputable)
	}
	covered := 0.0
	for _, l := range chain(fuwEvents, fuw.end, r) {
		covered += overlap(l.day, l.day+l.covered, ow.start, ow.end)
	}
	return covered / ow.days(), nil
}

// carryInto returns the days of supply from events before start that are
// still unused at start (CMA8's lag).
func carryInto(fuwEvents []ev, start float64, r carryRules) float64 {
	n := sort.Search(len(fuwEvents), func(i int) bool { return fuwEvents[i].day >= start })
	if n == 0 {
		return 0
	}
	links := chain(fuwEvents[:n], start, r)
	l := links[n-1]
	return max(0, l.day+l.carryIn+l.dur-start)
}

// cma9 weights each event interval's coverage ratio (with carry-over) by
// the days of that interval inside the observation window; days of the
// window before the first event count as uncovered.
func cma9(fuwEvents []ev, fuw, ow span, r carryRules) (float64, error) {
	if len(fuwEvents) == 0 {
		return 0, fmt.Errorf("no event in the follow-up window: %w", ErrNotComputable)
	}
	sum := 0.0
	for _, l := range chain(fuwEvents, fuw.end, r) {
		if l.interval <= 0 {
			continue
		}
		sum += overlap(l.day, l.day+l.interval, ow.start, ow.end) * l.covered / l.interval
	}
	return sum / ow.days(), nil
}
