package search

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// MinTime and MaxTime stand for the open ends of a Period and of search
// ranges; backends may store them as is (they fit PostgreSQL timestamptz
// and ISO text).
var (
	MinTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

var errDate = errors.New("malformed date")

// ParseDateRange parses a FHIR date, dateTime or instant (also the partial
// forms search allows: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.f]])
// and returns the inclusive UTC range it covers: 2024 is
// [2024-01-01T00:00:00Z, 2024-12-31T23:59:59.999999999Z]; 2024-03-05T10:00:00.5Z
// is [10:00:00.5, 10:00:00.5999…]. A value without a time zone is taken as
// UTC (R4 says "server local time"; Sen's servers keep UTC, and Vietnam is
// UTC+7, so clients should send an offset for instants).
func ParseDateRange(s string) (low, high time.Time, err error) {
	bad := func() (time.Time, time.Time, error) {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %q", errDate, s)
	}
	n := len(s)
	if n < 4 || !digits(s[:4]) {
		return bad()
	}
	year, _ := strconv.Atoi(s[:4])
	if n == 4 {
		low = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
		return low, low.AddDate(1, 0, 0).Add(-1), nil
	}
	if n < 7 || s[4] != '-' || !digits(s[5:7]) {
		return bad()
	}
	month, _ := strconv.Atoi(s[5:7])
	if month < 1 || month > 12 {
		return bad()
	}
	if n == 7 {
		low = time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		return low, low.AddDate(0, 1, 0).Add(-1), nil
	}
	if n < 10 || s[7] != '-' || !digits(s[8:10]) {
		return bad()
	}
	day, _ := strconv.Atoi(s[8:10])
	if day < 1 || day > daysIn(year, month) {
		return bad()
	}
	if n == 10 {
		low = time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		return low, low.AddDate(0, 0, 1).Add(-1), nil
	}
	if s[10] != 'T' || n < 16 || !digits(s[11:13]) || s[13] != ':' || !digits(s[14:16]) {
		return bad()
	}
	hour, _ := strconv.Atoi(s[11:13])
	minute, _ := strconv.Atoi(s[14:16])
	i := 16
	sec, nsec := 0, 0
	unit := time.Minute
	if i < n && s[i] == ':' {
		if n < i+3 || !digits(s[i+1:i+3]) {
			return bad()
		}
		sec, _ = strconv.Atoi(s[i+1 : i+3])
		i += 3
		unit = time.Second
		if i < n && s[i] == '.' {
			j := i + 1
			for j < n && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			frac := s[i+1 : j]
			if frac == "" {
				return bad()
			}
			if len(frac) > 9 {
				frac = frac[:9]
			}
			f, _ := strconv.Atoi(frac)
			nsec = f * int(math.Pow10(9-len(frac)))
			unit = time.Duration(math.Pow10(9 - len(frac)))
			i = j
		}
	}
	if hour > 23 || minute > 59 || sec > 60 {
		return bad()
	}
	loc := time.UTC
	switch {
	case i == n:
	case s[i] == 'Z' && i+1 == n:
	case (s[i] == '+' || s[i] == '-') && n == i+6 && digits(s[i+1:i+3]) && s[i+3] == ':' && digits(s[i+4:i+6]):
		oh, _ := strconv.Atoi(s[i+1 : i+3])
		om, _ := strconv.Atoi(s[i+4 : i+6])
		if oh > 14 || om > 59 {
			return bad()
		}
		off := oh*3600 + om*60
		if s[i] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	default:
		return bad()
	}
	low = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc).UTC()
	return low, low.Add(unit - 1), nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// dateEntries converts date, dateTime, instant, Period and Timing values.
func dateEntries(param string, it item, out []Entry) []Entry {
	switch v := it.v.(type) {
	case string:
		lo, hi, err := ParseDateRange(v)
		if err != nil {
			return out // invalid data is not indexed; validation reports it
		}
		return append(out, Entry{Param: param, Type: TypeDate, Low: lo, High: hi})
	case map[string]any:
		if _, ok := v["start"]; ok || v["end"] != nil || it.t == "Period" {
			return periodEntry(param, v, out)
		}
		if it.t == "Timing" || v["event"] != nil || v["repeat"] != nil {
			return timingEntry(param, v, out)
		}
	}
	return out
}

func periodEntry(param string, v map[string]any, out []Entry) []Entry {
	e := Entry{Param: param, Type: TypeDate, Low: MinTime, High: MaxTime}
	ok := false
	if s, _ := v["start"].(string); s != "" {
		if lo, _, err := ParseDateRange(s); err == nil {
			e.Low, ok = lo, true
		}
	}
	if s, _ := v["end"].(string); s != "" {
		if _, hi, err := ParseDateRange(s); err == nil {
			e.High, ok = hi, true
		}
	}
	if !ok {
		return out
	}
	return append(out, e)
}

// timingEntry covers Timing.event (earliest..latest) and
// Timing.repeat.boundsPeriod.
func timingEntry(param string, v map[string]any, out []Entry) []Entry {
	e := Entry{Param: param, Type: TypeDate, Low: MaxTime, High: MinTime}
	found := false
	if evs, ok := v["event"].([]any); ok {
		for _, x := range evs {
			s, _ := x.(string)
			lo, hi, err := ParseDateRange(s)
			if err != nil {
				continue
			}
			found = true
			if lo.Before(e.Low) {
				e.Low = lo
			}
			if hi.After(e.High) {
				e.High = hi
			}
		}
	}
	if found {
		out = append(out, e)
	}
	if rep, ok := v["repeat"].(map[string]any); ok {
		if bp, ok := rep["boundsPeriod"].(map[string]any); ok {
			out = periodEntry(param, bp, out)
		}
	}
	return out
}
