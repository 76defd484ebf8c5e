package fhirpath

import (
	"fmt"
	"math/big"
	"strings"
)

// Quantity is a System.Quantity: a decimal value with a UCUM unit
// ("mg", "[lb_av]", "1") or a calendar duration keyword ("year", "days").
type Quantity struct {
	Value Decimal
	Unit  string
}

func (*Quantity) TypeName() string { return "System.Quantity" }

// Raw returns the quantity itself.
func (q *Quantity) Raw() any { return q }

// String formats the quantity as a FHIRPath literal: 4.0 'mg', 1 week.
func (q *Quantity) String() string {
	if _, ok := calendarUnit(q.Unit); ok {
		return q.Value.String() + " " + q.Unit
	}
	return q.Value.String() + " '" + q.Unit + "'"
}

// calendarUnit normalises a FHIRPath calendar duration keyword to its
// singular form.
func calendarUnit(u string) (string, bool) {
	switch u {
	case "year", "years":
		return "year", true
	case "month", "months":
		return "month", true
	case "week", "weeks":
		return "week", true
	case "day", "days":
		return "day", true
	case "hour", "hours":
		return "hour", true
	case "minute", "minutes":
		return "minute", true
	case "second", "seconds":
		return "second", true
	case "millisecond", "milliseconds":
		return "millisecond", true
	}
	return "", false
}

// durationUnit maps a calendar keyword or a UCUM time unit to the unit
// date arithmetic uses; 'a' and 'mo' are not calendar durations and are
// rejected (https://hl7.org/fhirpath/N1/#date-time-arithmetic).
func durationUnit(u string) (string, bool) {
	if c, ok := calendarUnit(u); ok {
		return c, true
	}
	switch u {
	case "wk":
		return "week", true
	case "d":
		return "day", true
	case "h":
		return "hour", true
	case "min":
		return "minute", true
	case "s":
		return "second", true
	case "ms":
		return "millisecond", true
	}
	return "", false
}

// Dimensions of the UCUM base units used here.
const (
	dimM = iota
	dimG
	dimS
	dimMol
	dimK
	dimIU
	dimEq
	nDims
)

type unitDims [nDims]int8

type canonUnit struct {
	factor *big.Rat
	dims   unitDims
}

type atomDef struct {
	factor string
	dims   unitDims
}

// ucumAtom returns the definition of a UCUM atom (without prefix). The
// table covers the units common in clinical data; others are reported as
// unknown and only compare equal to the very same unit string.
func ucumAtom(a string) (atomDef, bool) {
	d := func(f string, m, g, s int8) atomDef { return atomDef{f, unitDims{dimM: m, dimG: g, dimS: s}} }
	switch a {
	case "1":
		return d("1", 0, 0, 0), true
	case "%":
		return d("1/100", 0, 0, 0), true
	case "m":
		return d("1", 1, 0, 0), true
	case "g":
		return d("1", 0, 1, 0), true
	case "s":
		return d("1", 0, 0, 1), true
	case "min":
		return d("60", 0, 0, 1), true
	case "h":
		return d("3600", 0, 0, 1), true
	case "d":
		return d("86400", 0, 0, 1), true
	case "wk":
		return d("604800", 0, 0, 1), true
	case "mo":
		return d("2629800", 0, 0, 1), true
	case "a":
		return d("31557600", 0, 0, 1), true
	case "L", "l":
		return d("1/1000", 3, 0, 0), true
	case "[lb_av]":
		return d("45359237/100000", 0, 1, 0), true
	case "[oz_av]":
		return d("28349523125/1000000000", 0, 1, 0), true
	case "[in_i]":
		return d("254/10000", 1, 0, 0), true
	case "[ft_i]":
		return d("3048/10000", 1, 0, 0), true
	case "[mi_i]":
		return d("1609344/1000", 1, 0, 0), true
	case "Hz":
		return d("1", 0, 0, -1), true
	case "N":
		return d("1000", 1, 1, -2), true
	case "Pa":
		return d("1000", -1, 1, -2), true
	case "bar":
		return d("100000000", -1, 1, -2), true
	case "mm[Hg]":
		return d("133322387415/1000000", -1, 1, -2), true
	case "J":
		return d("1000", 2, 1, -2), true
	case "cal":
		return d("4184", 2, 1, -2), true
	case "W":
		return d("1000", 2, 1, -3), true
	case "mol":
		return atomDef{"1", unitDims{dimMol: 1}}, true
	case "K":
		return atomDef{"1", unitDims{dimK: 1}}, true
	case "[iU]", "[IU]":
		return atomDef{"1", unitDims{dimIU: 1}}, true
	case "U":
		return atomDef{"1/60000000", unitDims{dimMol: 1, dimS: -1}}, true
	case "eq":
		return atomDef{"1", unitDims{dimEq: 1}}, true
	}
	return atomDef{}, false
}

var ucumPrefixes = []struct {
	p string
	f string
}{
	{"da", "10"}, {"Y", "1000000000000000000000000"}, {"Z", "1000000000000000000000"},
	{"E", "1000000000000000000"}, {"P", "1000000000000000"}, {"T", "1000000000000"},
	{"G", "1000000000"}, {"M", "1000000"}, {"k", "1000"}, {"h", "100"},
	{"d", "1/10"}, {"c", "1/100"}, {"m", "1/1000"}, {"u", "1/1000000"},
	{"n", "1/1000000000"}, {"p", "1/1000000000000"}, {"f", "1/1000000000000000"},
}

// canonical converts a unit string to factor and dimensions. Calendar
// keywords below a month are their UCUM equivalents.
func canonical(unit string) (canonUnit, bool) {
	if c, ok := calendarUnit(unit); ok {
		switch c {
		case "year":
			unit = "a"
		case "month":
			unit = "mo"
		case "week":
			unit = "wk"
		case "day":
			unit = "d"
		case "hour":
			unit = "h"
		case "minute":
			unit = "min"
		case "second":
			unit = "s"
		case "millisecond":
			unit = "ms"
		}
	}
	p := unitParser{s: unit}
	cu, ok := p.expr()
	if !ok || p.i != len(p.s) {
		return canonUnit{}, false
	}
	return cu, true
}

type unitParser struct {
	s string
	i int
}

func (p *unitParser) expr() (canonUnit, bool) {
	res := canonUnit{factor: big.NewRat(1, 1)}
	op := byte('.')
	if p.i < len(p.s) && p.s[p.i] == '/' {
		op = '/'
		p.i++
	}
	for {
		t, ok := p.term()
		if !ok {
			return canonUnit{}, false
		}
		if op == '.' {
			res.factor.Mul(res.factor, t.factor)
			for k := range res.dims {
				res.dims[k] += t.dims[k]
			}
		} else {
			res.factor.Quo(res.factor, t.factor)
			for k := range res.dims {
				res.dims[k] -= t.dims[k]
			}
		}
		if p.i >= len(p.s) || (p.s[p.i] != '.' && p.s[p.i] != '/') {
			return res, true
		}
		op = p.s[p.i]
		p.i++
	}
}

func (p *unitParser) term() (canonUnit, bool) {
	if p.i >= len(p.s) {
		return canonUnit{}, false
	}
	if p.s[p.i] == '(' {
		p.i++
		cu, ok := p.expr()
		if !ok || p.i >= len(p.s) || p.s[p.i] != ')' {
			return canonUnit{}, false
		}
		p.i++
		return p.exponent(cu)
	}
	if p.s[p.i] == '{' {
		end := strings.IndexByte(p.s[p.i:], '}')
		if end < 0 {
			return canonUnit{}, false
		}
		p.i += end + 1
		return canonUnit{factor: big.NewRat(1, 1)}, true
	}
	// A number, possibly 10*n / 10^n.
	if isDigit(p.s[p.i]) {
		j := p.i
		for j < len(p.s) && isDigit(p.s[j]) {
			j++
		}
		n, _ := new(big.Rat).SetString(p.s[p.i:j])
		if n.Sign() == 0 {
			return canonUnit{}, false // a zero factor cannot be divided by
		}
		p.i = j
		if p.i < len(p.s) && (p.s[p.i] == '*' || p.s[p.i] == '^') {
			p.i++
			k := p.i
			if k < len(p.s) && (p.s[k] == '-' || p.s[k] == '+') {
				k++
			}
			for k < len(p.s) && isDigit(p.s[k]) {
				k++
			}
			var e int
			if _, err := fmt.Sscan(p.s[p.i:k], &e); err != nil || e > 30 || e < -30 {
				return canonUnit{}, false
			}
			p.i = k
			r := new(big.Rat).SetInt(pow10(abs(e)))
			if e < 0 {
				r.Inv(r)
			}
			return canonUnit{factor: r}, true
		}
		return canonUnit{factor: n}, true
	}
	// An atom with optional prefix and exponent: read the symbol.
	j := p.i
	for j < len(p.s) {
		c := p.s[j]
		if c == '[' {
			end := strings.IndexByte(p.s[j:], ']')
			if end < 0 {
				return canonUnit{}, false
			}
			j += end + 1
			continue
		}
		if c == '.' || c == '/' || c == '(' || c == ')' || c == '{' || isDigit(c) || c == '-' || c == '+' {
			break
		}
		j++
	}
	sym := p.s[p.i:j]
	p.i = j
	cu, ok := atomWithPrefix(sym)
	if !ok {
		return canonUnit{}, false
	}
	return p.exponent(cu)
}

func (p *unitParser) exponent(cu canonUnit) (canonUnit, bool) {
	k := p.i
	if k < len(p.s) && (p.s[k] == '-' || p.s[k] == '+') {
		k++
	}
	d := k
	for k < len(p.s) && isDigit(p.s[k]) {
		k++
	}
	if k == d {
		return cu, true
	}
	var e int
	if _, err := fmt.Sscan(p.s[p.i:k], &e); err != nil || e > 10 || e < -10 {
		return canonUnit{}, false
	}
	p.i = k
	out := canonUnit{factor: big.NewRat(1, 1)}
	for n := 0; n < abs(e); n++ {
		out.factor.Mul(out.factor, cu.factor)
	}
	if e < 0 {
		out.factor.Inv(out.factor)
	}
	for i := range cu.dims {
		out.dims[i] = cu.dims[i] * int8(e)
	}
	return out, true
}

func atomWithPrefix(sym string) (canonUnit, bool) {
	if a, ok := ucumAtom(sym); ok {
		f, _ := new(big.Rat).SetString(a.factor)
		return canonUnit{factor: f, dims: a.dims}, true
	}
	for _, pr := range ucumPrefixes {
		if strings.HasPrefix(sym, pr.p) {
			if a, ok := ucumAtom(sym[len(pr.p):]); ok && sym[len(pr.p):] != "1" && sym[len(pr.p):] != "%" {
				f, _ := new(big.Rat).SetString(a.factor)
				pf, _ := new(big.Rat).SetString(pr.f)
				return canonUnit{factor: f.Mul(f, pf), dims: a.dims}, true
			}
		}
	}
	return canonUnit{}, false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// quantityRelation puts b into a's unit so the values can be compared. ok
// is false when the units are not comparable (different dimensions,
// unknown units, or a calendar year/month against a UCUM unit).
func convertToUnitOf(a, b *Quantity) (Decimal, bool) {
	if a.Unit == b.Unit {
		return b.Value, true
	}
	ca, cb := calendarOnly(a.Unit), calendarOnly(b.Unit)
	if ca != "" || cb != "" {
		if ca != cb {
			return Decimal{}, false
		}
		return b.Value, true
	}
	ua, ok1 := canonical(a.Unit)
	ub, ok2 := canonical(b.Unit)
	if !ok1 || !ok2 || ua.dims != ub.dims {
		return Decimal{}, false
	}
	r := new(big.Rat).Mul(b.Value.r, ub.factor)
	r.Quo(r, ua.factor)
	return Decimal{r: r, scale: computedScale(r, b.Value.scale)}, true
}

// calendarOnly returns "year"/"month" for calendar keywords that have no
// definite UCUM equivalent, "" otherwise.
func calendarOnly(u string) string {
	c, ok := calendarUnit(u)
	if ok && (c == "year" || c == "month") {
		return c
	}
	return ""
}

// compareQuantity compares two quantities; ok is false if incomparable.
func compareQuantity(a, b *Quantity) (int, bool) {
	bv, ok := convertToUnitOf(a, b)
	if !ok {
		return 0, false
	}
	return a.Value.cmp(bv), true
}

// comparableUnits reports whether two units have the same dimensions.
func comparableUnits(a, b string) bool {
	_, ok := convertToUnitOf(&Quantity{Value: decimalFromInt(1), Unit: a}, &Quantity{Value: decimalFromInt(1), Unit: b})
	return ok
}

// mulUnits and divUnits compose unit strings for quantity arithmetic.
func mulUnits(a, b string) string {
	switch {
	case a == "1":
		return b
	case b == "1":
		return a
	}
	return wrapUnit(ucumOf(a)) + "." + wrapUnit(ucumOf(b))
}

func divUnits(a, b string) string {
	if b == "1" {
		return a
	}
	if a == b {
		return "1"
	}
	return wrapUnit(ucumOf(a)) + "/" + wrapUnit(ucumOf(b))
}

func ucumOf(u string) string {
	if c, ok := calendarUnit(u); ok {
		switch c {
		case "year":
			return "a"
		case "month":
			return "mo"
		case "week":
			return "wk"
		case "day":
			return "d"
		case "hour":
			return "h"
		case "minute":
			return "min"
		case "second":
			return "s"
		case "millisecond":
			return "ms"
		}
	}
	return u
}

func wrapUnit(u string) string {
	if strings.ContainsAny(u, "./") {
		return "(" + u + ")"
	}
	return u
}
