package ucum

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// dims is a unit in canonical form: factor × Π base^exp.
type dims struct {
	factor  float64
	exp     map[string]int
	special bool // contains a special (non-ratio) unit
}

func one() dims { return dims{factor: 1} }

func (d dims) scale(f float64) dims {
	return dims{factor: d.factor * f, exp: d.exp, special: d.special}
}

// mul returns d × o^sign (sign is +1 or -1).
func (d dims) mul(o dims, sign int) dims {
	r := dims{special: d.special || o.special}
	if sign > 0 {
		r.factor = d.factor * o.factor
	} else {
		r.factor = d.factor / o.factor
	}
	if len(d.exp)+len(o.exp) > 0 {
		r.exp = make(map[string]int, len(d.exp)+len(o.exp))
		for k, v := range d.exp {
			r.exp[k] = v
		}
		for k, v := range o.exp {
			r.exp[k] += sign * v
			if r.exp[k] == 0 {
				delete(r.exp, k)
			}
		}
	}
	return r
}

// pow returns d^n.
func (d dims) pow(n int) dims {
	r := dims{factor: math.Pow(d.factor, float64(n)), special: d.special}
	if len(d.exp) > 0 && n != 0 {
		r.exp = make(map[string]int, len(d.exp))
		for k, v := range d.exp {
			r.exp[k] = v * n
		}
	}
	return r
}

// baseOrder is the order base units are written in a canonical code; the
// seven UCUM base units first (mass first, so concentrations read "g.m-3"),
// then arbitrary units alphabetically.
var baseOrder = map[string]int{"g": 0, "m": 1, "s": 2, "rad": 3, "K": 4, "C": 5, "cd": 6}

// code writes the canonical unit code, e.g. "g.m-3"; "1" when dimensionless.
func (d dims) code() string {
	if len(d.exp) == 0 {
		return "1"
	}
	keys := make([]string, 0, len(d.exp))
	for k := range d.exp {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, oka := baseOrder[a]
		ib, okb := baseOrder[b]
		switch {
		case oka && okb:
			return ia - ib
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a, b)
	})
	var sb strings.Builder
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(k)
		if e := d.exp[k]; e != 1 {
			sb.WriteString(strconv.Itoa(e))
		}
	}
	return sb.String()
}
