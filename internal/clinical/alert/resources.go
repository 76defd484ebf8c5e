package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// FHIR vocabulary of the alerts.
const (
	// SystemIdentifier identifies an alert episode: the value is
	// "{patient id}/{kind}", or "{patient id}/{kind}/{medication}" for a
	// per-medicine kind, shared by the Flag and its Task.
	SystemIdentifier = "https://sen-emr.github.io/fhir/sid/care-alert"
	// SystemKind is the code system of Kind.
	SystemKind = "https://sen-emr.github.io/fhir/CodeSystem/care-alert"
	// ExtReason carries one reason on the Flag: sub-extensions vi and en
	// (valueString) and, when there is one, evidence (valueReference).
	ExtReason = "https://sen-emr.github.io/fhir/StructureDefinition/care-alert-reason"
)

func identifierValue(patient string, k Kind, med string) string {
	if k.PerMedicine() && med != "" {
		return patient + "/" + string(k) + "/" + med
	}
	return patient + "/" + string(k)
}

// codeOf is the Flag's and Task's code: the kind, and in the text the
// medicine it is about.
func codeOf(a Alert) map[string]any {
	vi, en := a.Kind.Title()
	text := vi + " / " + en
	if a.MedicationLabel != "" {
		text = vi + ": " + a.MedicationLabel + " / " + en + ": " + a.MedicationLabel
	}
	return map[string]any{
		"coding": []any{map[string]any{"system": SystemKind, "code": string(a.Kind), "display": en}},
		"text":   text,
	}
}

func flagCategory(code, display string) map[string]any {
	return map[string]any{"coding": []any{map[string]any{
		"system": "http://terminology.hl7.org/CodeSystem/flag-category", "code": code, "display": display}}}
}

// action is what the care team is asked to do, in Vietnamese and English.
func action(k Kind) (vi, en string) {
	switch k {
	case SideEffect:
		return "Liên hệ người bệnh để đánh giá triệu chứng và xem xét điều chỉnh thuốc",
			"Contact the patient to assess the symptom and review the medicine"
	case MissedDoses:
		return "Liên hệ người bệnh để tìm hiểu lý do bỏ liều và hỗ trợ dùng thuốc",
			"Contact the patient to understand the missed doses and support their medicine-taking"
	}
	return "Liên hệ người bệnh để tìm hiểu và hỗ trợ dùng thuốc", "Contact the patient to understand and support their medicine-taking"
}

// priority of the care team's Task: the risk model's and the patient's
// own reports are urgent, a low PDC (a slow, yearly measure) routine.
func priority(k Kind) string {
	if k == LowPDC {
		return "routine"
	}
	return "urgent"
}

func joinReasons(rs []Reason) (vi, en string) {
	var v, e []string
	for _, r := range rs {
		v, e = append(v, r.VI), append(e, r.EN)
	}
	return strings.Join(v, "; "), strings.Join(e, "; ")
}

// flagJSON is the Flag of a new alert
// (https://hl7.org/fhir/R4/flag.html).
func flagJSON(patient string, a Alert, now time.Time) ([]byte, error) {
	var exts []any
	for _, r := range a.Reasons {
		exts = append(exts, map[string]any{"url": ExtReason, "extension": []any{
			map[string]any{"url": "vi", "valueString": r.VI},
			map[string]any{"url": "en", "valueString": r.EN},
		}})
	}
	for _, ref := range a.Evidence {
		exts = append(exts, map[string]any{"url": ExtReason, "extension": []any{
			map[string]any{"url": "evidence", "valueReference": map[string]any{"reference": ref}},
		}})
	}
	categories := []any{flagCategory("clinical", "Clinical")}
	if a.Kind.PerMedicine() {
		categories = append(categories, flagCategory("drug", "Drug"))
	}
	f := map[string]any{
		"resourceType": "Flag",
		"identifier":   []any{map[string]any{"system": SystemIdentifier, "value": identifierValue(patient, a.Kind, a.Medication)}},
		"status":       "active",
		"category":     categories,
		"code":         codeOf(a),
		"subject":      map[string]any{"reference": "Patient/" + patient},
		"period":       map[string]any{"start": now.Format(time.RFC3339)},
	}
	if len(exts) > 0 {
		f["extension"] = exts
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("alert flag: %w", err)
	}
	return b, nil
}

// taskJSON is the care team's Task for a new alert
// (https://hl7.org/fhir/R4/task.html): focus is the Flag, owner the care
// team (or the patient's general practitioner), reasonReference the
// RiskAssessment, or for an event kind the most recent report (the
// not-done MedicationAdministration, the side-effect Communication),
// inputs the reasons and all the evidence.
func taskJSON(patient string, a Alert, flagID, owner, assessment string, now time.Time) ([]byte, error) {
	vi, en := joinReasons(a.Reasons)
	tvi, ten := a.Kind.Title()
	avi, aen := action(a.Kind)
	if assessment == "" && a.Kind.Event() && len(a.Evidence) > 0 {
		assessment = a.Evidence[0]
	}
	var inputs []any
	for _, r := range a.Reasons {
		inputs = append(inputs, map[string]any{"type": map[string]any{"text": "Lý do / Reason"}, "valueString": r.VI + " / " + r.EN})
	}
	for _, ref := range a.Evidence {
		inputs = append(inputs, map[string]any{"type": map[string]any{"text": "Bằng chứng / Evidence"}, "valueReference": map[string]any{"reference": ref}})
	}
	t := map[string]any{
		"resourceType": "Task",
		"identifier":   []any{map[string]any{"system": SystemIdentifier, "value": identifierValue(patient, a.Kind, a.Medication)}},
		"status":       "requested",
		"intent":       "order",
		"priority":     priority(a.Kind),
		"code":         codeOf(a),
		"description":  fmt.Sprintf("%s. %s. %s. — %s. %s. %s.", tvi, avi, vi, ten, aen, en),
		"focus":        map[string]any{"reference": "Flag/" + flagID},
		"for":          map[string]any{"reference": "Patient/" + patient},
		"authoredOn":   now.Format(time.RFC3339),
	}
	if owner != "" {
		t["owner"] = map[string]any{"reference": owner}
	}
	if assessment != "" {
		t["reasonReference"] = map[string]any{"reference": assessment}
	}
	if len(inputs) > 0 {
		t["input"] = inputs
	}
	b, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("alert task: %w", err)
	}
	return b, nil
}

// openTask reports whether a Task status still asks for work.
func openTask(status string) bool {
	switch status {
	case "draft", "requested", "received", "accepted", "ready", "in-progress", "on-hold":
		return true
	}
	return false
}
