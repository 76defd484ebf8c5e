package medication

import (
	"fmt"
	"sort"
	"time"
)

// MealTimes are a patient's daily anchors, as offsets from local midnight.
// FHIR's when-codes (https://hl7.org/fhir/R4/valueset-event-timing.html)
// are resolved against them. A zero field takes the Vietnamese default.
type MealTimes struct {
	Wake, Breakfast, Lunch, Dinner, Sleep time.Duration
	// BeforeMeal and AfterMeal are how long before (AC*) or after (PC*) a
	// meal a dose falls when Timing.repeat.offset is absent.
	BeforeMeal, AfterMeal time.Duration
}

// VietnamMealTimes are the defaults: wake 06:00, breakfast 07:00, lunch
// 11:30, dinner 18:30, sleep 21:30; 30 minutes before or after meals.
func VietnamMealTimes() MealTimes {
	return MealTimes{
		Wake:       6 * time.Hour,
		Breakfast:  7 * time.Hour,
		Lunch:      11*time.Hour + 30*time.Minute,
		Dinner:     18*time.Hour + 30*time.Minute,
		Sleep:      21*time.Hour + 30*time.Minute,
		BeforeMeal: 30 * time.Minute,
		AfterMeal:  30 * time.Minute,
	}
}

func (m MealTimes) withDefaults() MealTimes {
	d := VietnamMealTimes()
	for _, f := range []struct{ v, def *time.Duration }{
		{&m.Wake, &d.Wake}, {&m.Breakfast, &d.Breakfast}, {&m.Lunch, &d.Lunch},
		{&m.Dinner, &d.Dinner}, {&m.Sleep, &d.Sleep},
		{&m.BeforeMeal, &d.BeforeMeal}, {&m.AfterMeal, &d.AfterMeal},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return m
}

// Validate reports anchors outside a day or out of order.
func (m MealTimes) Validate() error {
	m = m.withDefaults()
	seq := []struct {
		name string
		v    time.Duration
	}{{"wake", m.Wake}, {"breakfast", m.Breakfast}, {"lunch", m.Lunch}, {"dinner", m.Dinner}, {"sleep", m.Sleep}}
	for i, s := range seq {
		if s.v < 0 || s.v >= 24*time.Hour {
			return fmt.Errorf("meal times: %s %v is outside the day", s.name, s.v)
		}
		if i > 0 && s.v < seq[i-1].v {
			return fmt.Errorf("meal times: %s %v is before %s %v", s.name, s.v, seq[i-1].name, seq[i-1].v)
		}
	}
	if m.BeforeMeal < 0 || m.AfterMeal < 0 {
		return fmt.Errorf("meal times: negative before/after-meal gap")
	}
	return nil
}

// dayPart gives the institution convention for the day-part codes, which
// FHIR leaves open ("the exact time is unspecified").
func dayPart(code string) (time.Duration, bool) {
	h := time.Hour
	switch code {
	case "MORN.early":
		return 7 * h, true
	case "MORN":
		return 8 * h, true
	case "MORN.late":
		return 10 * h, true
	case "NOON":
		return 12 * h, true
	case "AFT.early":
		return 13 * h, true
	case "AFT":
		return 14 * h, true
	case "AFT.late":
		return 16 * h, true
	case "EVE.early":
		return 17 * h, true
	case "EVE":
		return 18 * h, true
	case "EVE.late":
		return 20 * h, true
	case "NIGHT":
		return 22 * h, true
	}
	return 0, false
}

// whenTimes resolves one when-code to times of day. offset < 0 means absent.
func (m MealTimes) whenTimes(code string, offset time.Duration) ([]time.Duration, error) {
	before, after := m.BeforeMeal, m.AfterMeal
	if offset >= 0 {
		before, after = offset, offset
	}
	at := max(offset, 0) // FHIR: without a direction, the offset is after the event
	meals := map[byte]time.Duration{'M': m.Breakfast, 'D': m.Lunch, 'V': m.Dinner}
	all := []time.Duration{m.Breakfast, m.Lunch, m.Dinner}
	shift := func(ts []time.Duration, by time.Duration) []time.Duration {
		out := make([]time.Duration, len(ts))
		for i, t := range ts {
			out[i] = t + by
		}
		return out
	}
	switch code {
	case "AC":
		return shift(all, -before), nil
	case "PC":
		return shift(all, after), nil
	case "C":
		return shift(all, at), nil
	case "ACM", "ACD", "ACV":
		return []time.Duration{meals[code[2]] - before}, nil
	case "PCM", "PCD", "PCV":
		return []time.Duration{meals[code[2]] + after}, nil
	case "CM", "CD", "CV":
		return []time.Duration{meals[code[1]] + at}, nil
	case "HS":
		return []time.Duration{m.Sleep - at}, nil // "[offset] before the hour of sleep"
	case "PHS":
		return []time.Duration{m.Sleep + at}, nil
	case "WAKE":
		return []time.Duration{m.Wake + at}, nil
	}
	if t, ok := dayPart(code); ok {
		return []time.Duration{t + at}, nil
	}
	return nil, fmt.Errorf("unknown when code %q", code)
}

// standardTimes are the clock times for f doses a day when a prescription
// gives only a frequency: with the meals for up to three, plus bedtime for
// four, otherwise evenly from waking to sleep.
func (m MealTimes) standardTimes(f int) []time.Duration {
	switch f {
	case 1:
		return []time.Duration{m.Breakfast}
	case 2:
		return []time.Duration{m.Breakfast, m.Dinner}
	case 3:
		return []time.Duration{m.Breakfast, m.Lunch, m.Dinner}
	case 4:
		return []time.Duration{m.Breakfast, m.Lunch, m.Dinner, m.Sleep}
	}
	out := make([]time.Duration, f)
	step := (m.Sleep - m.Wake) / time.Duration(f-1)
	for i := range out {
		out[i] = (m.Wake + step*time.Duration(i)).Round(time.Minute)
	}
	return out
}

func sortedUnique(ts []time.Duration) []time.Duration {
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	out := ts[:0]
	for i, t := range ts {
		if i == 0 || t != ts[i-1] {
			out = append(out, t)
		}
	}
	return out
}
