package record

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

type obj = map[string]any

func get(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		if l, ok := v.([]any); ok { // paths here only take the first element
			if len(l) == 0 {
				return nil
			}
			v = l[0]
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func str(v any, path string) string {
	s, _ := get(v, path).(string)
	return s
}

func list(v any, path string) []any {
	l, _ := get(v, path).([]any)
	return l
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

const icd10 = "http://hl7.org/fhir/sid/icd-10"

func icdCodes(cond obj) []string {
	var out []string
	for _, c := range list(cond, "code.coding") {
		if m, ok := c.(map[string]any); ok && (m["system"] == icd10 || strings.Contains(str(m, "system"), "icd-10")) {
			if code, _ := m["code"].(string); code != "" {
				out = append(out, code)
			}
		}
	}
	return out
}

// EpisodeOf gathers the retention facts of an Encounter from its
// Conditions and Patient (either may be nil).
func EpisodeOf(encounter []byte, conditions [][]byte, patient []byte) Episode {
	var e Episode
	var enc obj
	_ = json.Unmarshal(encounter, &enc)
	if t, ok := parseTime(str(enc, "period.end")); ok {
		e.End = t
	}
	if str(enc, "hospitalization.dischargeDisposition.coding.code") == "exp" {
		e.Died = true
	}
	for _, c := range conditions {
		var co obj
		if json.Unmarshal(c, &co) == nil {
			e.ICD10 = append(e.ICD10, icdCodes(co)...)
		}
	}
	if patient != nil {
		var p obj
		if json.Unmarshal(patient, &p) == nil {
			if d, ok := parseTime(str(p, "deceasedDateTime")); ok {
				e.Death = d
				if !e.End.IsZero() && !d.Before(e.End.AddDate(0, 0, -1)) && !d.After(e.End.AddDate(0, 0, 1)) {
					e.Died = true // died at the end of this episode
				}
			}
		}
	}
	return e
}

// episodeOfResource gives the retention facts a single resource carries
// by itself: its own end date and codes. The deletion guard uses it; the
// retention report uses whole episodes (EpisodeOf).
func episodeOfResource(typ string, body []byte) (Episode, bool) {
	var r obj
	if json.Unmarshal(body, &r) != nil {
		return Episode{}, false
	}
	var e Episode
	end := ""
	switch typ {
	case "AdverseEvent":
		return Episode{Kind: "incident"}, true
	case "Encounter":
		end = str(r, "period.end")
		if end == "" && str(r, "status") != "finished" {
			return e, true // open episode: not counting yet
		}
	case "Composition", "DocumentReference":
		end = str(r, "date")
	case "Condition":
		end = str(r, "recordedDate")
		e.ICD10 = icdCodes(r)
	case "Observation", "DiagnosticReport":
		end = str(r, "issued")
		if end == "" {
			end = str(r, "effectiveDateTime")
		}
	case "MedicationRequest":
		end = str(r, "authoredOn")
	case "Procedure":
		end = str(r, "performedDateTime")
		if end == "" {
			end = str(r, "performedPeriod.end")
		}
	default:
		return Episode{}, false
	}
	if t, ok := parseTime(end); ok {
		e.End = t
	}
	return e, true
}

// encounterRef is the Encounter a resource belongs to ("" for none):
// encounter (most clinical resources) or context (DocumentReference,
// MedicationDispense, older shapes).
func encounterRef(r obj) string {
	for _, path := range []string{"encounter.reference", "context.reference", "context.encounter.reference"} {
		if ref, ok := strings.CutPrefix(str(r, path), "Encounter/"); ok && ref != "" {
			return ref
		}
	}
	return ""
}

// ResolveEpisode gives the retention facts of the episode typ/body belongs
// to, read through r: the resource's own facts (its date, its ICD-10 codes,
// an AdverseEvent is an incident file), and when it is or names an
// Encounter, that Encounter's end, discharge disposition and diagnoses
// (Encounter.diagnosis, plus conditions(encounterID) when given) and the
// patient's death. ok is false for a resource that is not part of a
// medical record. A referenced Encounter that is missing leaves the
// resource's own facts.
func ResolveEpisode(ctx context.Context, r store.Reader, typ string, body []byte,
	conditions func(ctx context.Context, r store.Reader, encounterID string) ([][]byte, error)) (Episode, bool, error) {
	var res obj
	if json.Unmarshal(body, &res) != nil {
		return Episode{}, false, nil
	}
	own, ok := episodeOfResource(typ, body)
	encID, encBody := "", []byte(nil)
	if typ == "Encounter" {
		encID, encBody = str(res, "id"), body
	} else if id := encounterRef(res); id != "" {
		e, err := r.Read(ctx, "Encounter", id)
		switch kind := fhir.KindOf(err); {
		case err == nil:
			encID, encBody = id, e.JSON
		case kind == fhir.KindGone:
			// Deleted: its facts are in its last version.
			encID = id
			if last, herr := lastBody(ctx, r, "Encounter", id); herr == nil {
				encBody = last
			}
		case kind != fhir.KindNotFound:
			return Episode{}, false, fmt.Errorf("retention of %s: read Encounter/%s: %w", typ, id, err)
		}
	}
	if encBody == nil {
		return own, ok, nil
	}
	var enc obj
	_ = json.Unmarshal(encBody, &enc)
	var conds [][]byte
	for _, d := range list(enc, "diagnosis") {
		if ref, isCond := strings.CutPrefix(str(d, "condition.reference"), "Condition/"); isCond {
			if c, err := r.Read(ctx, "Condition", ref); err == nil {
				conds = append(conds, c.JSON)
			}
		}
	}
	if conditions != nil && encID != "" {
		more, err := conditions(ctx, r, encID)
		if err != nil {
			return Episode{}, false, fmt.Errorf("retention of Encounter/%s: conditions: %w", encID, err)
		}
		conds = append(conds, more...)
	}
	var patient []byte
	if pid, isPatient := strings.CutPrefix(str(enc, "subject.reference"), "Patient/"); isPatient {
		if p, err := r.Read(ctx, "Patient", pid); err == nil {
			patient = p.JSON
		}
	}
	ep := EpisodeOf(encBody, conds, patient)
	ep.Kind = own.Kind
	ep.ICD10 = append(ep.ICD10, own.ICD10...)
	if !ep.End.IsZero() && own.End.After(ep.End) {
		ep.End = own.End // a result issued after discharge counts from its own date
	}
	return ep, true, nil
}

// lastBody is the newest non-deleted version of typ/id.
func lastBody(ctx context.Context, r store.Reader, typ, id string) ([]byte, error) {
	page, err := r.History(ctx, store.HistoryQuery{Type: typ, ID: id, Count: 10})
	if err != nil {
		return nil, err
	}
	for _, v := range page.Resources {
		if !v.Deleted && len(v.JSON) > 0 {
			return v.JSON, nil
		}
	}
	return nil, fmt.Errorf("%s/%s: no stored version", typ, id)
}
