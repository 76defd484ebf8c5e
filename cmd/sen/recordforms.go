package main

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/record"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// mountRecordForms serves the record forms of Circular 32/2023 rendered
// from FHIR (guidance 365/TTYQG-GPQLCL functions (a) and (e)):
//
//	GET /fhir/Encounter/{id}/$form?type=outpatient|inpatient|discharge|prescription[&_format=pdf|html]
//
// PDF when _format is pdf (or application/pdf) or the client accepts
// application/pdf, else printable HTML. It sits behind the same sign-in,
// access control, access windows and audit as the FHIR API: st is the
// guarded store.
func mountRecordForms(mux *http.ServeMux, st store.Store, model *r4.Model) error {
	rd, err := record.NewRenderer()
	if err != nil {
		return err
	}
	src := &record.FormSource{Store: st, Renderer: rd, Query: func(typ string, params url.Values) (*search.Query, error) {
		return search.ParseQuery(model, typ, params, false)
	}}
	mux.HandleFunc("GET /fhir/Encounter/{id}/$form", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !fhir.ValidID(id) {
			writeFHIRError(w, fhir.Errorf(fhir.KindNotFound, "Encounter/%s not found", id))
			return
		}
		f, err := record.ParseForm(r.URL.Query().Get("type"))
		if err != nil {
			writeFHIRError(w, err)
			return
		}
		var pdf bool
		switch format := r.URL.Query().Get("_format"); format {
		case "pdf", "application/pdf":
			pdf = true
		case "html", "text/html":
		case "":
			pdf = strings.Contains(r.Header.Get("Accept"), "application/pdf")
		default:
			writeFHIRError(w, &fhir.Error{Kind: fhir.KindUnsupported, HTTPStatus: http.StatusNotAcceptable,
				Msg: "_format " + format + ": want pdf or html / định dạng phải là pdf hoặc html"})
			return
		}
		body, ctype, err := src.Render(r.Context(), id, f, pdf)
		if err != nil {
			writeFHIRError(w, err)
			return
		}
		ext := map[bool]string{true: ".pdf", false: ".html"}[pdf]
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `inline; filename="`+string(f)+"-"+id+ext+`"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	})
	return nil
}
