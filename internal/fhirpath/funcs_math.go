package fhirpath

import (
	"math"
	"math/big"
)

// Math functions: https://hl7.org/fhirpath/N1/#math

// inputNumber reads the single number (or quantity) a math function is
// called on; ok is false for an empty input.
func inputNumber(focus Collection, f *funcExpr) (Value, bool, error) {
	if len(focus) == 0 {
		return nil, false, nil
	}
	if len(focus) > 1 {
		return nil, false, evalErr("%s() on %d items", f.name, len(focus))
	}
	x, has := system(focus[0])
	if !has {
		return nil, false, nil
	}
	switch x.(type) {
	case Integer, Decimal, *Quantity:
		return x, true, nil
	}
	return nil, false, evalErr("%s() needs a number, got %s", f.name, focus[0].TypeName())
}

func fnAbs(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	x, ok, err := inputNumber(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	switch v := x.(type) {
	case Integer:
		if v < 0 {
			v = -v
		}
		return Collection{v}, nil
	case Decimal:
		return Collection{Decimal{r: new(big.Rat).Abs(v.r), scale: v.scale}}, nil
	case *Quantity:
		return Collection{&Quantity{Value: Decimal{r: new(big.Rat).Abs(v.Value.r), scale: v.Value.scale}, Unit: v.Unit}}, nil
	}
	return nil, nil
}

func roundingFn(mode string) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
		x, ok, err := inputNumber(focus, f)
		if err != nil || !ok {
			return nil, err
		}
		var d Decimal
		switch v := x.(type) {
		case Integer:
			return Collection{v}, nil
		case Decimal:
			d = v
		default:
			return nil, evalErr("%s() needs a number", f.name)
		}
		var r Decimal
		switch mode {
		case "ceiling":
			r = d.ceilTo(0)
		case "floor":
			r = d.floorTo(0)
		default:
			return Collection{Integer(d.truncInt().Int64())}, nil
		}
		return Collection{Integer(r.truncInt().Int64())}, nil
	}
}

func fnRound(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	x, ok, err := inputNumber(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	prec := int64(0)
	if len(f.args) == 1 {
		prec, err = intArgument(c, f, 0)
		if err != nil {
			return nil, err
		}
		if prec < 0 || prec > 28 {
			return nil, evalErr("round() precision must be 0..28")
		}
	}
	switch v := x.(type) {
	case Integer:
		return Collection{decimalFromInt(int64(v)).roundTo(int(prec))}, nil
	case Decimal:
		return Collection{v.roundTo(int(prec))}, nil
	}
	return nil, evalErr("round() needs a number")
}

func floatFn(name string) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
		x, ok, err := inputNumber(focus, f)
		if err != nil || !ok {
			return nil, err
		}
		v, isNum := floatOf(x)
		if !isNum {
			return nil, evalErr("%s() needs a number", f.name)
		}
		var r float64
		switch name {
		case "exp":
			r = math.Exp(v)
		case "ln":
			r = math.Log(v)
		case "sqrt":
			r = math.Sqrt(v)
		}
		return floatResult(r), nil
	}
}

func floatOf(x Value) (float64, bool) {
	switch v := x.(type) {
	case Integer:
		return float64(v), true
	case Decimal:
		return v.Float64(), true
	}
	return 0, false
}

func floatResult(r float64) Collection {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return nil
	}
	return Collection{decimalFromFloat(r)}
}

func fnLog(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	x, ok, err := inputNumber(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	bc, err := c.arg(f, 0)
	if err != nil || len(bc) == 0 {
		return nil, err
	}
	bv, _ := system(bc[0])
	base, isNum := floatOf(bv)
	v, isNum2 := floatOf(x)
	if !isNum || !isNum2 {
		return nil, evalErr("log() needs numbers")
	}
	return floatResult(math.Log(v) / math.Log(base)), nil
}

func fnPower(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	x, ok, err := inputNumber(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	ec, err := c.arg(f, 0)
	if err != nil || len(ec) == 0 {
		return nil, err
	}
	ev, _ := system(ec[0])
	if bi, isInt := x.(Integer); isInt {
		if ei, isInt2 := ev.(Integer); isInt2 && ei >= 0 && ei <= 64 {
			r := new(big.Int).Exp(big.NewInt(int64(bi)), big.NewInt(int64(ei)), nil)
			if r.IsInt64() {
				return Collection{Integer(r.Int64())}, nil
			}
			return nil, nil
		}
	}
	base, ok1 := floatOf(x)
	e, ok2 := floatOf(ev)
	if !ok1 || !ok2 {
		return nil, evalErr("power() needs numbers")
	}
	return floatResult(math.Pow(base, e)), nil
}
