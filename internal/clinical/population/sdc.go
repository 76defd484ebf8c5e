package population

import (
	"fmt"
	"strconv"
)

// Statistical disclosure control as OpenSAFELY applies it to released
// aggregates (https://docs.opensafely.org/outputs/sdc/): counts at or below
// a threshold are redacted, the rest rounded to the nearest multiple of a
// base, and totals are recomputed from the released cells, never released
// from the raw data (a raw total would let a reader subtract back the
// redacted cell).

// SDC parameterises redact-and-round. Zero values mean OpenSAFELY's
// defaults: redact counts <= 7, round to the nearest 5.
type SDC struct {
	Threshold int // counts <= Threshold are redacted (0 means 7)
	Base      int // rounding base (0 means 5)
}

func (s SDC) withDefaults() SDC {
	if s.Threshold <= 0 {
		s.Threshold = 7
	}
	if s.Base <= 0 {
		s.Base = 5
	}
	return s
}

// Cell is one released count: Redacted, or Value (already rounded).
type Cell struct {
	Value    int
	Redacted bool
}

// RedactedText is how a suppressed cell is written in released tables.
const RedactedText = "[REDACTED]"

// String is the released form of the cell.
func (c Cell) String() string {
	if c.Redacted {
		return RedactedText
	}
	return strconv.Itoa(c.Value)
}

// Release applies redact-then-round to one count. Negative counts are a
// programming error upstream and are rejected rather than released.
func (s SDC) Release(n int) (Cell, error) {
	s = s.withDefaults()
	if n < 0 {
		return Cell{}, fmt.Errorf("sdc: negative count %d", n)
	}
	if n <= s.Threshold {
		return Cell{Redacted: true}, nil
	}
	return Cell{Value: RoundTo(n, s.Base)}, nil
}

// ReleaseColumn releases every count of a column and appends the total of
// the released (rounded, non-redacted) cells, as OpenSAFELY's worked table
// does: the total row is the sum of what is shown.
func (s SDC) ReleaseColumn(counts []int) (cells []Cell, total int, err error) {
	cells = make([]Cell, len(counts))
	for i, n := range counts {
		c, err := s.Release(n)
		if err != nil {
			return nil, 0, fmt.Errorf("sdc: row %d: %w", i, err)
		}
		cells[i] = c
		total += c.Value
	}
	return cells, total, nil
}

// RoundTo rounds n (>= 0) to the nearest multiple of base, halves up
// (15 with base 10 gives 20).
func RoundTo(n, base int) int {
	if base <= 1 {
		return n
	}
	return ((n + base/2) / base) * base
}

// Midpoint6 is OpenSAFELY's midpoint-6 rounding,
// roundmid_any(x, to=6) = ceiling(x/6)*6 - floor(6/2)*(x != 0): every count
// in 1..6 becomes 3, 7..12 becomes 9, and so on, so that no released value
// is an exact small count, and 0 stays 0. Columns so rounded carry the
// suffix "_midpoint6".
func Midpoint6(n int) (int, error) {
	return MidpointRound(n, 6)
}

// MidpointRound generalises Midpoint6 to any positive base.
func MidpointRound(n, to int) (int, error) {
	if n < 0 {
		return 0, fmt.Errorf("sdc: negative count %d", n)
	}
	if to <= 0 {
		return 0, fmt.Errorf("sdc: rounding base %d must be positive", to)
	}
	if n == 0 {
		return 0, nil
	}
	return (n+to-1)/to*to - to/2, nil
}
