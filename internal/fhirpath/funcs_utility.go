package fhirpath

import (
	"math/big"
	"sort"
)

// Utility functions: https://hl7.org/fhirpath/N1/#utility-functions

func fnTrace(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	name, _, err := stringArg(c, f, 0)
	if err != nil {
		return nil, err
	}
	if c.opts.Trace == nil {
		return focus, nil
	}
	shown := focus
	if len(f.args) == 2 {
		var proj Collection
		err := c.forEach(focus, f.args[1], func(_ int, _ Value, res Collection) (bool, error) {
			proj = append(proj, res...)
			return true, nil
		})
		if err != nil {
			return nil, err
		}
		shown = proj
	}
	c.opts.Trace(name, shown)
	return focus, nil
}

func fnNow(c *evalCtx, _ Collection, _ *funcExpr) (Collection, error) {
	return Collection{fromTime(c.nowTime(), kindDateTime, precMilli)}, nil
}

func fnToday(c *evalCtx, _ Collection, _ *funcExpr) (Collection, error) {
	return Collection{fromTime(c.nowTime(), kindDate, precDay)}, nil
}

func fnTimeOfDay(c *evalCtx, _ Collection, _ *funcExpr) (Collection, error) {
	return Collection{fromTime(c.nowTime(), kindTime, precMilli)}, nil
}

// fnSort orders the input by the given key expressions (a leading unary
// minus sorts that key descending), or by the items themselves.
func fnSort(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	type keyed struct {
		v    Value
		keys []Value
	}
	items := make([]keyed, len(focus))
	desc := make([]bool, len(f.args))
	exprs := make([]expr, len(f.args))
	for i, a := range f.args {
		exprs[i] = a
		if u, ok := a.(*unaryExpr); ok && u.op == "-" {
			desc[i], exprs[i] = true, u.operand
		}
	}
	for i, v := range focus {
		items[i].v = v
		if len(exprs) == 0 {
			x, _ := system(v)
			items[i].keys = []Value{x}
			continue
		}
		sub := *c
		sub.this, sub.index = Collection{v}, i
		for _, e := range exprs {
			res, err := e.eval(&sub, sub.this)
			if err != nil {
				return nil, err
			}
			var k Value
			if len(res) > 0 {
				k, _ = system(res[0])
			}
			items[i].keys = append(items[i].keys, k)
		}
	}
	var sortErr error
	sort.SliceStable(items, func(a, b int) bool {
		for k := range items[a].keys {
			x, y := items[a].keys[k], items[b].keys[k]
			var cmp int
			// Items without a key come first in either direction.
			switch {
			case x == nil && y == nil:
				continue
			case x == nil:
				return true
			case y == nil:
				return false
			default:
				c, _, err := compareValues(x, y)
				if err != nil && sortErr == nil {
					sortErr = err
				}
				cmp = c
			}
			if k < len(desc) && desc[k] {
				cmp = -cmp
			}
			if cmp != 0 {
				return cmp < 0
			}
		}
		return false
	})
	if sortErr != nil {
		return nil, sortErr
	}
	out := make(Collection, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out, nil
}

func fnAggregate(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	var total Collection
	if len(f.args) == 2 {
		init, err := c.arg(f, 1)
		if err != nil {
			return nil, err
		}
		total = init
	}
	sub := *c
	for i, v := range focus {
		sub.this, sub.index, sub.total = Collection{v}, i, total
		res, err := f.args[0].eval(&sub, sub.this)
		if err != nil {
			return nil, err
		}
		total = append(Collection(nil), res...)
	}
	return total, nil
}

func fnPrecision(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	if len(focus) == 0 {
		return nil, nil
	}
	if len(focus) > 1 {
		return nil, evalErr("precision() on %d items", len(focus))
	}
	x, _ := system(focus[0])
	switch v := x.(type) {
	case Decimal:
		return Collection{Integer(v.scale)}, nil
	case Integer:
		return Collection{Integer(0)}, nil
	case Temporal:
		return Collection{Integer(temporalDigits(v.kind, v.prec))}, nil
	}
	return nil, evalErr("precision() on %s", focus[0].TypeName())
}

// temporalDigits maps precision levels to the digit counts precision()
// and the boundary functions use.
func temporalDigits(kind temporalKind, prec int) int {
	if kind == kindTime {
		return [...]int{0, 0, 0, 0, 2, 4, 6, 9}[prec]
	}
	return [...]int{0, 4, 6, 8, 10, 12, 14, 17}[prec]
}

func precFromDigits(kind temporalKind, digits int) (int, bool) {
	for p := precYear; p <= precMilli; p++ {
		if kind == kindTime && p < precHour {
			continue
		}
		if kind == kindDate && p > precDay {
			break
		}
		if temporalDigits(kind, p) == digits {
			return p, true
		}
	}
	return 0, false
}

func boundaryFn(high bool) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
		if len(focus) == 0 {
			return nil, nil
		}
		if len(focus) > 1 {
			return nil, evalErr("%s() on %d items", f.name, len(focus))
		}
		p, given := int64(-1), false
		if len(f.args) == 1 {
			pc, err := c.arg(f, 0)
			if err != nil {
				return nil, err
			}
			if len(pc) > 0 {
				var ok bool
				if p, ok = integerArg(pc); !ok {
					return nil, evalErr("%s() precision must be an integer", f.name)
				}
				given = true
			}
		}
		x, _ := system(focus[0])
		switch v := x.(type) {
		case Integer:
			return decimalBoundary(decimalFromInt(int64(v)), p, given, high), nil
		case Decimal:
			return decimalBoundary(v, p, given, high), nil
		case *Quantity:
			r := decimalBoundary(v.Value, p, given, high)
			if len(r) == 0 {
				return nil, nil
			}
			return Collection{&Quantity{Value: r[0].(Decimal), Unit: v.Unit}}, nil
		case Temporal:
			return temporalBoundary(v, p, given, high), nil
		}
		return nil, evalErr("%s() on %s", f.name, focus[0].TypeName())
	}
}

func decimalBoundary(d Decimal, p int64, given, high bool) Collection {
	if !given {
		p = 8
	}
	if p < 0 || p > 28 {
		return nil
	}
	half := Decimal{r: new(big.Rat).SetFrac(big.NewInt(5), pow10(d.scale+1)), scale: d.scale + 1}
	var r Decimal
	if high {
		r = d.add(half).ceilTo(int(p))
	} else {
		r = d.sub(half).floorTo(int(p))
	}
	// A value that is zero at the requested precision stays zero rather
	// than jumping to the next step (0.0034.highBoundary(1) = 0.0).
	if int(p) < d.scale && new(big.Rat).Abs(d.r).Cmp(new(big.Rat).SetFrac(big.NewInt(1), pow10(int(p)))) < 0 {
		r = Decimal{r: new(big.Rat), scale: int(p)}
	}
	return Collection{r}
}

func temporalBoundary(t Temporal, p int64, given, high bool) Collection {
	target := precMilli
	if t.kind == kindDate {
		target = precDay
	}
	if given {
		tp, ok := precFromDigits(t.kind, int(p))
		if !ok {
			return nil
		}
		target = tp
	}
	r := t
	if high {
		if r.prec < precMonth {
			r.month = 12
		}
		if r.prec < precDay {
			r.day = daysIn(r.year, r.month)
		}
		// A date without a time ends at 23:59 of its last day; hours given
		// without minutes keep minute 0 (as the official tests expect).
		if r.kind != kindTime && r.prec < precHour {
			r.hour, r.minute = 23, 59
		}
		if r.prec < precSecond {
			r.second = 59
		}
		if r.prec < precMilli {
			r.milli = 999
		}
	} else {
		if r.prec < precMonth {
			r.month = 1
		}
		if r.prec < precDay {
			r.day = 1
		}
	}
	if r.kind != kindTime && r.prec < precMinute && !high {
		r.minute = 0
	}
	if r.kind == kindDateTime && target >= precHour && !r.hasTZ {
		r.hasTZ = true
		r.tzMin = 14 * 60
		if high {
			r.tzMin = -12 * 60
		}
	}
	r.prec = target
	r.dateOnlyT = false
	return Collection{r}
}

func fnComparable(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	if len(focus) != 1 {
		return nil, nil
	}
	other, err := c.arg(f, 0)
	if err != nil || len(other) != 1 {
		return nil, err
	}
	a, _ := system(focus[0])
	b, _ := system(other[0])
	qa, ok1 := a.(*Quantity)
	qb, ok2 := b.(*Quantity)
	if !ok1 || !ok2 {
		return nil, evalErr("comparable() needs quantities")
	}
	return boolColl(comparableUnits(qa.Unit, qb.Unit)), nil
}
