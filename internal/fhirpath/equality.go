package fhirpath

import (
	"reflect"
	"strings"
)

// Equality and equivalence: https://hl7.org/fhirpath/N1/#equality

// collectionsEqual compares item by item in order; ok is false when some
// item comparison is unknown.
func collectionsEqual(l, r Collection) (eq bool, ok bool) {
	if len(l) != len(r) {
		return false, true
	}
	for i := range l {
		e, known := valuesEqual(l[i], r[i])
		if !known {
			return false, false
		}
		if !e {
			return false, true
		}
	}
	return true, true
}

// valuesEqual implements = for two items; ok is false for an unknown
// result (dates of different precision, incomparable quantities).
func valuesEqual(a, b Value) (eq bool, ok bool) {
	if na, isNode := a.(*Node); isNode {
		if ma, isMap := na.data.(map[string]any); isMap {
			nb, isNodeB := b.(*Node)
			if !isNodeB {
				if q, isQ := b.(*Quantity); isQ {
					if qa, isQA := quantityFromNode(na); isQA {
						return quantitiesEqual(qa, q)
					}
				}
				return false, true
			}
			mb, isMapB := nb.data.(map[string]any)
			if !isMapB {
				return false, true
			}
			return reflect.DeepEqual(ma, mb), true
		}
	}
	if nb, isNode := b.(*Node); isNode {
		if _, isMap := nb.data.(map[string]any); isMap {
			return valuesEqual(b, a)
		}
	}
	x, okx := system(a)
	y, oky := system(b)
	if !okx || !oky {
		return false, true
	}
	x, y = coerceTemporal(a, x, y), coerceTemporal(b, y, x)
	switch xv := x.(type) {
	case String:
		yv, isS := y.(String)
		return isS && xv == yv, true
	case Boolean:
		yv, isB := y.(Boolean)
		return isB && xv == yv, true
	case Integer:
		switch yv := y.(type) {
		case Integer:
			return xv == yv, true
		case Decimal:
			return decimalFromInt(int64(xv)).cmp(yv) == 0, true
		}
		return false, true
	case Decimal:
		switch yv := y.(type) {
		case Integer:
			return xv.cmp(decimalFromInt(int64(yv))) == 0, true
		case Decimal:
			return xv.cmp(yv) == 0, true
		}
		return false, true
	case Temporal:
		yv, isT := y.(Temporal)
		if !isT {
			return false, true
		}
		c, known, comparable := compareTemporal(xv, yv)
		if !comparable {
			return false, true
		}
		if !known {
			return false, false
		}
		return c == 0, true
	case *Quantity:
		yv, isQ := y.(*Quantity)
		if !isQ {
			return false, true
		}
		return quantitiesEqual(xv, yv)
	case typeInfo:
		yv, isTI := y.(typeInfo)
		return isTI && xv == yv, true
	}
	return false, true
}

func quantitiesEqual(a, b *Quantity) (bool, bool) {
	c, ok := compareQuantity(a, b)
	if !ok {
		return false, false
	}
	return c == 0, true
}

// collectionsEquivalent implements ~: same size and every item of l has an
// equivalent item in r, in any order.
func collectionsEquivalent(l, r Collection) bool {
	if len(l) != len(r) {
		return false
	}
	used := make([]bool, len(r))
outer:
	for _, a := range l {
		for j, b := range r {
			if !used[j] && valuesEquivalent(a, b) {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

func valuesEquivalent(a, b Value) bool {
	if na, isNode := a.(*Node); isNode {
		if ma, isMap := na.data.(map[string]any); isMap {
			if q, isQ := b.(*Quantity); isQ {
				if qa, isQA := quantityFromNode(na); isQA {
					return quantitiesEquivalent(qa, q)
				}
				return false
			}
			nb, isNodeB := b.(*Node)
			if !isNodeB {
				return false
			}
			mb, isMapB := nb.data.(map[string]any)
			return isMapB && jsonEquivalent(ma, mb)
		}
	}
	if nb, isNode := b.(*Node); isNode {
		if _, isMap := nb.data.(map[string]any); isMap {
			return valuesEquivalent(b, a)
		}
	}
	x, okx := system(a)
	y, oky := system(b)
	if !okx || !oky {
		return !okx && !oky
	}
	x, y = coerceTemporal(a, x, y), coerceTemporal(b, y, x)
	switch xv := x.(type) {
	case String:
		yv, isS := y.(String)
		return isS && normalizeSpace(string(xv)) == normalizeSpace(string(yv))
	case Integer:
		switch yv := y.(type) {
		case Integer:
			return xv == yv
		case Decimal:
			return decimalsEquivalent(decimalFromInt(int64(xv)), yv)
		}
		return false
	case Decimal:
		switch yv := y.(type) {
		case Integer:
			return decimalsEquivalent(xv, decimalFromInt(int64(yv)))
		case Decimal:
			return decimalsEquivalent(xv, yv)
		}
		return false
	case Temporal:
		yv, isT := y.(Temporal)
		if !isT {
			return false
		}
		c, known, comparable := compareTemporal(xv, yv)
		return comparable && known && c == 0
	case *Quantity:
		yv, isQ := y.(*Quantity)
		return isQ && quantitiesEquivalent(xv, yv)
	}
	eq, ok := valuesEqual(x, y)
	return ok && eq
}

// decimalsEquivalent compares at the precision of the less precise value.
func decimalsEquivalent(a, b Decimal) bool {
	s := min(a.scale, b.scale)
	return a.roundTo(s).cmp(b.roundTo(s)) == 0
}

func quantitiesEquivalent(a, b *Quantity) bool {
	bv, ok := convertToUnitOf(a, b)
	if !ok {
		return false
	}
	return decimalsEquivalent(a.Value, Decimal{r: bv.r, scale: b.Value.scale})
}

func normalizeSpace(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// jsonEquivalent compares decoded JSON with string equivalence at the
// leaves.
func jsonEquivalent(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !jsonEquivalent(v, y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEquivalent(x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		return ok && normalizeSpace(x) == normalizeSpace(y)
	}
	return reflect.DeepEqual(a, b)
}
