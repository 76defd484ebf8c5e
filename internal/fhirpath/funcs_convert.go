package fhirpath

import (
	"regexp"
	"strconv"
	"strings"
)

// Conversion functions: https://hl7.org/fhirpath/N1/#conversion

// convertFn builds toX() (converts=false) and convertsToX() (true).
func convertFn(conv func(Value) (Value, bool), converts bool) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
		if len(focus) == 0 {
			return nil, nil
		}
		if len(focus) > 1 {
			return nil, evalErr("%s() on %d items", f.name, len(focus))
		}
		x, has := system(focus[0])
		if !has {
			return nil, nil
		}
		v, ok := conv(x)
		if converts {
			return boolColl(ok), nil
		}
		if !ok {
			return nil, nil
		}
		return Collection{v}, nil
	}
}

func toBoolean(x Value) (Value, bool) {
	switch v := x.(type) {
	case Boolean:
		return v, true
	case Integer:
		switch v {
		case 1:
			return Boolean(true), true
		case 0:
			return Boolean(false), true
		}
	case Decimal:
		switch {
		case v.cmp(decimalFromInt(1)) == 0:
			return Boolean(true), true
		case v.isZero():
			return Boolean(false), true
		}
	case String:
		switch strings.ToLower(string(v)) {
		case "true", "t", "yes", "y", "1", "1.0":
			return Boolean(true), true
		case "false", "f", "no", "n", "0", "0.0":
			return Boolean(false), true
		}
	}
	return nil, false
}

var integerPattern = regexp.MustCompile(`^[+-]?[0-9]+$`)

func toInteger(x Value) (Value, bool) {
	switch v := x.(type) {
	case Integer:
		return v, true
	case Boolean:
		if v {
			return Integer(1), true
		}
		return Integer(0), true
	case String:
		if !integerPattern.MatchString(string(v)) {
			return nil, false
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return nil, false
		}
		return Integer(n), true
	}
	return nil, false
}

var decimalPattern = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

func toDecimalFn(x Value) (Value, bool) {
	switch v := x.(type) {
	case Decimal:
		return v, true
	case Integer:
		return decimalFromInt(int64(v)), true
	case Boolean:
		d := decimalFromInt(0)
		if v {
			d = decimalFromInt(1)
		}
		d.scale = 1
		return d, true
	case String:
		if !decimalPattern.MatchString(string(v)) {
			return nil, false
		}
		d, err := parseDecimal(string(v))
		if err != nil {
			return nil, false
		}
		return d, true
	}
	return nil, false
}

func toStringFn(x Value) (Value, bool) {
	s, ok := stringOf(x)
	if !ok {
		return nil, false
	}
	return String(s), true
}

// stringOf formats a System value as toString() does.
func stringOf(x Value) (string, bool) {
	switch v := x.(type) {
	case String:
		return string(v), true
	case Integer:
		return strconv.FormatInt(int64(v), 10), true
	case Decimal:
		return v.String(), true
	case Boolean:
		return strconv.FormatBool(bool(v)), true
	case Temporal:
		return v.String(), true
	case *Quantity:
		return v.String(), true
	}
	return "", false
}

func toDate(x Value) (Value, bool) {
	switch v := x.(type) {
	case Temporal:
		if v.kind == kindTime {
			return nil, false
		}
		d := v
		d.kind = kindDate
		d.prec = min(d.prec, precDay)
		d.hasTZ, d.tzMin, d.dateOnlyT = false, 0, false
		d.hour, d.minute, d.second, d.milli = 0, 0, 0, 0
		return d, true
	case String:
		s := string(v)
		if t, err := parseTemporal(s, kindDate); err == nil {
			return t, true
		}
		if t, err := parseTemporal(s, kindDateTime); err == nil {
			return toDate(t)
		}
	}
	return nil, false
}

func toDateTime(x Value) (Value, bool) {
	switch v := x.(type) {
	case Temporal:
		if v.kind == kindTime {
			return nil, false
		}
		d := v
		d.kind = kindDateTime
		return d, true
	case String:
		if t, err := parseTemporal(string(v), kindDateTime); err == nil {
			return t, true
		}
	}
	return nil, false
}

func toTime(x Value) (Value, bool) {
	switch v := x.(type) {
	case Temporal:
		if v.kind == kindTime {
			return v, true
		}
	case String:
		s := strings.TrimPrefix(string(v), "T")
		if t, err := parseTemporal(s, kindTime); err == nil {
			return t, true
		}
	}
	return nil, false
}

var quantityPattern = regexp.MustCompile(`^([+-]?[0-9]+(?:\.[0-9]+)?)\s*(?:'([^']+)'|([a-zA-Z]+))?$`)

func toQuantityValue(x Value) (*Quantity, bool) {
	switch v := x.(type) {
	case *Quantity:
		return v, true
	case Integer:
		return &Quantity{Value: decimalFromInt(int64(v)), Unit: "1"}, true
	case Decimal:
		return &Quantity{Value: v, Unit: "1"}, true
	case Boolean:
		d := decimalFromInt(0)
		if v {
			d = decimalFromInt(1)
		}
		d.scale = 1
		return &Quantity{Value: d, Unit: "1"}, true
	case String:
		m := quantityPattern.FindStringSubmatch(strings.TrimSpace(string(v)))
		if m == nil {
			return nil, false
		}
		d, err := parseDecimal(m[1])
		if err != nil {
			return nil, false
		}
		unit := "1"
		switch {
		case m[2] != "":
			unit = m[2]
		case m[3] != "":
			if _, ok := calendarUnit(m[3]); !ok {
				return nil, false
			}
			unit = m[3]
		}
		return &Quantity{Value: d, Unit: unit}, true
	}
	return nil, false
}

func fnToQuantity(converts bool) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
		if len(focus) == 0 {
			return nil, nil
		}
		if len(focus) > 1 {
			return nil, evalErr("%s() on %d items", f.name, len(focus))
		}
		x, has := system(focus[0])
		if !has {
			return nil, nil
		}
		q, ok := toQuantityValue(x)
		if ok && len(f.args) == 1 {
			ua, err := c.arg(f, 0)
			if err != nil {
				return nil, err
			}
			unit, isStr := singleString(ua)
			if !isStr {
				return nil, evalErr("%s() unit must be a string", f.name)
			}
			target := &Quantity{Value: decimalFromInt(1), Unit: unit}
			v, conv := convertToUnitOf(target, q)
			if conv {
				q = &Quantity{Value: v, Unit: unit}
			}
			ok = conv
		}
		if converts {
			return boolColl(ok), nil
		}
		if !ok {
			return nil, nil
		}
		return Collection{q}, nil
	}
}

// singleString reads a collection holding one string.
func singleString(c Collection) (string, bool) {
	if len(c) != 1 {
		return "", false
	}
	x, _ := system(c[0])
	s, ok := x.(String)
	return string(s), ok
}
