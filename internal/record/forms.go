package record

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"time"
)

//go:embed templates/forms.html
var formFS embed.FS

// Form names the record forms Sen prints (Circular 32/2023/TT-BYT
// appendices; the layout is Sen's rendering of their headings).
type Form string

const (
	FormOutpatient   Form = "outpatient"   // Bệnh án ngoại trú / phiếu khám bệnh
	FormInpatient    Form = "inpatient"    // Bệnh án nội trú
	FormDischarge    Form = "discharge"    // Giấy ra viện
	FormPrescription Form = "prescription" // Đơn thuốc
)

var formTitles = map[Form]string{
	FormOutpatient: "BỆNH ÁN NGOẠI TRÚ", FormInpatient: "BỆNH ÁN NỘI TRÚ",
	FormDischarge: "GIẤY RA VIỆN", FormPrescription: "ĐƠN THUỐC",
}

// FormData is what a form shows.
type FormData struct {
	Facility         string
	Patient          HanhChinh
	Episode          DotDieuTri
	Signer           string
	SignerRole       string
	Signed           string // e.g. the signature time when the document is signed
	PrescriptionCode string
	Date             time.Time
}

// Renderer renders forms; build one with NewRenderer and reuse it.
type Renderer struct{ t *template.Template }

// NewRenderer parses the embedded templates.
func NewRenderer() (*Renderer, error) {
	t, err := template.New("forms").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).ParseFS(formFS, "templates/forms.html")
	if err != nil {
		return nil, fmt.Errorf("record forms: %w", err)
	}
	return &Renderer{t: t}, nil
}

// Render writes the form as a printable HTML page (A4, Vietnamese). A
// PDF is made by printing the page (the browser's "Save as PDF"): no
// well-kept pure-Go library lays out Vietnamese HTML to PDF.
func (r *Renderer) Render(f Form, d FormData) ([]byte, error) {
	title, ok := formTitles[f]
	if !ok {
		return nil, fmt.Errorf("record form %q: unknown (want outpatient, inpatient, discharge, prescription) / không có mẫu này", f)
	}
	t, err := r.t.Clone()
	if err != nil {
		return nil, err
	}
	if _, err := t.New("body").Parse(`{{template "` + string(f) + `" .}}`); err != nil {
		return nil, err
	}
	sex := map[string]string{"male": "Nam", "female": "Nữ"}[d.Patient.GioiTinh]
	if sex == "" {
		sex = "Chưa xác định"
	}
	role := d.SignerRole
	if role == "" {
		role = "Bác sĩ điều trị"
	}
	view := struct {
		FormData
		Title, Sex, RecordID, SignerRole string
		Day, Month, Year                 int
	}{d, title, sex, d.Episode.MaDot, role, d.Date.Day(), int(d.Date.Month()), d.Date.Year()}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "page", view); err != nil {
		return nil, fmt.Errorf("record form %s: %w", f, err)
	}
	return b.Bytes(), nil
}

// FormFor gathers what a form of one encounter shows from the patient's
// record: the episode (diagnoses, medicines, results, documents), the
// signer (the encounter's first participant, by display name) and the
// national prescription code (a MedicationRequest.groupIdentifier of the
// episode in the xxxxxyyyyyyy-z format). It fails when the record has no
// such encounter.
func FormFor(pr *PatientRecord, encounterID, facility string, date time.Time) (FormData, error) {
	h := Export(pr, "", date.Format(time.DateOnly))
	d := FormData{Facility: facility, Patient: h.HanhChinh, Date: date}
	found := false
	for _, e := range h.Dot {
		if e.MaDot == encounterID {
			d.Episode, found = e, true
		}
	}
	if !found {
		return FormData{}, fmt.Errorf("record form: no encounter %s in the patient's record / không có đợt khám %s", encounterID, encounterID)
	}
	for _, e := range pr.Resources["Encounter"] {
		if str(e, "id") == encounterID {
			d.Signer = str(e, "participant.individual.display")
		}
	}
	for _, m := range pr.Resources["MedicationRequest"] {
		if belongs(m, encounterID) && ValidPrescriptionCode(str(m, "groupIdentifier.value")) {
			d.PrescriptionCode = str(m, "groupIdentifier.value")
		}
	}
	return d, nil
}
