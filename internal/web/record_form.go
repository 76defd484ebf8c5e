package web

import (
	"net/http"

	"github.com/sen-emr/sen/internal/record"
)

// encounterForm serves an encounter's record form (outpatient or inpatient
// record, discharge paper, prescription) as PDF, or as printable HTML with
// format=html, read through the signed-in clinician's store, so access
// control decides as for any page.
func (h *Handler) encounterForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok := h.clinician(w, r); !ok {
		return nil
	}
	f, err := record.ParseForm(r.URL.Query().Get("type"))
	if err != nil {
		return err
	}
	rd, err := record.NewRenderer()
	if err != nil {
		return err
	}
	src := &record.FormSource{Store: h.cfg.Store, Query: h.cfg.Queries.ParseQuery, Renderer: rd, Now: h.now}
	body, ctype, err := src.Render(r.Context(), r.PathValue("id"), f, r.URL.Query().Get("format") != "html")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(body)
	return err
}
