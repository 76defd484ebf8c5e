package web

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

type recordData struct {
	Patient patientView
	ICD     []icdTerm
	Errors  []string
}

// recordForm shows the note, vitals and problem forms of a visit.
func (h *Handler) recordForm(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil
	}
	p, err := h.loadPatient(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, "record", &page{Title: "record.title", App: "app", User: u, Data: &recordData{Patient: p, ICD: icdList()}})
}

func (h *Handler) recordFail(w http.ResponseWriter, r *http.Request, u *User, p patientView, msg string) error {
	return h.renderStatus(w, r, http.StatusUnprocessableEntity, "record", &page{Title: "record.title", App: "app", User: u,
		Data: &recordData{Patient: p, ICD: icdList(), Errors: []string{msg}}})
}

// visitEntries starts a transaction with a new encounter of today's visit,
// which the recorded resources point to.
func (h *Handler) visitEntries(patientID string, u *User) (string, []txEntry) {
	encURL := "urn:uuid:" + uuid.NewString()
	enc := map[string]any{
		"status":  "finished",
		"class":   map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory"},
		"subject": map[string]any{"reference": "Patient/" + patientID},
		"period":  map[string]any{"start": h.now().Format(time.RFC3339), "end": h.now().Format(time.RFC3339)},
	}
	if u.Organization != "" {
		enc["serviceProvider"] = map[string]any{"reference": u.Organization, "display": u.OrganizationName}
	}
	part := map[string]any{"display": u.Name}
	if ref := userReference(u); ref != "" {
		part["reference"] = ref
	}
	enc["participant"] = []any{map[string]any{"individual": part}}
	return encURL, []txEntry{{fullURL: encURL, typ: "Encounter", res: enc}}
}

func (h *Handler) recordNote(w http.ResponseWriter, r *http.Request) error {
	u, p, ok, err := h.recordStart(w, r)
	if !ok || err != nil {
		return err
	}
	text := strings.TrimSpace(r.PostForm.Get("note"))
	if text == "" || len(text) > 10000 {
		return h.recordFail(w, r, u, p, "record.err.note")
	}
	encURL, es := h.visitEntries(p.ID, u)
	es = append(es, txEntry{fullURL: "urn:uuid:" + uuid.NewString(), typ: "DocumentReference", res: map[string]any{
		"status":  "current",
		"type":    map[string]any{"coding": []any{map[string]any{"system": systemLOINC, "code": loincNote, "display": "Progress note"}}},
		"subject": map[string]any{"reference": "Patient/" + p.ID},
		"date":    h.now().Format(time.RFC3339),
		"author":  []any{authorRef(u)},
		"content": []any{map[string]any{"attachment": map[string]any{
			"contentType": "text/plain; charset=utf-8",
			"data":        base64.StdEncoding.EncodeToString([]byte(text)),
		}}},
		"context": map[string]any{"encounter": []any{map[string]any{"reference": encURL}}},
	}})
	if err := h.transaction(r.Context(), es); err != nil {
		return err
	}
	return redirect(w, r, "/app/patients/"+p.ID+"?saved=note")
}

func authorRef(u *User) map[string]any {
	if ref := userReference(u); ref != "" {
		return map[string]any{"reference": ref, "display": u.Name}
	}
	return map[string]any{"display": u.Name}
}

// vitalSpec is one field of the vitals form: LOINC code, UCUM unit and the
// plausible range a value must fall in.
type vitalSpec struct {
	field, code, display, unit string
	lo, hi                     float64
}

func vitalSpecs() []vitalSpec {
	return []vitalSpec{
		{"systolic", loincSystolic, "Systolic blood pressure", "mm[Hg]", 50, 300},
		{"diastolic", loincDiastolic, "Diastolic blood pressure", "mm[Hg]", 20, 200},
		{"hr", loincHR, "Heart rate", "/min", 20, 250},
		{"weight", loincWeight, "Body weight", "kg", 1, 400},
	}
}

func (h *Handler) recordVitals(w http.ResponseWriter, r *http.Request) error {
	u, p, ok, err := h.recordStart(w, r)
	if !ok || err != nil {
		return err
	}
	vals := map[string]float64{}
	for _, s := range vitalSpecs() {
		raw := strings.TrimSpace(strings.Replace(r.PostForm.Get(s.field), ",", ".", 1))
		if raw == "" {
			continue
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || v < s.lo || v > s.hi {
			return h.recordFail(w, r, u, p, "record.err.vital")
		}
		vals[s.field] = v
	}
	if len(vals) == 0 {
		return h.recordFail(w, r, u, p, "record.err.novitals")
	}
	_, hasS := vals["systolic"]
	_, hasD := vals["diastolic"]
	if hasS != hasD {
		return h.recordFail(w, r, u, p, "record.err.bp")
	}
	encURL, es := h.visitEntries(p.ID, u)
	obs := func(code, display string, extra map[string]any) map[string]any {
		o := map[string]any{
			"status":            "final",
			"category":          []any{map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}}}},
			"code":              map[string]any{"coding": []any{map[string]any{"system": systemLOINC, "code": code, "display": display}}},
			"subject":           map[string]any{"reference": "Patient/" + p.ID},
			"encounter":         map[string]any{"reference": encURL},
			"effectiveDateTime": h.now().Format(time.RFC3339),
		}
		for k, v := range extra {
			o[k] = v
		}
		return o
	}
	qty := func(s vitalSpec, v float64) map[string]any {
		return map[string]any{"value": v, "unit": s.unit, "system": "http://unitsofmeasure.org", "code": s.unit}
	}
	specs := vitalSpecs()
	if hasS {
		es = append(es, txEntry{fullURL: "urn:uuid:" + uuid.NewString(), typ: "Observation", res: obs(loincBP, "Blood pressure panel with all children optional", map[string]any{
			"component": []any{
				map[string]any{"code": map[string]any{"coding": []any{map[string]any{"system": systemLOINC, "code": loincSystolic}}}, "valueQuantity": qty(specs[0], vals["systolic"])},
				map[string]any{"code": map[string]any{"coding": []any{map[string]any{"system": systemLOINC, "code": loincDiastolic}}}, "valueQuantity": qty(specs[1], vals["diastolic"])},
			}})})
	}
	for _, s := range specs[2:] {
		if v, ok := vals[s.field]; ok {
			es = append(es, txEntry{fullURL: "urn:uuid:" + uuid.NewString(), typ: "Observation", res: obs(s.code, s.display, map[string]any{"valueQuantity": qty(s, v)})})
		}
	}
	if err := h.transaction(r.Context(), es); err != nil {
		return err
	}
	return redirect(w, r, "/app/patients/"+p.ID+"?saved=vitals")
}

func (h *Handler) recordProblem(w http.ResponseWriter, r *http.Request) error {
	u, p, ok, err := h.recordStart(w, r)
	if !ok || err != nil {
		return err
	}
	code := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("icd")))
	if i := strings.IndexByte(code, ' '); i > 0 {
		code = code[:i] // "I10 Bệnh lý ..." from the datalist
	}
	term, known := icdByCode(code)
	title := strings.TrimSpace(r.PostForm.Get("title"))
	if known && title == "" {
		title = term.VI
	}
	if code == "" || len(code) > 10 || title == "" || len(title) > 300 {
		return h.recordFail(w, r, u, p, "record.err.problem")
	}
	_, es := h.visitEntries(p.ID, u)
	es = append(es, txEntry{fullURL: "urn:uuid:" + uuid.NewString(), typ: "Condition", res: map[string]any{
		"clinicalStatus":     map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}}},
		"verificationStatus": map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}}},
		"category":           []any{map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item"}}}},
		"code":               map[string]any{"coding": []any{map[string]any{"system": "http://hl7.org/fhir/sid/icd-10", "code": code, "display": title}}, "text": title},
		"subject":            map[string]any{"reference": "Patient/" + p.ID},
		"onsetDateTime":      h.now().Format(time.RFC3339),
		"recordedDate":       h.now().Format(time.RFC3339),
		"recorder":           authorRef(u),
	}})
	if err := h.transaction(r.Context(), es); err != nil {
		return err
	}
	return redirect(w, r, "/app/patients/"+p.ID+"?saved=problem")
}

// recordStart checks the user may record and parses the form.
func (h *Handler) recordStart(w http.ResponseWriter, r *http.Request) (*User, patientView, bool, error) {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil, patientView{}, false, nil
	}
	if u.Role != RoleClinician {
		return nil, patientView{}, false, forbidden()
	}
	p, err := h.loadPatient(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, patientView{}, false, err
	}
	if err := r.ParseForm(); err != nil {
		return nil, patientView{}, false, badRequest("error.invalid", err)
	}
	return u, p, true, nil
}
