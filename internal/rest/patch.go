package rest

import (
	"context"
	"net/http"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/patch"
	"github.com/sen-emr/sen/internal/store"
)

// patch is the FHIR patch interaction with JSON Patch
// (application/json-patch+json) or FHIRPath Patch (a Parameters body as
// application/fhir+json). The patched resource must keep its type and id
// and pass validation; If-Match makes it version-aware.
//
// https://hl7.org/fhir/R4/http.html#patch, https://hl7.org/fhir/R4/fhirpatch.html
func (s *server) patch(r *http.Request) (*result, error) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	ifMatch, err := parseETag(r.Header.Get("If-Match"))
	if err != nil {
		return nil, err
	}
	body, mt, err := s.readBody(r, mimeJSONPatch, mimeFHIRJSON, mimeJSON)
	if err != nil {
		return nil, err
	}
	var out *result
	err = s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		out, err = s.patchIn(r.Context(), tx, typ, id, body, mt, ifMatch)
		return err
	})
	return out, err
}

// conditionalPatch is PATCH Type?params: exactly one match is patched.
//
// https://hl7.org/fhir/R4/http.html#patch
func (s *server) conditionalPatch(r *http.Request) (*result, error) {
	typ := r.PathValue("type")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	ifMatch, err := parseETag(r.Header.Get("If-Match"))
	if err != nil {
		return nil, err
	}
	body, mt, err := s.readBody(r, mimeJSONPatch, mimeFHIRJSON, mimeJSON)
	if err != nil {
		return nil, err
	}
	var out *result
	err = s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		found, err := s.match(r.Context(), tx, typ, r.URL.RawQuery)
		if err != nil {
			return err
		}
		switch len(found) {
		case 0:
			return fhir.Errorf(fhir.KindNotFound, "no %s matches %s", typ, r.URL.RawQuery)
		case 1:
		default:
			return multiple(typ, r.URL.RawQuery)
		}
		out, err = s.patchIn(r.Context(), tx, typ, found[0].ID, body, mt, ifMatch)
		return err
	})
	return out, err
}

// patchIn applies a patch body of media type mt to Type/id inside tx.
func (s *server) patchIn(ctx context.Context, tx store.Tx, typ, id string, body []byte, mt string, ifMatch int64) (*result, error) {
	cur, err := tx.Read(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	if ifMatch > 0 && ifMatch != cur.VersionID {
		return nil, fhir.Errorf(fhir.KindPrecondition, "If-Match W/\"%d\" but %s/%s is at version %d", ifMatch, typ, id, cur.VersionID)
	}
	var patched []byte
	if mt == mimeJSONPatch {
		patched, err = patch.ApplyJSON(cur.JSON, body)
	} else {
		patched, err = patch.ApplyFHIRPath(cur.JSON, body, s.isList)
	}
	if err != nil {
		return nil, err
	}
	p, err := s.parseResource(patched, typ)
	if err != nil {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "the patched resource is invalid: %s", err.Error())
	}
	if p.id != id {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "a patch must not change the id (%s to %q)", id, p.id).At("id")
	}
	w, err := s.prepare(p, id)
	if err != nil {
		return nil, err
	}
	w.IfMatch = cur.VersionID // nothing may slip in between read and write
	res, err := tx.Put(ctx, w)
	if err != nil {
		return nil, err
	}
	return &result{status: http.StatusOK, res: res, location: historyPath(res)}, nil
}

// isList answers patch.IsListFunc from the R4 model: whether the element
// reached by path from typ repeats.
func (s *server) isList(typ string, path []string) bool {
	cur := typ
	for i, name := range path {
		el, next, ok := s.cfg.Model.Child(cur, name)
		if !ok {
			return false
		}
		if i == len(path)-1 {
			return el.Max == -1 || el.Max > 1
		}
		cur = next
	}
	return false
}
