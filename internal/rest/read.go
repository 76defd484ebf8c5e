package rest

import (
	"net/http"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
)

// read is the FHIR read interaction: the current version of a resource,
// 410 Gone if it was deleted, 304 on a matching If-None-Match or an
// unchanged If-Modified-Since.
//
// https://hl7.org/fhir/R4/http.html#read
func (s *server) read(r *http.Request) (*result, error) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s not found", typ, id)
	}
	res, err := s.cfg.Store.Read(r.Context(), typ, id)
	if err != nil {
		return nil, err
	}
	if notModified(r, res) {
		return &result{status: http.StatusNotModified, res: res, noBody: true}, nil
	}
	out := &result{res: res}
	if st := s.signatureState(r.Context(), res); st != "" {
		out.header = http.Header{SignatureHeader: {st}}
	}
	return out, nil
}

// notModified implements If-None-Match and If-Modified-Since on reads
// (https://hl7.org/fhir/R4/http.html#cread).
func notModified(r *http.Request, res *fhir.Resource) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		v, err := parseETag(inm)
		return err == nil && v == res.VersionID
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !res.LastUpdated.Truncate(time.Second).After(t)
	}
	return false
}
