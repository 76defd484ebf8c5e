package search

import (
	"slices"
	"strings"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// Alias says how a search parameter whose index rows would only repeat
// other parameters' rows is searched instead. R4 defines many such pairs:
// Observation's combo-code is code | component.code, its patient is
// subject.where(resolve() is Patient). Storing them again made a fifth of
// all index rows on clinical data (docs/benchmarks.md §2), so a store may
// keep only the rows of Params and search those.
type Alias struct {
	// Params are the parameters whose rows are the alias's rows (any of
	// them), of the same resource type and search-parameter type.
	Params []string
	// RefType, for a reference parameter, keeps only the references to
	// this resource type that name an id, as where(resolve() is T) does.
	RefType string
}

// AliasOf reports whether the parameter code of resourceType is an alias,
// judged from the R4 expressions alone:
//   - its branches for resourceType are exactly the union of the branches
//     of other (non-alias) parameters of the same type, with the same
//     components for composites (combo-code = code | component-code);
//   - or each of its branches is X.where(resolve() is T) where the X are
//     exactly the branches of another reference parameter (patient =
//     subject restricted to Patient);
//   - or its branches equal another parameter's, the lesser code keeping
//     the rows.
//
// The decision depends only on the model, so every writer and reader of
// the index agrees on it.
func AliasOf(m *r4.Model, resourceType, code string) (Alias, bool) {
	return aliasOf(m, resourceType, code, 0)
}

func aliasOf(m *r4.Model, rt, code string, depth int) (Alias, bool) {
	sp := m.SearchParam(rt, code)
	if sp == nil || depth > 2 || code == "_id" || code == "_lastUpdated" {
		return Alias{}, false
	}
	mine, ok := branchesFor(m, rt, sp.Expression)
	if !ok || len(mine) == 0 {
		return Alias{}, false
	}
	// A candidate holds its own rows: it is not itself an alias.
	usable := func(q *r4.SearchParam) ([]string, bool) {
		if q == sp || q.Type != sp.Type || !sameComponents(q, sp) {
			return nil, false
		}
		b, ok := branchesFor(m, rt, q.Expression)
		if !ok || len(b) == 0 {
			return nil, false
		}
		if _, alias := aliasOf(m, rt, q.Code, depth+1); alias {
			return nil, false
		}
		return b, true
	}
	params := m.SearchParams(rt)

	// Equal branches: the lesser code keeps the rows.
	for _, q := range params {
		if b, ok := usable(q); ok && q.Code < code && sameSet(b, mine) {
			return Alias{Params: []string{q.Code}}, true
		}
	}
	// A union of other parameters' branches.
	if len(mine) > 1 {
		var of []string
		covered := map[string]bool{}
		for _, q := range params {
			b, ok := usable(q)
			if !ok || len(b) >= len(mine) || !subset(b, mine) {
				continue
			}
			of = append(of, q.Code)
			for _, x := range b {
				covered[x] = true
			}
		}
		if len(of) > 1 && len(covered) == len(mine) {
			slices.Sort(of)
			return Alias{Params: of}, true
		}
	}
	// X.where(resolve() is T) over another reference parameter's X.
	if sp.Type == string(TypeReference) {
		target := ""
		var bases []string
		for _, b := range mine {
			x, t, ok := resolveFilter(b)
			if !ok || (target != "" && t != target) {
				return Alias{}, false
			}
			target = t
			bases = append(bases, x)
		}
		for _, q := range params {
			if b, ok := usable(q); ok && sameSet(b, bases) {
				return Alias{Params: []string{q.Code}, RefType: target}, true
			}
		}
	}
	return Alias{}, false
}

// branchesFor returns the union branches of expr that apply to rt, with
// spaces removed. ok is false when a branch's type cannot be told (a
// relative path or a base type such as Resource.meta), so that the
// parameter is left alone.
func branchesFor(m *r4.Model, rt, expr string) ([]string, bool) {
	if expr == "" {
		return nil, false
	}
	var out []string
	for _, b := range splitUnion(expr) {
		b = strings.Join(strings.Fields(b), "")
		head := strings.TrimLeft(b, "(")
		name, _, _ := strings.Cut(head, ".")
		switch {
		case name == rt:
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		case m.IsResource(name) && name != "Resource" && name != "DomainResource":
			// a branch for another resource type
		default:
			return nil, false
		}
	}
	return out, true
}

// resolveFilter splits "X.where(resolve()isT)" (spaces removed).
func resolveFilter(b string) (x, t string, ok bool) {
	const pre = ".where(resolve()is"
	i := strings.LastIndex(b, pre)
	if i <= 0 || !strings.HasSuffix(b, ")") {
		return "", "", false
	}
	t = b[i+len(pre) : len(b)-1]
	if t == "" || strings.ContainsAny(t, "().") {
		return "", "", false
	}
	return b[:i], t, true
}

func sameComponents(a, b *r4.SearchParam) bool {
	if len(a.Components) != len(b.Components) {
		return false
	}
	for i := range a.Components {
		ca, cb := a.Components[i], b.Components[i]
		if ca.Type != cb.Type || strings.Join(strings.Fields(ca.Expression), "") != strings.Join(strings.Fields(cb.Expression), "") {
			return false
		}
	}
	return true
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool { return len(a) == len(b) && subset(a, b) && subset(b, a) }
