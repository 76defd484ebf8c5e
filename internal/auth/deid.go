package auth

import (
	"encoding/json"

	"github.com/sen-emr/sen/internal/fhir"
)

// deidentify returns a copy of res without direct identifiers, for
// researchers: names, identifiers (CCCD, BHYT, record numbers), contact
// details, street addresses (the province is kept), photos, contacts,
// free-text narrative and notes, and the display text of references (which
// often repeats a name). Dates of birth keep only the year. Logical ids are
// kept: they are random and tie a person's records together without naming
// them (pseudonymisation, not anonymisation; see docs/security.md).
func deidentify(res *fhir.Resource) *fhir.Resource {
	var m map[string]any
	if err := json.Unmarshal(res.JSON, &m); err != nil {
		return &fhir.Resource{Type: res.Type, ID: res.ID, VersionID: res.VersionID, LastUpdated: res.LastUpdated,
			JSON: json.RawMessage(`{"resourceType":"` + res.Type + `","id":"` + res.ID + `"}`)}
	}
	for _, k := range []string{"text", "identifier", "name", "telecom", "photo", "contact", "note", "communication"} {
		delete(m, k)
	}
	if bd, ok := m["birthDate"].(string); ok && len(bd) >= 4 {
		m["birthDate"] = bd[:4]
	}
	if addrs, ok := m["address"].([]any); ok {
		var kept []any
		for _, a := range addrs {
			am, ok := a.(map[string]any)
			if !ok {
				continue
			}
			k := map[string]any{}
			for _, f := range []string{"state", "country", "use"} {
				if v, ok := am[f]; ok {
					k[f] = v
				}
			}
			kept = append(kept, k)
		}
		m["address"] = kept
	}
	scrubDisplays(m)
	b, _ := json.Marshal(m)
	c := *res
	c.JSON = b
	return &c
}

// scrubDisplays removes "display" next to "reference" everywhere.
func scrubDisplays(v any) {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["reference"]; ok {
			delete(t, "display")
		}
		for _, x := range t {
			scrubDisplays(x)
		}
	case []any:
		for _, x := range t {
			scrubDisplays(x)
		}
	}
}
