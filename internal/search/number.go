package search

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/sen-emr/sen/internal/ucum"
)

// UCUMSystem is the code system of UCUM units in Quantity.system.
const UCUMSystem = "http://unitsofmeasure.org"

// ISO4217System is the currency system used for Money entries.
const ISO4217System = "urn:iso:std:iso:4217"

// NumberRange returns the value of a decimal literal and the range its
// precision implies (search.html#number): "100" is [99.5, 100.5], "0.40"
// is [0.395, 0.405]; exponent forms count their mantissa digits.
func NumberRange(s string) (v, low, high float64, err error) {
	v, err = strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, 0, 0, errNumber(s)
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		exp, err = strconv.Atoi(s[i+1:])
		if err != nil {
			return 0, 0, 0, errNumber(s)
		}
	}
	dec := 0
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		dec = len(mant) - i - 1
	}
	half := 0.5 * math.Pow10(exp-dec)
	return v, v - half, v + half, nil
}

type numberError string

func (e numberError) Error() string { return "malformed number " + strconv.Quote(string(e)) }

func errNumber(s string) error { return numberError(s) }

func numberText(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case string:
		return x, x != ""
	}
	return "", false
}

// numberEntries converts integer and decimal values.
func numberEntries(param string, it item, out []Entry) []Entry {
	s, ok := numberText(it.v)
	if !ok {
		return out
	}
	v, lo, hi, err := NumberRange(s)
	if err != nil {
		return out
	}
	return append(out, Entry{Param: param, Type: TypeNumber, Number: v, NumLow: lo, NumHigh: hi})
}

// quantityEntries converts Quantity (and its profiles Age, Duration,
// Count, Distance, SimpleQuantity), Money and Range values. A UCUM unit
// gets its canonical value too. A Range gives one entry whose
// NumLow/NumHigh are its bounds (open bounds are ±MaxFloat64) and whose
// Number is the low bound (or the high bound when low is absent).
func quantityEntries(param string, it item, out []Entry) []Entry {
	v, ok := it.v.(map[string]any)
	if !ok {
		return numberEntries(param, it, out) // a bare number used as quantity
	}
	if it.t == "Range" || v["low"] != nil || v["high"] != nil {
		return rangeEntry(param, v, out)
	}
	e, ok := quantityEntry(param, v)
	if !ok {
		return out
	}
	return append(out, e)
}

func quantityEntry(param string, v map[string]any) (Entry, bool) {
	s, ok := numberText(v["value"])
	if !ok {
		return Entry{}, false
	}
	n, lo, hi, err := NumberRange(s)
	if err != nil {
		return Entry{}, false
	}
	e := Entry{Param: param, Type: TypeQuantity, Number: n, NumLow: lo, NumHigh: hi}
	if cur, ok := v["currency"].(string); ok { // Money
		e.System, e.Code, e.Value = ISO4217System, cur, cur
		return e, true
	}
	e.System, _ = v["system"].(string)
	e.Code, _ = v["code"].(string)
	e.Value, _ = v["unit"].(string)
	if e.System == UCUMSystem && e.Code != "" {
		if cv, cu, err := ucum.Canonical(n, e.Code); err == nil {
			e.Canonical, e.CanonicalCode, e.HasCanonical = cv, cu, true
		}
	}
	return e, true
}

func rangeEntry(param string, v map[string]any, out []Entry) []Entry {
	lowQ, _ := v["low"].(map[string]any)
	highQ, _ := v["high"].(map[string]any)
	l, lok := quantityEntry(param, lowQ)
	h, hok := quantityEntry(param, highQ)
	if !lok && !hok {
		return out
	}
	e := l
	if !lok {
		e = h
	}
	e.NumLow, e.NumHigh = -math.MaxFloat64, math.MaxFloat64
	if lok {
		e.NumLow = l.Number
	}
	if hok {
		e.NumHigh = h.Number
	}
	if lok && hok && l.HasCanonical && h.HasCanonical && l.CanonicalCode == h.CanonicalCode {
		e.Canonical = l.Canonical
	} else if !lok {
		e.Canonical = h.Canonical
	}
	return append(out, e)
}
