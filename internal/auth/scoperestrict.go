package auth

import (
	"context"
	"net/url"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Scope restrictions: a SMART v2 scope may carry search parameters that
// narrow it, e.g. patient/Observation.rs?category=laboratory grants only
// laboratory Observations. The restriction is a FHIR search, so the guard
// enforces it with the store's own search engine rather than a second
// matcher that could disagree with it:
//
//   - a search gets the restriction's clauses added to its own (AND), so
//     paging and totals stay exact; with several restricted scopes for
//     one type (an OR the query language cannot express), the results are
//     checked one by one and the total is dropped;
//   - a read, and each _include'd resource, is checked with a search for
//     _id plus the restriction (against the current version: an old
//     version is readable when the resource is readable now);
//   - a write is checked before (the version it replaces) and after (the
//     new version, searched inside the transaction): a write that leaves
//     or enters the restriction fails with KindForbidden and rolls back.
//
// https://build.fhir.org/ig/HL7/smart-app-launch/scopes-and-launch-context.html#finer-grained-resource-constraints-using-search-parameters

// QueryParserFunc parses search parameters of a resource type strictly
// (search.ParseQuery over the model).
type QueryParserFunc func(typ string, params url.Values) (*search.Query, error)

// restrictions returns the query restrictions of the scopes that grant perm
// on typ. restricted is false when some granting scope has none: the
// widest scope wins.
func restrictions(p *Principal, typ string, perm Perm) (queries []string, restricted bool) {
	for _, rs := range p.Scopes.Resource {
		if !rs.Allows(typ, perm) {
			continue
		}
		if rs.Query == "" {
			return nil, false
		}
		queries = append(queries, rs.Query)
	}
	return queries, len(queries) > 0
}

func restrictionError(typ string) error {
	return fhir.Errorf(fhir.KindForbidden, "phạm vi truy cập (scope) chỉ cho phép một phần %s; tài nguyên này nằm ngoài phạm vi / the token's scopes allow only some %s resources; this one is outside them", typ, typ)
}

// restrictedQuery parses a restriction together with extra parameters.
func (g *Guard) restrictedQuery(typ, restriction string, extra url.Values) (*search.Query, error) {
	if g.Queries == nil {
		// Fail closed: a restriction that cannot be evaluated grants nothing.
		return nil, fhir.Errorf(fhir.KindForbidden, "máy chủ không kiểm tra được giới hạn của phạm vi %s?%s / this server cannot evaluate the scope restriction %s?%s", typ, restriction, typ, restriction)
	}
	params, err := url.ParseQuery(restriction)
	if err != nil {
		return nil, fhir.Errorf(fhir.KindForbidden, "giới hạn phạm vi không hợp lệ / malformed scope restriction %q", restriction)
	}
	for k, vs := range extra {
		params[k] = append(params[k], vs...)
	}
	q, err := g.Queries(typ, params)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindForbidden, Msg: "giới hạn phạm vi không dùng được / unusable scope restriction " + typ + "?" + restriction, Err: err}
	}
	return q, nil
}

// matchesRestriction reports whether the current version of typ/id in r
// satisfies the restrictions of the scopes granting perm.
func (g *Guard) matchesRestriction(ctx context.Context, r store.Reader, p *Principal, typ, id string, perm Perm) (bool, error) {
	queries, restricted := restrictions(p, typ, perm)
	if !restricted {
		return true, nil
	}
	for _, rq := range queries {
		q, err := g.restrictedQuery(typ, rq, url.Values{"_id": {id}})
		if err != nil {
			return false, err
		}
		q.Count = 1
		q.Total = "none"
		page, err := r.Search(ctx, q)
		if err != nil {
			return false, err
		}
		for _, res := range page.Resources {
			if res.Type == typ && res.ID == id {
				return true, nil
			}
		}
	}
	return false, nil
}

// restrictSearch adds the restriction of a type-level search to q. exact
// reports whether the results are then known to satisfy it (one restricted
// scope, or none); otherwise the filter checks each result.
func (g *Guard) restrictSearch(p *Principal, q *search.Query) (*search.Query, bool, error) {
	if q.Type == "" {
		return q, false, nil
	}
	queries, restricted := restrictions(p, q.Type, PermSearch)
	if !restricted {
		return q, true, nil
	}
	if len(queries) > 1 {
		return q, false, nil
	}
	rq, err := g.restrictedQuery(q.Type, queries[0], nil)
	if err != nil {
		return nil, false, err
	}
	nq := *q
	nq.Clauses = append(append([]search.Clause(nil), q.Clauses...), rq.Clauses...)
	return &nq, true, nil
}

// checkRestriction is matchesRestriction as an error: KindForbidden when
// typ/id is outside the restriction.
func (g *Guard) checkRestriction(ctx context.Context, r store.Reader, p *Principal, typ, id string, perm Perm) error {
	ok, err := g.matchesRestriction(ctx, r, p, typ, id, perm)
	if err != nil {
		return err
	}
	if !ok {
		return restrictionError(typ)
	}
	return nil
}
