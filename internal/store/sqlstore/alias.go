package sqlstore

import (
	"slices"
	"sync"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
)

// aliases memoises search.AliasOf: parameters whose index rows would
// repeat other parameters' rows are not written (buildRows) and are
// searched through those rows (paramIs). Safe for concurrent use.
type aliases struct {
	m      *r4.Model
	mu     sync.RWMutex
	memo   map[[2]string]*search.Alias // nil: the parameter keeps its own rows
	byCode map[string][]string         // code -> resource types defining it
}

func newAliases(m *r4.Model) *aliases {
	return &aliases{m: m, memo: map[[2]string]*search.Alias{}, byCode: map[string][]string{}}
}

// of returns the alias of typ's parameter code, or nil.
func (a *aliases) of(typ, code string) *search.Alias {
	k := [2]string{typ, code}
	a.mu.RLock()
	al, ok := a.memo[k]
	a.mu.RUnlock()
	if ok {
		return al
	}
	if x, is := search.AliasOf(a.m, typ, code); is {
		al = &x
	}
	a.mu.Lock()
	a.memo[k] = al
	a.mu.Unlock()
	return al
}

// typesOf lists the resource types that define code.
func (a *aliases) typesOf(code string) []string {
	a.mu.RLock()
	ts, ok := a.byCode[code]
	a.mu.RUnlock()
	if ok {
		return ts
	}
	for _, rt := range a.m.ResourceTypes() {
		if a.m.SearchParam(rt, code) != nil {
			ts = append(ts, rt)
		}
	}
	a.mu.Lock()
	a.byCode[code] = ts
	a.mu.Unlock()
	return ts
}

// paramIs appends the condition that the index rows of alias x (in
// table tbl) are rows of search parameter code on the given resource
// types (all types when none are given): "x.param = code", or, for an
// alias, the rows of the parameters it stands for. Types whose aliases
// differ are OR-ed, each restricted to its types.
func (p *planner) paramIs(x, code string, types []string, tbl string) {
	paramIs(p.b, p.e.aliases, x, code, types, tbl)
}

func paramIs(b *builder, al *aliases, x, code string, types []string, tbl string) {
	if len(types) == 0 {
		types = al.typesOf(code)
	}
	type group struct {
		alias *search.Alias
		types []string
	}
	var groups []group
	for _, t := range types {
		a := al.of(t, code)
		found := false
		for i := range groups {
			if sameAlias(groups[i].alias, a) {
				groups[i].types = append(groups[i].types, t)
				found = true
				break
			}
		}
		if !found {
			groups = append(groups, group{a, []string{t}})
		}
	}
	one := func(a *search.Alias) {
		if a == nil {
			b.sql(x, ".param = ").arg(code)
			return
		}
		if len(a.Params) == 1 {
			b.sql(x, ".param = ").arg(a.Params[0])
		} else {
			b.sql(x, ".param IN ").list(anys(a.Params)...)
		}
		if a.RefType != "" && tbl == tReference.name {
			// where(resolve() is T): references to T that name an id.
			b.sql(" AND ", x, ".ref_type = ").arg(a.RefType).sql(" AND ", x, ".ref_id <> ''")
		}
	}
	switch len(groups) {
	case 0:
		one(nil)
	case 1:
		one(groups[0].alias)
	default:
		b.sql("(")
		for i, g := range groups {
			if i > 0 {
				b.sql(" OR ")
			}
			b.sql("(")
			one(g.alias)
			b.sql(" AND ", x, ".type IN ").list(anys(g.types)...)
			b.sql(")")
		}
		b.sql(")")
	}
}

func sameAlias(a, b *search.Alias) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.RefType == b.RefType && slices.Equal(a.Params, b.Params)
}
