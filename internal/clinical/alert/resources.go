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
	// "{patient id}/{kind}", shared by the Flag and its Task.
	SystemIdentifier = "https://sen-emr.github.io/fhir/sid/care-alert"
	// SystemKind is the code system of Kind.
	SystemKind = "https://sen-emr.github.io/fhir/CodeSystem/care-alert"
	// ExtReason carries one reason on the Flag: sub-extensions vi and en
	// (valueString) and, when there is one, evidence (valueReference).
	ExtReason = "https://sen-emr.github.io/fhir/StructureDefinition/care-alert-reason"
)

func identifierValue(patient string, k Kind) string { return patient + "/" + string(k) }

func codeOf(k Kind) map[string]any {
	vi, en := k.Title()
	return map[string]any{
		"coding": []any{map[string]any{"system": SystemKind, "code": string(k), "display": en}},
		"text":   vi + " / " + en,
	}
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
	f := map[string]any{
		"resourceType": "Flag",
		"identifier":   []any{map[string]any{"system": SystemIdentifier, "value": identifierValue(patient, a.Kind)}},
		"status":       "active",
		"category": []any{map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/flag-category", "code": "clinical", "display": "Clinical"}}}},
		"code":    codeOf(a.Kind),
		"subject": map[string]any{"reference": "Patient/" + patient},
		"period":  map[string]any{"start": now.Format(time.RFC3339)},
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
// RiskAssessment when there is one, inputs the reasons and evidence.
func taskJSON(patient string, a Alert, flagID, owner, assessment string, now time.Time) ([]byte, error) {
	vi, en := joinReasons(a.Reasons)
	tvi, ten := a.Kind.Title()
	var inputs []any
	for _, r := range a.Reasons {
		inputs = append(inputs, map[string]any{"type": map[string]any{"text": "Lý do / Reason"}, "valueString": r.VI + " / " + r.EN})
	}
	for _, ref := range a.Evidence {
		inputs = append(inputs, map[string]any{"type": map[string]any{"text": "Bằng chứng / Evidence"}, "valueReference": map[string]any{"reference": ref}})
	}
	priority := "routine"
	if a.Kind == HighRisk {
		priority = "urgent"
	}
	t := map[string]any{
		"resourceType": "Task",
		"identifier":   []any{map[string]any{"system": SystemIdentifier, "value": identifierValue(patient, a.Kind)}},
		"status":       "requested",
		"intent":       "order",
		"priority":     priority,
		"code":         codeOf(a.Kind),
		"description": fmt.Sprintf("%s. Liên hệ người bệnh để tìm hiểu và hỗ trợ dùng thuốc. %s. — %s. Contact the patient to understand and support their medicine-taking. %s.",
			tvi, vi, ten, en),
		"focus":      map[string]any{"reference": "Flag/" + flagID},
		"for":        map[string]any{"reference": "Patient/" + patient},
		"authoredOn": now.Format(time.RFC3339),
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
