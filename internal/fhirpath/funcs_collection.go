package fhirpath

// Existence, filtering, subsetting and combining functions
// (https://hl7.org/fhirpath/N1/#existence ... #combining).

func fnEmpty(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	return boolColl(len(focus) == 0), nil
}

func fnExists(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	if len(f.args) == 0 {
		return boolColl(len(focus) > 0), nil
	}
	found := false
	err := c.forEach(focus, f.args[0], func(_ int, _ Value, res Collection) (bool, error) {
		b, ok, err := singletonBool(res)
		if err != nil {
			return false, err
		}
		if ok && b {
			found = true
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return boolColl(found), nil
}

func fnAll(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	all := true
	err := c.forEach(focus, f.args[0], func(_ int, _ Value, res Collection) (bool, error) {
		b, ok, err := singletonBool(res)
		if err != nil {
			return false, err
		}
		if !ok || !b {
			all = false
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return boolColl(all), nil
}

// boolAggregate builds allTrue (every, true), anyTrue (!every, true),
// allFalse (every, false) and anyFalse (!every, false).
func boolAggregate(every, want bool) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
		for _, v := range focus {
			x, _ := system(v)
			b, ok := x.(Boolean)
			if !ok {
				return nil, evalErr("%s() needs booleans, got %s", f.name, v.TypeName())
			}
			if every && bool(b) != want {
				return boolColl(false), nil
			}
			if !every && bool(b) == want {
				return boolColl(true), nil
			}
		}
		return boolColl(every), nil
	}
}

func fnSubsetOf(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	other, err := c.arg(f, 0)
	if err != nil {
		return nil, err
	}
	for _, v := range focus {
		if !containsEqual(other, v) {
			return boolColl(false), nil
		}
	}
	return boolColl(true), nil
}

func fnSupersetOf(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	other, err := c.arg(f, 0)
	if err != nil {
		return nil, err
	}
	for _, v := range other {
		if !containsEqual(focus, v) {
			return boolColl(false), nil
		}
	}
	return boolColl(true), nil
}

func fnCount(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	return Collection{Integer(len(focus))}, nil
}

func fnDistinct(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	return union(focus, nil), nil
}

func fnIsDistinct(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	return boolColl(len(union(focus, nil)) == len(focus)), nil
}

func fnWhere(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	var out Collection
	err := c.forEach(focus, f.args[0], func(_ int, item Value, res Collection) (bool, error) {
		b, ok, err := singletonBool(res)
		if err != nil {
			return false, err
		}
		if ok && b {
			out = append(out, item)
		}
		return true, nil
	})
	return out, err
}

func fnSelect(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	var out Collection
	err := c.forEach(focus, f.args[0], func(_ int, _ Value, res Collection) (bool, error) {
		out = append(out, res...)
		if len(out) > maxItems {
			return false, evalErr("select() result exceeds %d items", maxItems)
		}
		return true, nil
	})
	return out, err
}

func fnRepeat(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	var out Collection
	queue := append(Collection(nil), focus...)
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 || len(out) > maxItems {
			return nil, evalErr("repeat() did not terminate")
		}
		var next Collection
		err := c.forEach(queue, f.args[0], func(_ int, _ Value, res Collection) (bool, error) {
			for _, v := range res {
				if !containsIdentical(out, v) {
					out = append(out, v)
					next = append(next, v)
				}
			}
			return true, nil
		})
		if err != nil {
			return nil, err
		}
		queue = next
	}
	return out, nil
}

// containsIdentical tests membership by equality for System values and by
// identity of the underlying JSON for elements, so repeat() over equal
// but distinct elements keeps them all.
func containsIdentical(c Collection, v Value) bool {
	n, isNode := v.(*Node)
	if !isNode {
		return containsEqual(c, v)
	}
	for _, x := range c {
		if m, ok := x.(*Node); ok && sameJSON(m, n) {
			return true
		}
	}
	return false
}

func sameJSON(a, b *Node) bool {
	ma, ok1 := a.data.(map[string]any)
	mb, ok2 := b.data.(map[string]any)
	if ok1 && ok2 {
		return len(ma) == len(mb) && len(ma) > 0 && mapPtr(ma) == mapPtr(mb)
	}
	eq, ok := valuesEqual(a, b)
	return ok && eq
}

func fnSingle(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	if len(focus) > 1 {
		return nil, evalErr("single() on %d items", len(focus))
	}
	return focus, nil
}

func fnFirst(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	if len(focus) == 0 {
		return nil, nil
	}
	return focus[:1:1], nil
}

func fnLast(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	if len(focus) == 0 {
		return nil, nil
	}
	return focus[len(focus)-1:], nil
}

func fnTail(_ *evalCtx, focus Collection, _ *funcExpr) (Collection, error) {
	if len(focus) <= 1 {
		return nil, nil
	}
	return focus[1:], nil
}

func fnSkip(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	n, err := intArgument(c, f, 0)
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		return focus, nil
	}
	if n >= int64(len(focus)) {
		return nil, nil
	}
	return focus[n:], nil
}

func fnTake(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	n, err := intArgument(c, f, 0)
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, nil
	}
	if n > int64(len(focus)) {
		n = int64(len(focus))
	}
	return focus[:n:n], nil
}

func intArgument(c *evalCtx, f *funcExpr, i int) (int64, error) {
	a, err := c.arg(f, i)
	if err != nil {
		return 0, err
	}
	n, ok := integerArg(a)
	if !ok {
		return 0, evalErr("%s() needs an integer argument", f.name)
	}
	return n, nil
}

func fnIntersect(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	other, err := c.arg(f, 0)
	if err != nil {
		return nil, err
	}
	var out Collection
	for _, v := range focus {
		if containsEqual(other, v) && !containsEqual(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func fnExclude(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	other, err := c.arg(f, 0)
	if err != nil {
		return nil, err
	}
	var out Collection
	for _, v := range focus {
		if !containsEqual(other, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func fnUnion(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	other, err := c.arg(f, 0)
	if err != nil {
		return nil, err
	}
	return union(focus, other), nil
}

func fnCombine(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	other, err := c.arg(f, 0)
	if err != nil {
		return nil, err
	}
	if len(focus)+len(other) > maxItems {
		return nil, evalErr("combine() result exceeds %d items", maxItems)
	}
	out := make(Collection, 0, len(focus)+len(other))
	return append(append(out, focus...), other...), nil
}

func fnIif(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	sub := *c
	if len(focus) > 1 {
		return nil, evalErr("iif() on %d items", len(focus))
	}
	if f != nil && len(focus) == 1 && !isImplicitFocus(c, focus) {
		sub.this = focus
	}
	cond, err := f.args[0].eval(&sub, sub.this)
	if err != nil {
		return nil, err
	}
	if len(cond) > 1 {
		return nil, evalErr("iif() criterion has %d items", len(cond))
	}
	b, ok := false, false
	if len(cond) == 1 {
		x, _ := system(cond[0])
		bv, isB := x.(Boolean)
		if !isB {
			if c.opts.Strict {
				return nil, evalErr("iif() criterion is %s, not Boolean", cond[0].TypeName())
			}
			bv = true
		}
		b, ok = bool(bv), true
	}
	if ok && b {
		return f.args[1].eval(&sub, sub.this)
	}
	if len(f.args) == 3 {
		return f.args[2].eval(&sub, sub.this)
	}
	return nil, nil
}

// isImplicitFocus reports whether focus is the current $this (iif called
// without an explicit input).
func isImplicitFocus(c *evalCtx, focus Collection) bool {
	return len(c.this) == len(focus) && len(focus) > 0 && &c.this[0] == &focus[0]
}
