package fhirpath

import (
	"math/big"
)

// Operators: https://hl7.org/fhirpath/N1/#operations

// Limits that keep hostile expressions from exhausting memory.
const (
	maxStringLen = 1 << 20
	maxItems     = 1 << 20
)

func (e *binaryExpr) eval(c *evalCtx, focus Collection) (Collection, error) {
	switch e.op {
	case "and", "or", "xor", "implies":
		return e.evalLogic(c, focus)
	}
	l, err := e.left.eval(c, focus)
	if err != nil {
		return nil, err
	}
	r, err := e.right.eval(c, focus)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "|":
		return union(l, r), nil
	case "=", "!=":
		if len(l) == 0 || len(r) == 0 {
			return nil, nil
		}
		eq, ok := collectionsEqual(l, r)
		if !ok {
			return nil, nil
		}
		return boolColl(eq == (e.op == "=")), nil
	case "~", "!~":
		eq := collectionsEquivalent(l, r)
		return boolColl(eq == (e.op == "~")), nil
	case "<", ">", "<=", ">=":
		return compareOp(e.op, l, r)
	case "in":
		return membership(l, r)
	case "contains":
		return membership(r, l)
	case "&":
		ls, err := stringOrEmpty(l)
		if err != nil {
			return nil, err
		}
		rs, err := stringOrEmpty(r)
		if err != nil {
			return nil, err
		}
		if len(ls)+len(rs) > maxStringLen {
			return nil, evalErr("string result longer than %d bytes", maxStringLen)
		}
		return Collection{String(ls + rs)}, nil
	}
	return arithmetic(e.op, l, r)
}

func stringOrEmpty(c Collection) (string, error) {
	if len(c) == 0 {
		return "", nil
	}
	if len(c) > 1 {
		return "", evalErr("& on %d items", len(c))
	}
	v, _ := system(c[0])
	s, ok := v.(String)
	if !ok {
		return "", evalErr("& needs strings, got %s", c[0].TypeName())
	}
	return string(s), nil
}

func (e *binaryExpr) evalLogic(c *evalCtx, focus Collection) (Collection, error) {
	lc, err := e.left.eval(c, focus)
	if err != nil {
		return nil, err
	}
	l, lok, err := singletonBool(lc)
	if err != nil {
		return nil, err
	}
	// Short-circuit where the left side decides.
	switch {
	case e.op == "and" && lok && !l:
		return boolColl(false), nil
	case e.op == "or" && lok && l:
		return boolColl(true), nil
	case e.op == "implies" && lok && !l:
		return boolColl(true), nil
	}
	rc, err := e.right.eval(c, focus)
	if err != nil {
		return nil, err
	}
	r, rok, err := singletonBool(rc)
	if err != nil {
		return nil, err
	}
	var res, known bool
	switch e.op {
	case "and":
		switch {
		case rok && !r:
			res, known = false, true
		case lok && rok:
			res, known = true, true
		}
	case "or":
		switch {
		case rok && r:
			res, known = true, true
		case lok && rok:
			res, known = false, true
		}
	case "xor":
		if lok && rok {
			res, known = l != r, true
		}
	case "implies":
		switch {
		case lok: // l is true here
			if rok {
				res, known = r, true
			}
		case rok && r:
			res, known = true, true
		}
	}
	if !known {
		return nil, nil
	}
	return boolColl(res), nil
}

// union merges two collections without duplicates (by equality).
func union(l, r Collection) Collection {
	out := make(Collection, 0, len(l)+len(r))
	for _, src := range [2]Collection{l, r} {
		for _, v := range src {
			if !containsEqual(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

func containsEqual(c Collection, v Value) bool {
	for _, x := range c {
		if eq, ok := valuesEqual(x, v); ok && eq {
			return true
		}
	}
	return false
}

func membership(item, coll Collection) (Collection, error) {
	if len(item) == 0 {
		return nil, nil
	}
	if len(item) > 1 {
		return nil, evalErr("membership test on %d items", len(item))
	}
	return boolColl(containsEqual(coll, item[0])), nil
}

func compareOp(op string, l, r Collection) (Collection, error) {
	if len(l) == 0 || len(r) == 0 {
		return nil, nil
	}
	if len(l) > 1 || len(r) > 1 {
		return nil, evalErr("%s on collections of %d and %d items", op, len(l), len(r))
	}
	cmp, ok, err := compareValues(l[0], r[0])
	if err != nil || !ok {
		return nil, err
	}
	var res bool
	switch op {
	case "<":
		res = cmp < 0
	case ">":
		res = cmp > 0
	case "<=":
		res = cmp <= 0
	case ">=":
		res = cmp >= 0
	}
	return boolColl(res), nil
}

// compareValues orders two single values: ok is false when the result is
// unknown (partial dates, incomparable units); err for types that cannot be
// compared.
func compareValues(a, b Value) (int, bool, error) {
	x, okx := system(a)
	y, oky := system(b)
	if !okx || !oky {
		return 0, false, nil
	}
	x, y = coerceTemporal(a, x, y), coerceTemporal(b, y, x)
	switch xv := x.(type) {
	case Integer:
		switch yv := y.(type) {
		case Integer:
			return cmpInt(int64(xv), int64(yv)), true, nil
		case Decimal:
			return decimalFromInt(int64(xv)).cmp(yv), true, nil
		}
	case Decimal:
		switch yv := y.(type) {
		case Integer:
			return xv.cmp(decimalFromInt(int64(yv))), true, nil
		case Decimal:
			return xv.cmp(yv), true, nil
		}
	case String:
		if yv, ok := y.(String); ok {
			return cmpString(string(xv), string(yv)), true, nil
		}
	case Temporal:
		if yv, ok := y.(Temporal); ok {
			c, known, comparable := compareTemporal(xv, yv)
			if !comparable {
				return 0, false, evalErr("cannot compare %s with %s", x.TypeName(), y.TypeName())
			}
			return c, known, nil
		}
	case *Quantity:
		if yv, ok := y.(*Quantity); ok {
			c, known := compareQuantity(xv, yv)
			return c, known, nil
		}
	}
	return 0, false, evalErr("cannot compare %s with %s", a.TypeName(), b.TypeName())
}

// coerceTemporal parses a string from an untyped FHIR element as a date
// when the other operand is a date, so untyped evaluation still compares
// dates correctly.
func coerceTemporal(orig Value, v, other Value) Value {
	s, isStr := v.(String)
	t, isT := other.(Temporal)
	if !isStr || !isT {
		return v
	}
	if _, isNode := orig.(*Node); !isNode {
		return v
	}
	kind := t.kind
	if kind != kindTime && !containsByte(string(s), 'T') {
		kind = kindDate
	}
	if p, err := parseTemporal(string(s), kind); err == nil {
		return p
	}
	return v
}

func containsByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func arithmetic(op string, l, r Collection) (Collection, error) {
	if len(l) == 0 || len(r) == 0 {
		return nil, nil
	}
	if len(l) > 1 || len(r) > 1 {
		return nil, evalErr("%s on collections of %d and %d items", op, len(l), len(r))
	}
	x, _ := system(l[0])
	y, _ := system(r[0])
	x, y = coerceTemporalArith(l[0], x), coerceTemporalArith(r[0], y)
	switch xv := x.(type) {
	case String:
		if yv, ok := y.(String); ok && op == "+" {
			if len(xv)+len(yv) > maxStringLen {
				return nil, evalErr("string result longer than %d bytes", maxStringLen)
			}
			return Collection{xv + yv}, nil
		}
	case Integer:
		switch yv := y.(type) {
		case Integer:
			return intArith(op, int64(xv), int64(yv))
		case Decimal:
			return decArith(op, decimalFromInt(int64(xv)), yv)
		case *Quantity:
			return quantityArith(op, &Quantity{Value: decimalFromInt(int64(xv)), Unit: "1"}, yv)
		}
	case Decimal:
		switch yv := y.(type) {
		case Integer:
			return decArith(op, xv, decimalFromInt(int64(yv)))
		case Decimal:
			return decArith(op, xv, yv)
		case *Quantity:
			return quantityArith(op, &Quantity{Value: xv, Unit: "1"}, yv)
		}
	case *Quantity:
		switch yv := y.(type) {
		case *Quantity:
			return quantityArith(op, xv, yv)
		case Integer:
			return quantityArith(op, xv, &Quantity{Value: decimalFromInt(int64(yv)), Unit: "1"})
		case Decimal:
			return quantityArith(op, xv, &Quantity{Value: yv, Unit: "1"})
		}
	case Temporal:
		if q, ok := y.(*Quantity); ok && (op == "+" || op == "-") {
			return dateArith(op, xv, q)
		}
	}
	return nil, evalErr("cannot apply %s to %s and %s", op, l[0].TypeName(), r[0].TypeName())
}

func coerceTemporalArith(orig, v Value) Value {
	if s, ok := v.(String); ok {
		if n, isNode := orig.(*Node); isNode && n.typ == "" {
			kind := kindDateTime
			if !containsByte(string(s), 'T') {
				kind = kindDate
			}
			if t, err := parseTemporal(string(s), kind); err == nil {
				return t
			}
		}
	}
	return v
}

func intArith(op string, a, b int64) (Collection, error) {
	switch op {
	case "+":
		return Collection{Integer(a + b)}, nil
	case "-":
		return Collection{Integer(a - b)}, nil
	case "*":
		return Collection{Integer(a * b)}, nil
	case "/":
		return decArith(op, decimalFromInt(a), decimalFromInt(b))
	case "div":
		if b == 0 {
			return nil, nil
		}
		return Collection{Integer(a / b)}, nil
	case "mod":
		if b == 0 {
			return nil, nil
		}
		return Collection{Integer(a % b)}, nil
	}
	return nil, evalErr("cannot apply %s to integers", op)
}

func decArith(op string, a, b Decimal) (Collection, error) {
	switch op {
	case "+":
		return Collection{a.add(b)}, nil
	case "-":
		return Collection{a.sub(b)}, nil
	case "*":
		return Collection{a.mul(b)}, nil
	case "/":
		q, ok := a.quo(b)
		if !ok {
			return nil, nil
		}
		return Collection{q}, nil
	case "div":
		if b.isZero() {
			return nil, nil
		}
		q := new(big.Rat).Quo(a.r, b.r)
		return Collection{Integer(new(big.Int).Quo(q.Num(), q.Denom()).Int64())}, nil
	case "mod":
		if b.isZero() {
			return nil, nil
		}
		q := new(big.Rat).Quo(a.r, b.r)
		t := new(big.Rat).SetInt(new(big.Int).Quo(q.Num(), q.Denom()))
		m := new(big.Rat).Sub(a.r, t.Mul(t, b.r))
		return Collection{Decimal{r: m, scale: max(a.scale, b.scale)}}, nil
	}
	return nil, evalErr("cannot apply %s to decimals", op)
}

func quantityArith(op string, a, b *Quantity) (Collection, error) {
	switch op {
	case "+", "-":
		bv, ok := convertToUnitOf(a, b)
		if !ok {
			return nil, evalErr("cannot %s quantities in %q and %q", op, a.Unit, b.Unit)
		}
		v := a.Value.add(bv)
		if op == "-" {
			v = a.Value.sub(bv)
		}
		return Collection{&Quantity{Value: v, Unit: a.Unit}}, nil
	case "*":
		return Collection{&Quantity{Value: a.Value.mul(b.Value), Unit: mulUnits(a.Unit, b.Unit)}}, nil
	case "/":
		q, ok := a.Value.quo(b.Value)
		if !ok {
			return nil, nil
		}
		return Collection{&Quantity{Value: q, Unit: divUnits(a.Unit, b.Unit)}}, nil
	}
	return nil, evalErr("cannot apply %s to quantities", op)
}

func dateArith(op string, t Temporal, q *Quantity) (Collection, error) {
	unit, ok := durationUnit(q.Unit)
	if !ok {
		return nil, evalErr("cannot add a quantity in %q to a date", q.Unit)
	}
	n := q.Value.truncInt().Int64()
	if op == "-" {
		n = -n
	}
	r, err := t.addDuration(n, unit)
	if err != nil {
		return nil, evalErr("%v", err)
	}
	return Collection{r}, nil
}
