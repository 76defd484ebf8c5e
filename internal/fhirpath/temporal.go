package fhirpath

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

type temporalKind uint8

const (
	kindDate temporalKind = iota
	kindDateTime
	kindTime
)

// Precision levels of a Temporal, coarsest first.
const (
	precYear = iota + 1
	precMonth
	precDay
	precHour
	precMinute
	precSecond
	precMilli
)

// Temporal is a System.Date, System.DateTime or System.Time value with the
// precision it was written with (FHIRPath compares partial dates by
// precision, see https://hl7.org/fhirpath/N1/#comparison).
type Temporal struct {
	kind                                   temporalKind
	prec                                   int
	year, month, day, hour, minute, second int
	milli                                  int
	hasTZ                                  bool
	tzMin                                  int // offset east of UTC in minutes
	dateOnlyT                              bool
}

// TypeName is System.Date, System.DateTime or System.Time.
func (t Temporal) TypeName() string {
	switch t.kind {
	case kindDate:
		return "System.Date"
	case kindTime:
		return "System.Time"
	}
	return "System.DateTime"
}

// Raw returns the ISO 8601 text of the value.
func (t Temporal) Raw() any { return t.String() }

// String formats the value as in FHIR JSON (without the literal's '@').
func (t Temporal) String() string {
	var b strings.Builder
	if t.kind != kindTime {
		fmt.Fprintf(&b, "%04d", t.year)
		if t.prec >= precMonth {
			fmt.Fprintf(&b, "-%02d", t.month)
		}
		if t.prec >= precDay {
			fmt.Fprintf(&b, "-%02d", t.day)
		}
		if t.kind == kindDate || t.prec < precHour {
			return b.String()
		}
		b.WriteByte('T')
	}
	fmt.Fprintf(&b, "%02d", t.hour)
	if t.prec >= precMinute {
		fmt.Fprintf(&b, ":%02d", t.minute)
	}
	if t.prec >= precSecond {
		fmt.Fprintf(&b, ":%02d", t.second)
	}
	if t.prec >= precMilli {
		fmt.Fprintf(&b, ".%03d", t.milli)
	}
	if t.hasTZ && t.kind == kindDateTime {
		if t.tzMin == 0 {
			b.WriteByte('Z')
		} else {
			sign := '+'
			m := t.tzMin
			if m < 0 {
				sign, m = '-', -m
			}
			fmt.Fprintf(&b, "%c%02d:%02d", sign, m/60, m%60)
		}
	}
	return b.String()
}

// Precision returns the precision level (1 = year ... 7 = millisecond).
func (t Temporal) Precision() int { return t.prec }

// Time returns the earliest instant the value can denote; values without a
// timezone are read as UTC.
func (t Temporal) Time() time.Time {
	loc := time.UTC
	if t.hasTZ {
		loc = time.FixedZone("", t.tzMin*60)
	}
	mo, d := t.month, t.day
	if mo == 0 {
		mo = 1
	}
	if d == 0 {
		d = 1
	}
	return time.Date(t.year, time.Month(mo), d, t.hour, t.minute, t.second, t.milli*1e6, loc)
}

// parseTemporal parses FHIR/FHIRPath date, dateTime and time text (without
// the literal's '@'). For kindDateTime a date-only text gives a DateTime of
// day (or coarser) precision.
func parseTemporal(s string, kind temporalKind) (Temporal, error) {
	t := Temporal{kind: kind}
	bad := func() (Temporal, error) { return Temporal{}, fmt.Errorf("invalid %s %q", kindName(kind), s) }
	num := func(str string) (int, bool) {
		for i := 0; i < len(str); i++ {
			if !isDigit(str[i]) {
				return 0, false
			}
		}
		n, err := strconv.Atoi(str)
		return n, err == nil
	}
	rest := s
	if kind != kindTime {
		if len(rest) < 4 {
			return bad()
		}
		y, ok := num(rest[:4])
		if !ok {
			return bad()
		}
		t.year, t.prec, rest = y, precYear, rest[4:]
		if strings.HasPrefix(rest, "-") {
			if len(rest) < 3 {
				return bad()
			}
			m, ok := num(rest[1:3])
			if !ok || m < 1 || m > 12 {
				return bad()
			}
			t.month, t.prec, rest = m, precMonth, rest[3:]
			if strings.HasPrefix(rest, "-") {
				if len(rest) < 3 {
					return bad()
				}
				d, ok := num(rest[1:3])
				if !ok || d < 1 || d > daysIn(t.year, t.month) {
					return bad()
				}
				t.day, t.prec, rest = d, precDay, rest[3:]
			}
		}
		if rest == "" {
			return t, nil
		}
		if rest[0] != 'T' || kind == kindDate {
			return bad()
		}
		rest = rest[1:]
		if rest == "" {
			t.dateOnlyT = true
			return t, nil
		}
	}
	// time part: hh(:mm(:ss(.f+)?)?)? then zone (DateTime only)
	if len(rest) < 2 {
		return bad()
	}
	h, ok := num(rest[:2])
	if !ok || h > 23 {
		return bad()
	}
	t.hour, t.prec, rest = h, precHour, rest[2:]
	if strings.HasPrefix(rest, ":") {
		if len(rest) < 3 {
			return bad()
		}
		m, ok := num(rest[1:3])
		if !ok || m > 59 {
			return bad()
		}
		t.minute, t.prec, rest = m, precMinute, rest[3:]
		if strings.HasPrefix(rest, ":") {
			if len(rest) < 3 {
				return bad()
			}
			sec, ok := num(rest[1:3])
			if !ok || sec > 60 {
				return bad()
			}
			t.second, t.prec, rest = sec, precSecond, rest[3:]
			if strings.HasPrefix(rest, ".") {
				j := 1
				for j < len(rest) && isDigit(rest[j]) {
					j++
				}
				if j == 1 {
					return bad()
				}
				frac := rest[1:j] + "00"
				ms, _ := strconv.Atoi(frac[:3])
				t.milli, t.prec, rest = ms, precMilli, rest[j:]
			}
		}
	}
	if rest == "" {
		return t, nil
	}
	if kind == kindTime {
		return bad()
	}
	if rest == "Z" {
		t.hasTZ = true
		return t, nil
	}
	if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
		return bad()
	}
	th, ok1 := num(rest[1:3])
	tm, ok2 := num(rest[4:6])
	if !ok1 || !ok2 || th > 14 || tm > 59 {
		return bad()
	}
	t.hasTZ = true
	t.tzMin = th*60 + tm
	if rest[0] == '-' {
		t.tzMin = -t.tzMin
	}
	return t, nil
}

func kindName(k temporalKind) string {
	switch k {
	case kindDate:
		return "date"
	case kindTime:
		return "time"
	}
	return "dateTime"
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// fromTime builds a Temporal of the given kind and precision from t,
// keeping t's zone offset.
func fromTime(t time.Time, kind temporalKind, prec int) Temporal {
	_, off := t.Zone()
	return Temporal{
		kind: kind, prec: prec,
		year: t.Year(), month: int(t.Month()), day: t.Day(),
		hour: t.Hour(), minute: t.Minute(), second: t.Second(), milli: t.Nanosecond() / 1e6,
		hasTZ: kind == kindDateTime && prec >= precHour, tzMin: off / 60,
	}
}

// toUTC normalises a DateTime with a timezone and time-of-day precision.
func (t Temporal) toUTC() Temporal {
	if !t.hasTZ || t.prec < precHour || t.kind != kindDateTime {
		return t
	}
	u := t.Time().UTC()
	r := t
	r.year, r.month, r.day, r.hour, r.minute, r.second = u.Year(), int(u.Month()), u.Day(), u.Hour(), u.Minute(), u.Second()
	r.tzMin = 0
	return r
}

// compareTemporal compares a and b per FHIRPath: ok is false when the
// result is unknown (precisions differ on the common prefix, or only one
// has a timezone); comparable is false when the kinds cannot be compared.
func compareTemporal(a, b Temporal) (c int, ok bool, comparable bool) {
	if (a.kind == kindTime) != (b.kind == kindTime) {
		return 0, false, false
	}
	if a.kind != kindTime && a.prec >= precHour && b.prec >= precHour {
		if a.hasTZ != b.hasTZ {
			return 0, false, true
		}
		a, b = a.toUTC(), b.toUTC()
	}
	pa, pb := a.prec, b.prec
	// Seconds and milliseconds are one precision for comparison.
	if pa == precMilli {
		pa = precSecond
	}
	if pb == precMilli {
		pb = precSecond
	}
	fa := [...]int{a.year, a.month, a.day, a.hour, a.minute, a.second*1000 + a.milli}
	fb := [...]int{b.year, b.month, b.day, b.hour, b.minute, b.second*1000 + b.milli}
	start := precYear
	if a.kind == kindTime {
		start = precHour
	}
	for p := start; p <= min(pa, pb); p++ {
		x, y := fa[p-1], fb[p-1]
		if x != y {
			if x < y {
				return -1, true, true
			}
			return 1, true, true
		}
	}
	if pa != pb {
		return 0, false, true
	}
	return 0, true, true
}

// addDuration adds n units of a calendar duration to t. Units finer than
// the value's precision are applied to the full instant and the result
// keeps t's precision.
func (t Temporal) addDuration(n int64, unit string) (Temporal, error) {
	base := t.Time()
	var r time.Time
	switch unit {
	case "year":
		r = addMonthsClamped(base, int(n)*12)
	case "month":
		r = addMonthsClamped(base, int(n))
	case "week":
		r = base.AddDate(0, 0, int(n)*7)
	case "day":
		r = base.AddDate(0, 0, int(n))
	case "hour":
		r = base.Add(time.Duration(n) * time.Hour)
	case "minute":
		r = base.Add(time.Duration(n) * time.Minute)
	case "second":
		r = base.Add(time.Duration(n) * time.Second)
	case "millisecond":
		r = base.Add(time.Duration(n) * time.Millisecond)
	default:
		return Temporal{}, fmt.Errorf("cannot add %q to a %s", unit, kindName(t.kind))
	}
	if t.kind == kindTime {
		// Times wrap around midnight.
		out := t
		out.hour, out.minute, out.second, out.milli = r.Hour(), r.Minute(), r.Second(), r.Nanosecond()/1e6
		return out, nil
	}
	out := fromTime(r, t.kind, t.prec)
	out.hasTZ, out.tzMin, out.dateOnlyT = t.hasTZ, t.tzMin, t.dateOnlyT
	if t.prec < precMonth {
		out.month = 0
	}
	if t.prec < precDay {
		out.day = 0
	}
	return out, nil
}

// addMonthsClamped adds months, clamping the day to the end of the target
// month (2012-01-31 + 1 month = 2012-02-29) as FHIRPath requires.
func addMonthsClamped(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + months
	ny := y + total/12
	nm := total % 12
	if nm < 0 {
		nm += 12
		ny--
	}
	if dim := daysIn(ny, nm+1); d > dim {
		d = dim
	}
	return time.Date(ny, time.Month(nm+1), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}
