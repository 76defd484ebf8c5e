package record

import (
	"encoding/json"
	"strings"
	"time"
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
