package careplan

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"
)

// Clinical documents (https://hl7.org/fhir/R4/documents.html): a
// Composition whose sections reference the record's resources, sent as a
// Bundle of type document. Sen writes two: the discharge summary the
// hospital hands to the commune station, and the referral letter the
// station sends to the hospital.

// Document kinds and their LOINC document codes.
const (
	DocDischargeSummary = "discharge-summary" // LOINC 18842-5
	DocReferralLetter   = "referral-letter"   // LOINC 57133-1
)

var docCodes = map[string][3]string{ // kind → code, English display, Vietnamese title
	DocDischargeSummary: {"18842-5", "Discharge summary", "Giấy ra viện / Tóm tắt hồ sơ ra viện"},
	DocReferralLetter:   {"57133-1", "Referral note", "Giấy chuyển tuyến"},
}

// Section codes (LOINC) of the documents.
var sectionTitles = map[string][2]string{ // code → vi, en
	"42349-1": {"Lý do chuyển tuyến", "Reason for referral"},
	"11450-4": {"Các bệnh đang mắc", "Problem list"},
	"10160-0": {"Thuốc đang dùng", "Medications"},
	"8716-3":  {"Dấu hiệu sinh tồn và xét nghiệm gần nhất", "Latest vital signs and results"},
	"18776-5": {"Kế hoạch chăm sóc", "Plan of care"},
	"8653-8":  {"Hẹn theo dõi sau ra viện", "Follow-up after discharge"},
}

// Section is one section: its LOINC code and the resources it lists.
type Section struct {
	Code    string
	Text    string            // free text (a reason), shown before the entries
	Entries []json.RawMessage // resource bodies, each with resourceType and id
}

// Document is what a Composition is built from.
type Document struct {
	ID        string
	Kind      string // DocDischargeSummary or DocReferralLetter
	Patient   string // Patient/{id}
	Encounter string // optional
	Author    string // Organization/… or Practitioner(Role)/…
	Custodian string // optional Organization/…
	Date      time.Time
	Sections  []Section
}

// Composition writes the R4 Composition (status final) with each section's
// entries as references and a narrative in Vietnamese and English, so the
// document reads the same wherever it is shown.
func (d Document) Composition() ([]byte, error) {
	code, ok := docCodes[d.Kind]
	if !ok {
		return nil, fmt.Errorf("document kind %q: want %s or %s", d.Kind, DocDischargeSummary, DocReferralLetter)
	}
	if !strings.HasPrefix(d.Patient, "Patient/") || d.Author == "" {
		return nil, fmt.Errorf("%s: patient and author are required", d.Kind)
	}
	c := map[string]any{
		"resourceType": "Composition",
		"id":           d.ID,
		"status":       "final",
		"type":         map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": code[0], "display": code[1]}}, "text": code[2]},
		"subject":      map[string]any{"reference": d.Patient},
		"date":         d.Date.Format(time.RFC3339),
		"author":       []any{map[string]any{"reference": d.Author}},
		"title":        code[2] + " / " + code[1],
		"language":     "vi",
	}
	if d.Encounter != "" {
		c["encounter"] = map[string]any{"reference": d.Encounter}
	}
	if d.Custodian != "" {
		c["custodian"] = map[string]any{"reference": d.Custodian}
	}
	var sections []any
	for _, s := range d.Sections {
		t, ok := sectionTitles[s.Code]
		if !ok {
			return nil, fmt.Errorf("%s: unknown section code %q", d.Kind, s.Code)
		}
		sec := map[string]any{
			"title": t[0] + " / " + t[1],
			"code":  map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": s.Code, "display": t[1]}}},
		}
		var refs []any
		var lines []string
		if s.Text != "" {
			lines = append(lines, html.EscapeString(s.Text))
		}
		for _, e := range s.Entries {
			ref, text := Summarize(e)
			if ref == "" {
				continue
			}
			refs = append(refs, map[string]any{"reference": ref})
			lines = append(lines, html.EscapeString(text))
		}
		if len(refs) > 0 {
			sec["entry"] = refs
		} else if s.Text == "" {
			sec["emptyReason"] = map[string]any{"coding": []any{map[string]any{
				"system": "http://terminology.hl7.org/CodeSystem/list-empty-reason", "code": "nilknown", "display": "Nil Known"}}}
			lines = append(lines, "Không có / None")
		}
		sec["text"] = map[string]any{"status": "generated",
			"div": `<div xmlns="http://www.w3.org/1999/xhtml"><ul><li>` + strings.Join(lines, "</li><li>") + `</li></ul></div>`}
		sections = append(sections, sec)
	}
	if len(sections) > 0 {
		c["section"] = sections
	}
	return json.Marshal(c)
}

// Summarize returns a resource's reference and one line describing it
// (condition, medicine and dose, observation value, care plan, task), for
// a document's narrative and its printed form.
func Summarize(body json.RawMessage) (ref, text string) {
	var r struct {
		ResourceType, ID, Status  string
		Code                      *concept
		MedicationCodeableConcept *concept
		DosageInstruction         []struct{ Text string }
		ValueQuantity             *quantity
		ValueString               string
		ValueCodeableConcept      *concept
		Component                 []struct {
			Code          *concept
			ValueQuantity *quantity
		}
		EffectiveDateTime, OnsetDateTime, RecordedDate string
		Title, Description                             string
		Restriction                                    struct{ Period struct{ End string } }
	}
	if err := json.Unmarshal(body, &r); err != nil || r.ResourceType == "" || r.ID == "" {
		return "", ""
	}
	ref = r.ResourceType + "/" + r.ID
	day := func(s string) string {
		if len(s) >= 10 {
			return s[:10]
		}
		return s
	}
	switch r.ResourceType {
	case "Condition":
		text = r.Code.label()
		if d := day(r.OnsetDateTime + r.RecordedDate); d != "" {
			text += " (" + d + ")"
		}
	case "MedicationRequest", "MedicationStatement":
		text = r.MedicationCodeableConcept.label()
		if len(r.DosageInstruction) > 0 && r.DosageInstruction[0].Text != "" {
			text += " — " + r.DosageInstruction[0].Text
		}
	case "Observation":
		text = r.Code.label() + ": "
		switch {
		case r.ValueQuantity != nil:
			text += qtext(r.ValueQuantity)
		case r.ValueString != "":
			text += r.ValueString
		case r.ValueCodeableConcept != nil:
			text += r.ValueCodeableConcept.label()
		default:
			var parts []string
			for _, c := range r.Component {
				if c.ValueQuantity != nil && c.ValueQuantity.Value != nil {
					parts = append(parts, fmt.Sprintf("%g", *c.ValueQuantity.Value))
				}
			}
			text += strings.Join(parts, "/")
			if len(r.Component) > 0 && r.Component[0].ValueQuantity != nil {
				text += " " + qunit(r.Component[0].ValueQuantity)
			}
		}
		if d := day(r.EffectiveDateTime); d != "" {
			text += " (" + d + ")"
		}
	case "CarePlan", "Goal":
		text = r.Title
		if text == "" {
			text = r.Description
		}
	case "Task", "ServiceRequest":
		text = r.Description
		if text == "" {
			text = r.Code.label()
		}
		if d := day(r.Restriction.Period.End); d != "" {
			text += " — hạn / due " + d
		}
		text += " [" + r.Status + "]"
	default:
		text = ref
	}
	if strings.TrimSpace(text) == "" || strings.TrimSpace(text) == ":" {
		text = ref
	}
	return ref, text
}

func qunit(q *quantity) string {
	if q.Unit != "" {
		return q.Unit
	}
	return q.Code
}

func qtext(q *quantity) string {
	if q.Value == nil {
		return ""
	}
	return strings.TrimSpace(q.Comparator + fmt.Sprintf("%g ", *q.Value) + qunit(q))
}
