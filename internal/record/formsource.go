package record

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// FormSource renders an encounter's record form from the store, as HTML
// or PDF. It reads through Store, so a guarded store decides what the
// user may see; Query builds the patient searches.
type FormSource struct {
	Store    store.Reader
	Query    func(typ string, params url.Values) (*search.Query, error)
	Renderer *Renderer
	Now      func() time.Time // default time.Now
}

// ParseForm checks a form name given by a user.
func ParseForm(s string) (Form, error) {
	f := Form(s)
	if _, ok := formTitles[f]; !ok {
		return "", fhir.Errorf(fhir.KindInvalid, "type %q: want outpatient, inpatient, discharge or prescription / mẫu phải là outpatient, inpatient, discharge hoặc prescription", s)
	}
	return f, nil
}

// Render returns the form of Encounter/encounterID and its content type
// (application/pdf or text/html). Store errors (not found, forbidden) are
// returned as they are.
func (s *FormSource) Render(ctx context.Context, encounterID string, f Form, pdf bool) ([]byte, string, error) {
	if _, ok := formTitles[f]; !ok {
		return nil, "", fhir.Errorf(fhir.KindInvalid, "record form %q: unknown / không có mẫu này", f)
	}
	enc, err := s.Store.Read(ctx, "Encounter", encounterID)
	if err != nil {
		return nil, "", err
	}
	var e obj
	if err := json.Unmarshal(enc.JSON, &e); err != nil {
		return nil, "", fmt.Errorf("record form: Encounter/%s: %w", encounterID, err)
	}
	pid, ok := strings.CutPrefix(str(e, "subject.reference"), "Patient/")
	if !ok {
		return nil, "", fhir.Errorf(fhir.KindUnprocessable, "Encounter/%s has no patient / đợt khám không có người bệnh", encounterID)
	}
	patient, err := s.Store.Read(ctx, "Patient", pid)
	if err != nil {
		return nil, "", err
	}
	var all [][]byte
	for _, typ := range []string{"Encounter", "Condition", "MedicationRequest", "Observation", "Composition"} {
		q, err := s.Query(typ, url.Values{"patient": {"Patient/" + pid}, "_count": {"500"}})
		if err != nil {
			return nil, "", fmt.Errorf("record form: %w", err)
		}
		page, err := s.Store.Search(ctx, q)
		if err != nil {
			return nil, "", err
		}
		for _, r := range page.Resources {
			all = append(all, r.JSON)
		}
	}
	facility := ""
	if org, ok := strings.CutPrefix(str(e, "serviceProvider.reference"), "Organization/"); ok {
		if o, err := s.Store.Read(ctx, "Organization", org); err == nil {
			var oo obj
			_ = json.Unmarshal(o.JSON, &oo)
			facility = str(oo, "name")
		}
	}
	if facility == "" {
		facility = str(e, "serviceProvider.display")
	}
	date := time.Now()
	if s.Now != nil {
		date = s.Now()
	}
	for _, p := range []string{"period.end", "period.start"} {
		if t, ok := parseTime(str(e, p)); ok {
			date = t
			break
		}
	}
	pr, err := NewPatientRecord(patient.JSON, all)
	if err != nil {
		return nil, "", err
	}
	d, err := FormFor(pr, encounterID, facility, date.In(time.FixedZone("ICT", 7*3600)))
	if err != nil {
		return nil, "", fhir.Errorf(fhir.KindNotFound, "%v", err)
	}
	if pdf {
		b, err := s.Renderer.RenderPDF(f, d)
		return b, "application/pdf", err
	}
	b, err := s.Renderer.Render(f, d)
	return b, "text/html; charset=utf-8", err
}
