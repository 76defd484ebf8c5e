package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/vn"
)

// findKind is what a search box entry looks like.
type findKind string

const (
	findName  findKind = "name"
	findCCCD  findKind = "cccd"
	findBHYT  findKind = "bhyt"
	findPhone findKind = "phone"
	findBirth findKind = "birthdate"
)

var bhytPattern = regexp.MustCompile(`^[A-Za-z]{2}\d{13}$`)

// classify turns what the user typed into a FHIR search on Patient: a
// 12-digit number is a CCCD, two letters and 13 digits a BHYT card, a
// date (dd/mm/yyyy or yyyy-mm-dd) a birth date, a mobile number a phone;
// anything else is a name, matched without diacritics or case.
func classify(q string) (findKind, url.Values) {
	q = strings.TrimSpace(q)
	compact := strings.NewReplacer(" ", "", ".", "", "-", "").Replace(q)
	switch {
	case len(compact) == 12 && isDigits(compact):
		return findCCCD, url.Values{"identifier": {vn.SystemCCCD + "|" + compact}}
	case bhytPattern.MatchString(compact):
		return findBHYT, url.Values{"identifier": {vn.SystemBHYT + "|" + strings.ToUpper(compact)}}
	}
	for _, layout := range []string{"02/01/2006", "2/1/2006", "2006-01-02"} {
		if t, err := time.Parse(layout, q); err == nil {
			return findBirth, url.Values{"birthdate": {t.Format("2006-01-02")}}
		}
	}
	if isDigits(strings.TrimPrefix(compact, "+")) {
		if p, err := vn.ParsePhone(q); err == nil {
			return findPhone, url.Values{"telecom": {p.E164}}
		}
	}
	return findName, url.Values{"name": {q}}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

type findData struct {
	Query   string
	Kind    findKind
	Results []patientView
	Recent  []patientView
}

// findPatients is the patient search: GET /app/patients?q=...
func (h *Handler) findPatients(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := &findData{Query: q}
	if q != "" {
		if len(q) > 100 {
			return badRequest("error.invalid", nil)
		}
		kind, params := classify(q)
		d.Kind = kind
		params.Set("_count", "50")
		res, err := h.search(r.Context(), "Patient", params)
		if err != nil {
			return err
		}
		for _, p := range decode[patientJSON](h, res) {
			d.Results = append(d.Results, h.patientView(p))
		}
	}
	return h.render(w, r, "patients", &page{Title: "find.title", App: "app", User: u, Data: d})
}

func (h *Handler) recentPatients(ctx context.Context, r *http.Request) []patientView {
	var out []patientView
	for _, id := range recent(r) {
		if p, err := h.loadPatient(ctx, id); err == nil {
			out = append(out, p)
		}
	}
	return out
}
