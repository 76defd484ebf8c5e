package rest

import (
	"context"
	"net/url"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// match runs the search of a conditional interaction (If-None-Exist,
// conditional update/patch/delete, conditional references) and returns up
// to two matches: enough to tell none, one and several apart. Unknown
// parameters are errors here, since ignoring one would widen the match.
//
// https://hl7.org/fhir/R4/http.html#ccreate
func (s *server) match(ctx context.Context, rd store.Reader, typ, query string) ([]*fhir.Resource, error) {
	query = strings.TrimPrefix(query, "?")
	vals, err := url.ParseQuery(query)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: "malformed conditional query " + query, Err: err}
	}
	if len(vals) == 0 {
		return nil, fhir.Errorf(fhir.KindInvalid, "a conditional %s interaction needs search parameters", typ)
	}
	q, err := s.cfg.Parser.ParseQuery(typ, vals, true)
	if err != nil {
		return nil, err
	}
	q.Count = 2
	q.Total = "none"
	if err := lockCondition(ctx, rd, typ, query); err != nil {
		return nil, err
	}
	page, err := rd.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	return page.Resources, nil
}

// multiple is the error of a conditional interaction that matched several
// resources (412 Precondition Failed).
func multiple(typ, query string) error {
	return fhir.Errorf(fhir.KindMultipleMatches, "the condition %s?%s matches more than one resource", typ, query)
}
