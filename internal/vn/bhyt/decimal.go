package bhyt

import (
	"fmt"
	"math/big"
	"strings"
)

// Dec is an exact decimal number for money and quantities. Claim
// arithmetic must not use binary floats (REGULATIONS.md §2: DON_GIA to 3
// decimals, THANH_TIEN to 2). The zero value is 0.
type Dec struct{ r big.Rat }

// ParseDec parses a decimal written with "." ("12500", "0.5", "-3.125").
func ParseDec(s string) (Dec, error) {
	var d Dec
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "eE/,") {
		return d, fmt.Errorf("%q is not a decimal number", s)
	}
	if _, ok := d.r.SetString(s); !ok {
		return d, fmt.Errorf("%q is not a decimal number", s)
	}
	return d, nil
}

// MustDec is ParseDec for constants in code and tests; it panics on a
// malformed literal.
func MustDec(s string) Dec {
	d, err := ParseDec(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DecInt returns n as a Dec.
func DecInt(n int64) Dec {
	var d Dec
	d.r.SetInt64(n)
	return d
}

// Add returns a+b.
func (a Dec) Add(b Dec) Dec { var d Dec; d.r.Add(&a.r, &b.r); return d }

// Sub returns a-b.
func (a Dec) Sub(b Dec) Dec { var d Dec; d.r.Sub(&a.r, &b.r); return d }

// Mul returns a×b.
func (a Dec) Mul(b Dec) Dec { var d Dec; d.r.Mul(&a.r, &b.r); return d }

// Percent returns a×p/100.
func (a Dec) Percent(p Dec) Dec {
	var d Dec
	d.r.Mul(&a.r, &p.r)
	d.r.Quo(&d.r, big.NewRat(100, 1))
	return d
}

// Cmp compares a and b.
func (a Dec) Cmp(b Dec) int { return a.r.Cmp(&b.r) }

// IsZero reports a == 0.
func (a Dec) IsZero() bool { return a.r.Sign() == 0 }

// Round rounds to places decimals, halves away from zero (the usual
// commercial rule; the decision does not name one — docs/regulations.md).
func (a Dec) Round(places int) Dec {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	num := new(big.Int).Mul(a.r.Num(), scale)
	den := a.r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// |remainder|*2 >= den rounds away from zero.
	m.Abs(m).Lsh(m, 1)
	if m.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	var d Dec
	d.r.SetFrac(q, scale)
	return d
}

// String writes the shortest exact form with "." ("12500", "0.5"); a
// number with an infinite expansion is written to 6 places.
func (a Dec) String() string {
	for places := 0; places <= 6; places++ {
		if a.Round(places).Cmp(a) == 0 {
			return a.r.FloatString(places)
		}
	}
	return a.r.FloatString(6)
}
