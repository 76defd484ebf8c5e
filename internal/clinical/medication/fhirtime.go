package medication

import (
	"fmt"
	"time"
)

// parseDateTime parses a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD,
// or a full instant with zone). Partial dates mean their first instant in
// loc; a time with a zone is converted to loc. hasTime reports whether the
// value carried a time of day.
func parseDateTime(s string, loc *time.Location) (t time.Time, hasTime bool, err error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.In(loc), true, nil
		}
	}
	for _, layout := range []string{time.DateOnly, "2006-01", "2006"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, false, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("invalid FHIR dateTime %q", s)
}

// periodEnd returns the exclusive end of a FHIR Period.end: a date-only or
// partial value covers its whole day, month or year.
func periodEnd(s string, loc *time.Location) (time.Time, error) {
	t, hasTime, err := parseDateTime(s, loc)
	if err != nil || hasTime {
		return t, err
	}
	switch len(s) {
	case 4:
		return t.AddDate(1, 0, 0), nil
	case 7:
		return t.AddDate(0, 1, 0), nil
	}
	return t.AddDate(0, 0, 1), nil
}

// addDuration adds n units of a UCUM time unit. Days, weeks, months and
// years are calendar steps (a "2 months" course ends on the same day of the
// month), not UCUM's mean lengths.
func addDuration(t time.Time, n float64, unit string) (time.Time, error) {
	whole := n == float64(int(n))
	switch unit {
	case "s":
		return t.Add(time.Duration(n * float64(time.Second))), nil
	case "min":
		return t.Add(time.Duration(n * float64(time.Minute))), nil
	case "h":
		return t.Add(time.Duration(n * float64(time.Hour))), nil
	case "d":
		if whole {
			return t.AddDate(0, 0, int(n)), nil
		}
		return t.Add(time.Duration(n * 24 * float64(time.Hour))), nil
	case "wk":
		if whole {
			return t.AddDate(0, 0, 7*int(n)), nil
		}
	case "mo":
		if whole {
			return t.AddDate(0, int(n), 0), nil
		}
	case "a":
		if whole {
			return t.AddDate(int(n), 0, 0), nil
		}
	default:
		return t, fmt.Errorf("unknown time unit %q (want s, min, h, d, wk, mo or a)", unit)
	}
	return t, fmt.Errorf("%v %s: only whole weeks, months and years are supported", n, unit)
}

// defaultLocation is Vietnam's zone. Vietnam has kept UTC+7 without DST
// since 1975, so a fixed zone is exact when the tz database is missing.
func defaultLocation() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)
}
