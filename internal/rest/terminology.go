package rest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/terminology"
)

// Terminology operations and the built-in CodeSystem and ValueSet
// resources (https://hl7.org/fhir/R4/terminology-service.html):
//
//	GET|POST /fhir/CodeSystem/$lookup           system, code | coding, displayLanguage
//	GET|POST /fhir/CodeSystem/$validate-code    url (code system), code, display | coding | codeableConcept
//	GET|POST /fhir/CodeSystem/$subsumes         system, codeA, codeB
//	GET|POST /fhir/ValueSet/$validate-code      url (value set), system, code, display | coding | codeableConcept
//	GET|POST /fhir/ValueSet/$expand             url, filter, count, offset, displayLanguage
//	the same on an instance: /fhir/CodeSystem/{id}/$lookup, /fhir/ValueSet/{id}/$expand ...
//	GET /fhir/CodeSystem?url=|_id=|name=        the code systems Sen ships
//	GET /fhir/ValueSet?url=|_id=|name=          the value sets Sen defines and the R4 core ones (by url)
//
// POST takes a Parameters resource (or a form). When displayLanguage is
// absent, the first Accept-Language tag chooses the display. The code
// systems and value sets live in internal/terminology, not in the store: a
// CodeSystem or ValueSet search that names none of them falls through to
// the store, so resources clients create stay reachable.

// terminology returns the configured service, or the shared default.
func (s *server) terminology() *terminology.Terminology {
	if s.cfg.Terminology != nil {
		return s.cfg.Terminology
	}
	return terminology.Default()
}

// opParams reads operation parameters from the query (GET) or the body
// (POST: Parameters, or a form).
func (s *server) opParams(r *http.Request) (terminology.Params, error) {
	var p terminology.Params
	var err error
	if r.Method == http.MethodPost {
		body, mt, rerr := s.readBody(r, mimeFHIRJSON, mimeJSON, mimeForm)
		if rerr != nil {
			return p, rerr
		}
		if mt == mimeForm {
			q, perr := url.ParseQuery(string(body))
			if perr != nil {
				return p, &fhir.Error{Kind: fhir.KindInvalid, Msg: "malformed form body / biểu mẫu không hợp lệ", Err: perr}
			}
			p, err = terminology.ParamsFromQuery(q)
		} else {
			p, err = terminology.ParamsFromJSON(body)
		}
	} else {
		p, err = terminology.ParamsFromQuery(r.URL.Query())
	}
	if err != nil {
		return p, err
	}
	if p.DisplayLanguage == "" {
		if al := r.Header.Get("Accept-Language"); al != "" {
			tag, _, _ := strings.Cut(al, ",")
			tag, _, _ = strings.Cut(tag, ";")
			if tag = strings.TrimSpace(tag); tag != "*" {
				p.DisplayLanguage = tag
			}
		}
	}
	return p, nil
}

// codeSystemParams adds the code system named by the {id} path segment.
func (s *server) codeSystemParams(r *http.Request) (terminology.Params, error) {
	p, err := s.opParams(r)
	if err != nil {
		return p, err
	}
	if id := r.PathValue("id"); id != "" {
		cs := s.terminology().CodeSystemByID(id)
		if cs == nil {
			return p, fhir.Errorf(fhir.KindNotFound, "no built-in CodeSystem/%s / không có CodeSystem/%s", id, id)
		}
		p.System, p.URL = cs.URL, cs.URL
	}
	return p, nil
}

// valueSetParams adds the value set named by the {id} path segment.
func (s *server) valueSetParams(r *http.Request) (terminology.Params, error) {
	p, err := s.opParams(r)
	if err != nil {
		return p, err
	}
	if id := r.PathValue("id"); id != "" {
		vs := s.terminology().ValueSetByID(id)
		if vs == nil {
			return p, fhir.Errorf(fhir.KindNotFound, "no built-in ValueSet/%s / không có ValueSet/%s", id, id)
		}
		p.URL = vs.URL
	}
	return p, nil
}

func (s *server) lookup(r *http.Request) (*result, error) {
	p, err := s.codeSystemParams(r)
	if err != nil {
		return nil, err
	}
	body, err := s.terminology().LookupOperation(p)
	return &result{body: body}, err
}

func (s *server) codeSystemValidateCode(r *http.Request) (*result, error) {
	p, err := s.codeSystemParams(r)
	if err != nil {
		return nil, err
	}
	body, err := s.terminology().ValidateCodeOperation(p, false)
	return &result{body: body}, err
}

func (s *server) subsumes(r *http.Request) (*result, error) {
	p, err := s.codeSystemParams(r)
	if err != nil {
		return nil, err
	}
	body, err := s.terminology().SubsumesOperation(p)
	return &result{body: body}, err
}

func (s *server) valueSetValidateCode(r *http.Request) (*result, error) {
	p, err := s.valueSetParams(r)
	if err != nil {
		return nil, err
	}
	body, err := s.terminology().ValidateCodeOperation(p, true)
	return &result{body: body}, err
}

func (s *server) expand(r *http.Request) (*result, error) {
	p, err := s.valueSetParams(r)
	if err != nil {
		return nil, err
	}
	body, err := s.terminology().ExpandOperation(p)
	return &result{body: body}, err
}

// builtinSearchParams are the parameters a search of the built-in
// resources understands; any other sends the search to the store.
var builtinSearchParams = map[string]bool{"url": true, "_id": true, "name": true, "_format": true, "_pretty": true, "_summary": true}

// searchCodeSystems serves GET /fhir/CodeSystem from the built-in code
// systems, or from the store when none matches.
func (s *server) searchCodeSystems(r *http.Request) (*result, error) {
	r.SetPathValue("type", "CodeSystem") // for searchType, whose route has {type}
	q := r.URL.Query()
	if !onlyBuiltinParams(q) {
		return s.searchType(r)
	}
	t := s.terminology()
	var hits [][]byte
	for _, cs := range t.CodeSystems() {
		if matchesBuiltin(q, cs.URL, cs.ID, cs.Name) {
			hits = append(hits, cs.JSON(q.Get("_summary") == "true"))
		}
	}
	if len(hits) == 0 && q.Get("url") != "" {
		// R4 core code systems have no id; they are found by url only.
		if cs := t.CodeSystem(q.Get("url")); cs != nil {
			hits = append(hits, cs.JSON(q.Get("_summary") == "true"))
		}
	}
	if len(hits) == 0 {
		return s.searchType(r)
	}
	return s.builtinBundle(r, "CodeSystem", hits)
}

// searchValueSets serves GET /fhir/ValueSet like searchCodeSystems; the R4
// core and implicit value sets are found by url.
func (s *server) searchValueSets(r *http.Request) (*result, error) {
	r.SetPathValue("type", "ValueSet")
	q := r.URL.Query()
	if !onlyBuiltinParams(q) {
		return s.searchType(r)
	}
	t := s.terminology()
	var hits [][]byte
	for _, vs := range t.ValueSets() {
		if matchesBuiltin(q, vs.URL, vs.ID, vs.Name) {
			hits = append(hits, vs.JSON())
		}
	}
	if len(hits) == 0 && q.Get("url") != "" {
		if vs := t.ValueSet(q.Get("url")); vs != nil {
			hits = append(hits, vs.JSON())
		}
	}
	if len(hits) == 0 {
		return s.searchType(r)
	}
	return s.builtinBundle(r, "ValueSet", hits)
}

func onlyBuiltinParams(q url.Values) bool {
	for k := range q {
		if !builtinSearchParams[k] {
			return false
		}
	}
	return true
}

// matchesBuiltin applies url (exact, "|version" ignored), _id and name
// (case-insensitive prefix, as for FHIR string search) to one resource.
func matchesBuiltin(q url.Values, canonical, id, name string) bool {
	if u := q.Get("url"); u != "" {
		u, _, _ = strings.Cut(u, "|")
		if u != canonical {
			return false
		}
	}
	if v := q.Get("_id"); v != "" && v != id {
		return false
	}
	if v := q.Get("name"); v != "" && !strings.HasPrefix(strings.ToLower(name), strings.ToLower(v)) {
		return false
	}
	return true
}

func (s *server) builtinBundle(r *http.Request, typ string, hits [][]byte) (*result, error) {
	n := len(hits)
	b := &bundle{ResourceType: "Bundle", Type: "searchset", Total: &n,
		Link: []bundleLink{{Relation: "self", URL: s.base(r) + "/" + typ + "?" + r.URL.RawQuery}}}
	for _, h := range hits {
		var head struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(h, &head)
		e := &bundleEntry{Resource: h, Search: &entrySearch{Mode: "match"}}
		if head.ID != "" {
			e.FullURL = s.base(r) + "/" + typ + "/" + head.ID
		}
		b.Entry = append(b.Entry, e)
	}
	body, err := marshalBundle(b)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInternal, Msg: "cannot encode the Bundle", Err: err}
	}
	return &result{body: body}, nil
}
