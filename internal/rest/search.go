package rest

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
)

// searchType is the FHIR search interaction on one resource type, by GET
// or by POST Type/_search with a form body; the answer is a searchset
// Bundle with total, self/next/previous links, and an OperationOutcome
// entry listing parameters the lenient parser ignored.
//
// https://hl7.org/fhir/R4/http.html#search, https://hl7.org/fhir/R4/search.html
func (s *server) searchType(r *http.Request) (*result, error) {
	typ := r.PathValue("type")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	return s.search(r, typ, nil, "/"+typ)
}

// searchSystem is the search across all resource types (GET [base]?_type=...).
//
// https://hl7.org/fhir/R4/http.html#search
func (s *server) searchSystem(r *http.Request) (*result, error) {
	return s.search(r, "", nil, "")
}

// searchCompartment is a search within a compartment:
// GET [base]/Patient/123/Observation.
//
// https://hl7.org/fhir/R4/compartmentdefinition.html, https://hl7.org/fhir/R4/http.html#search
func (s *server) searchCompartment(r *http.Request) (*result, error) {
	ctype, cid, typ := r.PathValue("ctype"), r.PathValue("cid"), r.PathValue("type")
	if ctype != "Patient" {
		return nil, fhir.Errorf(fhir.KindNotFound, "unknown compartment %s: Sen defines the Patient compartment", ctype)
	}
	if typ != "*" {
		if err := s.checkType(typ); err != nil {
			return nil, err
		}
		if s.cfg.Model.CompartmentParams(ctype, typ) == nil {
			return nil, fhir.Errorf(fhir.KindInvalid, "%s is not in the %s compartment", typ, ctype)
		}
	} else {
		typ = ""
	}
	if err := checkID(cid); err != nil {
		return nil, err
	}
	return s.search(r, typ, &search.Compartment{Type: ctype, ID: cid}, "/"+ctype+"/"+cid+"/"+r.PathValue("type"))
}

// search parses the parameters (URL query plus a form body on POST), runs
// the query and builds the searchset Bundle.
func (s *server) search(r *http.Request, typ string, comp *search.Compartment, path string) (*result, error) {
	params, err := s.searchParams(r)
	if err != nil {
		return nil, err
	}
	cursor := params.Get("_cursor")
	params.Del("_cursor")
	for _, k := range []string{"_format", "_pretty"} {
		params.Del(k)
	}
	q, err := s.cfg.Parser.ParseQuery(typ, params, strictHandling(r))
	if err != nil {
		return nil, err
	}
	q.Compartment = comp
	q.Cursor = cursor
	if q.Count == 0 {
		q.Count = s.cfg.DefaultCount
	}
	if err := s.checkWindow(q); err != nil {
		return nil, err
	}
	if q.Summary == "" {
		q.Summary = params.Get("_summary")
	}
	set, err := s.searchBundle(r.Context(), r, q, params, path)
	if err != nil {
		return nil, err
	}
	return &result{set: set}, nil
}

// strictHandling reads Prefer: handling=strict|lenient (lenient is the default).
func strictHandling(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		if strings.Contains(v, "handling=strict") {
			return true
		}
	}
	return false
}

func (s *server) searchParams(r *http.Request) (url.Values, error) {
	params := r.URL.Query()
	if r.Method != http.MethodPost {
		return params, nil
	}
	body, _, err := s.readBody(r, mimeForm)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: "malformed form body", Err: err}
	}
	for k, vs := range form {
		params[k] = append(params[k], vs...)
	}
	return params, nil
}

func (s *server) searchBundle(ctx context.Context, r *http.Request, q *search.Query, params url.Values, path string) (*searchset, error) {
	page, err := s.cfg.Store.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	base := s.base(r)
	b := &searchset{base: base, lastUpdated: instant(s.now()), total: page.Total}
	link := func(rel, cursor string) {
		v := url.Values{}
		for k, vs := range params {
			v[k] = vs
		}
		if cursor != "" {
			v.Set("_cursor", cursor)
		}
		u := base + path
		if enc := v.Encode(); enc != "" {
			u += "?" + enc
		}
		b.links = append(b.links, bundleLink{Relation: rel, URL: u})
	}
	link("self", q.Cursor)
	if page.Next != "" {
		link("next", page.Next)
	}
	if page.Prev != "" {
		link("previous", page.Prev)
	}
	if q.Summary == "count" {
		return b, nil
	}
	shapeQ := url.Values{}
	if v := params.Get("_summary"); v != "" {
		shapeQ.Set("_summary", v)
	}
	if v := params.Get("_elements"); v != "" {
		shapeQ.Set("_elements", v)
	}
	b.entries = make([]searchEntry, 0, len(page.Resources)+len(page.Included)+1)
	add := func(res *fhir.Resource, mode string) error {
		body, err := s.shape(res.Type, res.JSON, shapeQ)
		if err != nil {
			return err
		}
		b.entries = append(b.entries, searchEntry{typ: res.Type, id: res.ID, body: body, mode: mode})
		return nil
	}
	for _, res := range page.Resources {
		if err := add(res, "match"); err != nil {
			return nil, err
		}
	}
	for _, res := range page.Included {
		if err := add(res, "include"); err != nil {
			return nil, err
		}
	}
	if len(q.Warnings) > 0 {
		var issues []fhir.Issue
		for _, w := range q.Warnings {
			issues = append(issues, fhir.Issue{Severity: "warning", Code: "not-supported", Diagnostics: w})
		}
		b.entries = append(b.entries, searchEntry{body: fhir.NewOutcome(issues...).JSON(), mode: "outcome"})
	}
	return b, nil
}
