package rest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// historyInstance, historyType and historySystem are the FHIR history
// interactions: versions newest first as a history Bundle, with _since,
// _at, _count and paging links. Delete versions appear as entries without a
// resource and with request DELETE.
//
// https://hl7.org/fhir/R4/http.html#history
func (s *server) historyInstance(r *http.Request) (*result, error) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	return s.history(r, typ, id, "/"+typ+"/"+id+"/_history")
}

// historyType is the history of all resources of one type.
//
// https://hl7.org/fhir/R4/http.html#history
func (s *server) historyType(r *http.Request) (*result, error) {
	typ := r.PathValue("type")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	return s.history(r, typ, "", "/"+typ+"/_history")
}

// historySystem is the history of the whole server.
//
// https://hl7.org/fhir/R4/http.html#history
func (s *server) historySystem(r *http.Request) (*result, error) {
	return s.history(r, "", "", "/_history")
}

func (s *server) history(r *http.Request, typ, id, path string) (*result, error) {
	params := r.URL.Query()
	hq := store.HistoryQuery{Type: typ, ID: id, Cursor: params.Get("_cursor")}
	var err error
	if hq.Since, err = instantParam(params, "_since"); err != nil {
		return nil, err
	}
	if hq.At, err = instantParam(params, "_at"); err != nil {
		return nil, err
	}
	if c := params.Get("_count"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return nil, fhir.Errorf(fhir.KindInvalid, "_count=%s: want a non-negative integer", c)
		}
		hq.Count = min(n, 1000)
	}
	if hq.Count == 0 {
		hq.Count = s.cfg.DefaultCount
	}
	if id != "" {
		// 404 for an id that never existed, rather than an empty history.
		if _, err := s.cfg.Store.Read(r.Context(), typ, id); err != nil && fhir.KindOf(err) != fhir.KindGone {
			return nil, err
		}
	}
	page, err := s.cfg.Store.History(r.Context(), hq)
	if err != nil {
		return nil, err
	}
	base := s.base(r)
	b := &bundle{ResourceType: "Bundle", Type: "history", Meta: &bundleMeta{LastUpdated: instant(s.now())}}
	if page.Total >= 0 {
		t := page.Total
		b.Total = &t
	}
	link := func(rel, cursor string) {
		v := url.Values{}
		for _, k := range []string{"_since", "_at", "_count"} {
			if x := params.Get(k); x != "" {
				v.Set(k, x)
			}
		}
		if cursor != "" {
			v.Set("_cursor", cursor)
		}
		u := base + path
		if enc := v.Encode(); enc != "" {
			u += "?" + enc
		}
		b.Link = append(b.Link, bundleLink{Relation: rel, URL: u})
	}
	link("self", hq.Cursor)
	if page.Next != "" {
		link("next", page.Next)
	}
	if page.Prev != "" {
		link("previous", page.Prev)
	}
	for _, res := range page.Resources {
		e := &bundleEntry{FullURL: base + "/" + res.Type + "/" + res.ID,
			Response: &entryResponse{Etag: res.VersionTag(), LastModified: instant(res.LastUpdated)}}
		switch {
		case res.Deleted:
			e.Request = &entryRequest{Method: "DELETE", URL: res.Type + "/" + res.ID}
			e.Response.Status = "204 No Content"
		case res.VersionID == 1:
			e.Resource = res.JSON
			e.Request = &entryRequest{Method: "POST", URL: res.Type}
			e.Response.Status = "201 Created"
		default:
			e.Resource = res.JSON
			e.Request = &entryRequest{Method: "PUT", URL: res.Type + "/" + res.ID}
			e.Response.Status = "200 OK"
		}
		b.Entry = append(b.Entry, e)
	}
	body, err := marshalBundle(b)
	if err != nil {
		return nil, err
	}
	return &result{body: body}, nil
}

// instantParam parses a history instant parameter (a FHIR instant or a
// date-time with at least day precision).
func instantParam(params url.Values, name string) (time.Time, error) {
	v := params.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fhir.Errorf(fhir.KindInvalid, "%s=%s is not a FHIR instant (e.g. 2024-01-31T08:00:00Z)", name, v)
}
