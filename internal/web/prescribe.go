package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
)

// rxForm is the structured dosage form. Every field is validated before a
// MedicationRequest is built from it.
type rxForm struct {
	Medicine string
	Dose     string
	Unit     string
	PerDay   int
	When     []string
	Days     int
	PRN      bool
	Note     string
	Start    string // yyyy-mm-dd
	Quantity float64
}

type rxData struct {
	Patient  patientView
	Form     rxForm
	Drugs    []drug
	WhenOpts []whenOption
	Errors   []string // message ids
	Preview  *rxPreview
	Saved    bool
}

type rxPreview struct {
	VI, EN   string
	Doses    []time.Time // the first days' dose times
	Total    int
	Quantity float64
}

func (h *Handler) prescribeForm(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil
	}
	p, err := h.loadPatient(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	d := &rxData{Patient: p, Drugs: drugList(), WhenOpts: whenOptions(),
		Form: rxForm{Dose: "1", Unit: "viên", PerDay: 1, When: []string{"MORN"}, Days: 30, Start: h.now().Format("2006-01-02")}}
	return h.render(w, r, "prescribe", &page{Title: "rx.title", App: "app", User: u, Data: d})
}

// prescribePost previews (action=preview) or saves (action=save) a
// prescription. Both validate and show the schedule in words; only save
// writes.
func (h *Handler) prescribePost(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil
	}
	if u.Role != RoleClinician {
		return forbidden()
	}
	p, err := h.loadPatient(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.invalid", err)
	}
	f, errs := parseRxForm(r.PostForm)
	d := &rxData{Patient: p, Form: f, Drugs: drugList(), WhenOpts: whenOptions(), Errors: errs}
	var req map[string]any
	if len(errs) == 0 {
		req = h.rxResource(f, p.ID, u)
		d.Preview, err = h.preview(req, f)
		if err != nil {
			d.Errors = append(d.Errors, "rx.err.schedule")
		}
	}
	status := http.StatusOK
	if len(d.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	} else if r.PostForm.Get("action") == "save" {
		id, err := h.create(r.Context(), "MedicationRequest", req)
		if err != nil {
			return err
		}
		h.cfg.Logger.Info("prescription saved", "request", id, "patient", p.ID)
		return redirect(w, r, "/app/patients/"+p.ID+"?saved=rx")
	}
	return h.renderStatus(w, r, status, "prescribe", &page{Title: "rx.title", App: "app", User: u, Data: d})
}

func parseRxForm(v url.Values) (rxForm, []string) {
	f := rxForm{
		Medicine: strings.TrimSpace(v.Get("medicine")),
		Dose:     strings.TrimSpace(v.Get("dose")),
		Unit:     strings.TrimSpace(v.Get("unit")),
		When:     v["when"],
		PRN:      v.Get("prn") == "1",
		Note:     strings.TrimSpace(v.Get("note")),
		Start:    strings.TrimSpace(v.Get("start")),
	}
	var errs []string
	if f.Medicine == "" || len(f.Medicine) > 200 {
		errs = append(errs, "rx.err.medicine")
	}
	dose, err := strconv.ParseFloat(strings.Replace(f.Dose, ",", ".", 1), 64)
	if err != nil || dose <= 0 || dose > 100 {
		errs = append(errs, "rx.err.dose")
	}
	if f.Unit == "" || len(f.Unit) > 30 {
		errs = append(errs, "rx.err.unit")
	}
	f.PerDay, err = strconv.Atoi(v.Get("perday"))
	if err != nil || f.PerDay < 1 || f.PerDay > 6 {
		errs = append(errs, "rx.err.perday")
	}
	f.Days, err = strconv.Atoi(v.Get("days"))
	if err != nil || f.Days < 1 || f.Days > 365 {
		errs = append(errs, "rx.err.days")
	}
	for _, w := range f.When {
		if !validWhen(w) {
			errs = append(errs, "rx.err.when")
			break
		}
	}
	if len(f.When) > 0 && len(f.When) != f.PerDay && !f.PRN && f.PerDay >= 1 {
		errs = append(errs, "rx.err.whencount")
	}
	if _, err := time.Parse("2006-01-02", f.Start); err != nil {
		errs = append(errs, "rx.err.start")
	}
	if len(f.Note) > 500 {
		errs = append(errs, "rx.err.note")
	}
	if len(errs) == 0 {
		f.Quantity = dose * float64(f.PerDay) * float64(f.Days)
	}
	return f, errs
}

// rxResource builds the MedicationRequest of a validated form.
func (h *Handler) rxResource(f rxForm, patientID string, u *User) map[string]any {
	dose, _ := strconv.ParseFloat(strings.Replace(f.Dose, ",", ".", 1), 64)
	start, _ := time.ParseInLocation("2006-01-02", f.Start, h.cfg.Location)
	end := start.AddDate(0, 0, f.Days-1)
	med := map[string]any{"text": f.Medicine}
	if d, ok := drugByName(f.Medicine); ok {
		med["coding"] = []any{map[string]any{"system": medication.ATCSystem, "code": d.ATC}}
	}
	repeat := map[string]any{
		"boundsPeriod": map[string]any{"start": f.Start, "end": end.Format("2006-01-02")},
		"frequency":    f.PerDay, "period": 1, "periodUnit": "d",
	}
	if len(f.When) > 0 {
		repeat["when"] = f.When
	}
	dosage := map[string]any{
		"sequence": 1,
		"timing":   map[string]any{"repeat": repeat},
		"route":    map[string]any{"coding": []any{map[string]any{"system": "http://snomed.info/sct", "code": "26643006", "display": "Đường uống"}}, "text": "Đường uống"},
		"doseAndRate": []any{map[string]any{"doseQuantity": map[string]any{
			"value": dose, "unit": f.Unit}}},
	}
	if f.PRN {
		dosage["asNeededBoolean"] = true
	}
	if f.Note != "" {
		dosage["patientInstruction"] = f.Note
	}
	req := map[string]any{
		"status":                    "active",
		"intent":                    "order",
		"medicationCodeableConcept": med,
		"subject":                   map[string]any{"reference": "Patient/" + patientID},
		"authoredOn":                h.now().Format(time.RFC3339),
		"dosageInstruction":         []any{dosage},
		"dispenseRequest": map[string]any{
			"quantity":               map[string]any{"value": f.Quantity, "unit": f.Unit},
			"expectedSupplyDuration": map[string]any{"value": f.Days, "unit": "ngày", "system": "http://unitsofmeasure.org", "code": "d"},
		},
	}
	if ref := userReference(u); ref != "" {
		req["requester"] = map[string]any{"reference": ref, "display": u.Name}
	} else {
		req["requester"] = map[string]any{"display": u.Name}
	}
	return req
}

// userReference returns the user's FHIR reference when it is one.
func userReference(u *User) string {
	typ, id, ok := strings.Cut(u.ID, "/")
	if !ok || id == "" {
		return ""
	}
	switch typ {
	case "Practitioner", "PractitionerRole", "Patient", "RelatedPerson", "Organization":
		return u.ID
	}
	return ""
}

// preview describes the dosage in both languages and lists the first two
// days' dose times, computed by the same code that schedules reminders.
func (h *Handler) preview(req map[string]any, f rxForm) (*rxPreview, error) {
	body, err := jsonMarshal(req)
	if err != nil {
		return nil, err
	}
	body = append([]byte(`{"resourceType":"MedicationRequest",`), body[1:]...)
	mr, err := medication.ParseRequest(body)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	pv := &rxPreview{VI: medication.DescribeVI(mr.DosageInstruction[0]), EN: medication.DescribeEN(mr.DosageInstruction[0]), Quantity: f.Quantity}
	start, _ := time.ParseInLocation("2006-01-02", f.Start, h.cfg.Location)
	doses, err := medication.Schedule(mr, start, start.AddDate(0, 0, f.Days), h.cfg.Location, medication.MealTimes{})
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	pv.Total = len(doses)
	for _, d := range doses {
		if d.Time.Before(start.AddDate(0, 0, 2)) {
			pv.Doses = append(pv.Doses, d.Time)
		}
	}
	return pv, nil
}
