package rest

import (
	"context"
	"net/http"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// delete is the FHIR delete interaction: it records a delete version.
// Deleting an absent or already deleted resource succeeds (204), as the
// spec allows; If-Match makes it version-aware.
//
// https://hl7.org/fhir/R4/http.html#delete
func (s *server) delete(r *http.Request) (*result, error) {
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
	var out *result
	err = s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		out, err = s.deleteIn(r.Context(), tx, typ, id, ifMatch)
		return err
	})
	return out, err
}

// conditionalDelete is DELETE Type?params: no match succeeds, one match
// is deleted, several answer 412 (Sen supports single conditional delete).
//
// https://hl7.org/fhir/R4/http.html#cdelete
func (s *server) conditionalDelete(r *http.Request) (*result, error) {
	typ := r.PathValue("type")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	var out *result
	err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		var err error
		out, err = s.conditionalDeleteIn(r.Context(), tx, typ, r.URL.RawQuery)
		return err
	})
	return out, err
}

func (s *server) conditionalDeleteIn(ctx context.Context, tx store.Tx, typ, query string) (*result, error) {
	found, err := s.match(ctx, tx, typ, query)
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return &result{status: http.StatusNoContent, noBody: true}, nil
	case 1:
		return s.deleteIn(ctx, tx, typ, found[0].ID, 0)
	}
	return nil, multiple(typ, query)
}

func (s *server) deleteIn(ctx context.Context, tx store.Tx, typ, id string, ifMatch int64) (*result, error) {
	res, err := tx.Delete(ctx, typ, id, ifMatch)
	if err != nil {
		return nil, err
	}
	out := &result{status: http.StatusNoContent, noBody: true}
	if res != nil {
		out.res = &fhir.Resource{Type: res.Type, ID: res.ID, VersionID: res.VersionID, LastUpdated: res.LastUpdated, Deleted: true}
	}
	return out, nil
}
