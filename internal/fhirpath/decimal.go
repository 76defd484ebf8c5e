package fhirpath

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is a System.Decimal value. It is exact (a rational number) so
// that 1.2 * 1.8 = 2.16 holds, and remembers the number of digits after the
// point it was written with, which precision(), toString() and the
// boundary functions need.
type Decimal struct {
	r     *big.Rat
	scale int
}

// maxScale bounds the digits printed for results that are not exact
// decimals (1/3); the spec asks for at least 8.
const maxScale = 8

func (Decimal) TypeName() string { return "System.Decimal" }

// Raw returns the decimal text as json.Number.
func (d Decimal) Raw() any { return json.Number(d.String()) }

// String formats the decimal with its scale ("1.0", "0.66666667").
func (d Decimal) String() string {
	if d.r == nil {
		return "0"
	}
	return d.r.FloatString(d.scale)
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 {
	if d.r == nil {
		return 0
	}
	f, _ := d.r.Float64()
	return f
}

func parseDecimal(s string) (Decimal, error) {
	if s == "" || strings.ContainsAny(s, "/ \t") {
		return Decimal{}, fmt.Errorf("invalid decimal %q", s)
	}
	body := strings.TrimLeft(s, "+-")
	if body == "" || body[0] == '.' || strings.HasSuffix(body, ".") {
		return Decimal{}, fmt.Errorf("invalid decimal %q", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Decimal{}, fmt.Errorf("invalid decimal %q", s)
	}
	scale := 0
	mant := s
	if i := strings.IndexAny(mant, "eE"); i >= 0 {
		exp, err := strconv.Atoi(mant[i+1:])
		if err != nil {
			return Decimal{}, fmt.Errorf("invalid decimal %q", s)
		}
		mant = mant[:i]
		if j := strings.IndexByte(mant, '.'); j >= 0 {
			scale = len(mant) - j - 1
		}
		scale -= exp
		if scale < 0 {
			scale = 0
		}
	} else if j := strings.IndexByte(mant, '.'); j >= 0 {
		scale = len(mant) - j - 1
	}
	return Decimal{r: r, scale: scale}, nil
}

func decimalFromInt(i int64) Decimal { return Decimal{r: new(big.Rat).SetInt64(i)} }

func decimalFromFloat(f float64) Decimal {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{r: new(big.Rat)}
	}
	// Go through the shortest decimal text so 0.1 stays 0.1, not its binary expansion.
	s := strconv.FormatFloat(f, 'f', -1, 64)
	d, err := parseDecimal(s)
	if err != nil {
		return Decimal{r: new(big.Rat)}
	}
	if d.scale > maxScale {
		d = d.roundTo(maxScale)
	}
	return d
}

// computedScale picks the scale of an arithmetic result: the exact number
// of digits when the result is a finite decimal (up to maxScale), at least
// min.
func computedScale(r *big.Rat, min int) int {
	s := min
	for s < maxScale {
		x := new(big.Rat).Mul(r, new(big.Rat).SetInt(pow10(s)))
		if x.IsInt() {
			return s
		}
		s++
	}
	return s
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

func (d Decimal) cmp(o Decimal) int { return d.r.Cmp(o.r) }

func (d Decimal) add(o Decimal) Decimal {
	return Decimal{r: new(big.Rat).Add(d.r, o.r), scale: max(d.scale, o.scale)}
}

func (d Decimal) sub(o Decimal) Decimal {
	return Decimal{r: new(big.Rat).Sub(d.r, o.r), scale: max(d.scale, o.scale)}
}

func (d Decimal) mul(o Decimal) Decimal {
	r := new(big.Rat).Mul(d.r, o.r)
	return Decimal{r: r, scale: computedScale(r, 0)}
}

func (d Decimal) quo(o Decimal) (Decimal, bool) {
	if o.r.Sign() == 0 {
		return Decimal{}, false
	}
	r := new(big.Rat).Quo(d.r, o.r)
	return Decimal{r: r, scale: computedScale(r, 0)}, true
}

func (d Decimal) neg() Decimal { return Decimal{r: new(big.Rat).Neg(d.r), scale: d.scale} }

// roundTo rounds half away from zero to n digits after the point.
func (d Decimal) roundTo(n int) Decimal {
	p := new(big.Rat).SetInt(pow10(n))
	x := new(big.Rat).Mul(d.r, p)
	num, den := x.Num(), x.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// |m|*2 >= den => round away from zero
	m2 := new(big.Int).Abs(m)
	m2.Lsh(m2, 1)
	if m2.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return Decimal{r: new(big.Rat).SetFrac(q, p.Num()), scale: n}
}

// floorTo and ceilTo round towards -inf / +inf at n digits.
func (d Decimal) floorTo(n int) Decimal {
	p := pow10(n)
	x := new(big.Rat).Mul(d.r, new(big.Rat).SetInt(p))
	q := new(big.Int).Div(x.Num(), x.Denom()) // Euclidean: floor for positive denominators
	return Decimal{r: new(big.Rat).SetFrac(q, p), scale: n}
}

func (d Decimal) ceilTo(n int) Decimal {
	return d.neg().floorTo(n).neg()
}

// truncInt truncates towards zero.
func (d Decimal) truncInt() *big.Int {
	return new(big.Int).Quo(d.r.Num(), d.r.Denom())
}

// isZero reports whether the value is 0.
func (d Decimal) isZero() bool { return d.r.Sign() == 0 }
