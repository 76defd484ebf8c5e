package sqlstore

import (
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
)

// filter appends " AND <expression>" for a _filter clause
// (search_filter.html). Every comparison is a clause the planner already
// knows, which appends " AND <condition>"; wrapped as "(1=1 AND …)" it is
// a boolean term, so and, or and not become SQL AND, OR and NOT over them,
// across different parameters too (each is a semi-join on the rid).
func (p *planner) filter(c *search.Clause, r string, types []string) error {
	if c.Filter == nil {
		return fhir.Errorf(fhir.KindInvalid, "_filter has no expression")
	}
	p.b.sql(" AND ")
	return p.filterExpr(c.Filter, r, types)
}

func (p *planner) filterExpr(f *search.Filter, r string, types []string) error {
	switch f.Op {
	case "":
		if f.Clause == nil {
			return fhir.Errorf(fhir.KindInvalid, "_filter: empty comparison")
		}
		p.b.sql("(1=1")
		if err := p.clause(f.Clause, r, types); err != nil {
			return err
		}
		p.b.sql(")")
	case "and", "or":
		if len(f.Children) == 0 {
			return fhir.Errorf(fhir.KindInvalid, "_filter: empty %s", f.Op)
		}
		p.b.sql("(")
		for i, ch := range f.Children {
			if i > 0 {
				if f.Op == "and" {
					p.b.sql(" AND ")
				} else {
					p.b.sql(" OR ")
				}
			}
			if err := p.filterExpr(ch, r, types); err != nil {
				return err
			}
		}
		p.b.sql(")")
	case "not":
		if len(f.Children) != 1 {
			return fhir.Errorf(fhir.KindInvalid, "_filter: not takes one expression")
		}
		p.b.sql("(NOT ")
		if err := p.filterExpr(f.Children[0], r, types); err != nil {
			return err
		}
		p.b.sql(")")
	default:
		return fhir.Errorf(fhir.KindInvalid, "_filter: unknown operator %q", f.Op)
	}
	return nil
}

// list appends the _list condition (search.html#list): the resource is an
// item (List.entry.item, the List "item" parameter) of one of the Lists.
// Functional lists ($current-allergies …) are not kept by Sen.
func (p *planner) list(c *search.Clause, r string) error {
	if c.Modifier != "" {
		return fhir.Errorf(fhir.KindInvalid, "_list takes no modifier")
	}
	ids := make([]any, 0, len(c.Values))
	for _, v := range c.Values {
		if len(v.Raw) > 0 && v.Raw[0] == '$' {
			return fhir.Errorf(fhir.KindInvalid, "search parameter _list: functional list %s is not supported; give the id of a List resource", v.Raw)
		}
		ids = append(ids, v.Raw)
	}
	if len(ids) == 0 {
		return fhir.Errorf(fhir.KindInvalid, "_list has no value")
	}
	a, l := p.next("i"), p.next("l")
	p.b.sql(" AND ", r, ".id IN (SELECT ", a, ".ref_id FROM idx_reference ", a, " JOIN resources ", l,
		" ON ", l, ".rid = ", a, ".rid WHERE ", a, ".type = 'List' AND ", a, ".param = 'item' AND ", l, ".deleted = 0 AND ", l, ".id IN ")
	p.b.list(ids...)
	p.b.sql(" AND ", a, ".ref_type = ", r, ".type)")
	return nil
}
