package rest

import (
	"net/http"
	"strconv"

	"github.com/sen-emr/sen/internal/fhir"
)

// vread is the FHIR vread interaction: one version of a resource. A delete
// version answers 410 Gone.
//
// https://hl7.org/fhir/R4/http.html#vread
func (s *server) vread(r *http.Request) (*result, error) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	vid, err := strconv.ParseInt(r.PathValue("vid"), 10, 64)
	if err != nil || vid < 1 || !fhir.ValidID(id) {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s/_history/%s not found", typ, id, r.PathValue("vid"))
	}
	res, err := s.cfg.Store.VRead(r.Context(), typ, id, vid)
	if err != nil {
		return nil, err
	}
	if res.Deleted {
		return nil, fhir.Errorf(fhir.KindGone, "%s/%s version %d is a delete", typ, id, vid)
	}
	return &result{res: res}, nil
}
