package medication

import "time"

// Adherence arithmetic counts whole calendar days, as PQA and AdhereR do.
// A day number is the count of days since 1970-01-01 of a civil date, so
// differences between dates are exact and free of time-zone and DST
// effects.

const secondsPerDay = 86400

// dayOf returns the day number of t's civil date in t's own location.
func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// dateOf returns the civil date of day number n as midnight UTC.
func dateOf(n int) time.Time {
	return time.Unix(int64(n)*secondsPerDay, 0).UTC()
}

// Date is a convenience constructor for a civil date (midnight UTC), the
// form in which this package reports adherence dates.
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// overlap returns the length of the intersection of [a0,a1) and [b0,b1).
func overlap(a0, a1, b0, b1 float64) float64 {
	lo, hi := max(a0, b0), min(a1, b1)
	if hi <= lo {
		return 0
	}
	return hi - lo
}
