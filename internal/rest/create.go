package rest

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// create is the FHIR create interaction: the server assigns a new id (an
// id in the body is ignored, as the spec says). With If-None-Exist it is a
// conditional create: one match answers 200 with that resource and writes
// nothing, several matches answer 412.
//
// https://hl7.org/fhir/R4/http.html#create, #ccreate
func (s *server) create(r *http.Request) (*result, error) {
	typ := r.PathValue("type")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	body, _, err := s.readBody(r, mimeFHIRJSON, mimeJSON)
	if err != nil {
		return nil, err
	}
	p, err := s.parseResource(body, typ)
	if err != nil {
		return nil, err
	}
	w, err := s.prepare(p, uuid.NewString())
	if err != nil {
		return nil, err
	}
	var out *result
	err = s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		out, err = s.createIn(r.Context(), tx, w, r.Header.Get("If-None-Exist"))
		return err
	})
	return out, err
}

// createIn writes a prepared create inside tx, honouring ifNoneExist.
func (s *server) createIn(ctx context.Context, tx store.Tx, w store.Write, ifNoneExist string) (*result, error) {
	if ifNoneExist != "" {
		found, err := s.match(ctx, tx, w.Type, ifNoneExist)
		if err != nil {
			return nil, err
		}
		switch {
		case len(found) == 1:
			return &result{status: http.StatusOK, res: found[0]}, nil
		case len(found) > 1:
			return nil, multiple(w.Type, ifNoneExist)
		}
	}
	w.CreateOnly = true
	res, err := tx.Put(ctx, w)
	if err != nil {
		return nil, err
	}
	return &result{status: http.StatusCreated, res: res, location: historyPath(res)}, nil
}

func historyPath(res *fhir.Resource) string {
	return res.Type + "/" + res.ID + "/_history/" + itoa(res.VersionID)
}
