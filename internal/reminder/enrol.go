package reminder

import (
	"encoding/json"
	"strings"
)

// ExtReminders is the Patient extension (valueBoolean) recording the
// patient's choice about medication reminders: true enrols them, false
// opts them out. Without it, the synthetic population's appEnrolled flag
// is honoured so that `sen demo` has enrolled patients.
const ExtReminders = "https://sen-emr.github.io/fhir/StructureDefinition/medication-reminders"

// extSyntheticProfile is synth.ExtAdherenceProfile (not imported: the
// generator is not a dependency of reminders).
const extSyntheticProfile = "https://sen-emr.github.io/fhir/StructureDefinition/synthetic-adherence-profile"

type extension struct {
	URL          string      `json:"url"`
	ValueBoolean *bool       `json:"valueBoolean"`
	Extension    []extension `json:"extension"`
}

// Enrollment reads a Patient resource: its id, whether it is enrolled in
// reminders with a mobile number to send to, and whether it prefers
// English (communication.language en, preferred). ok is false for a
// patient who is not enrolled, opted out, or has no phone: they are never
// reminded.
func Enrollment(patientJSON []byte) (id, to string, english, ok bool) {
	var p struct {
		ResourceType string      `json:"resourceType"`
		ID           string      `json:"id"`
		Extension    []extension `json:"extension"`
		Telecom      []struct {
			System, Value, Use string
		} `json:"telecom"`
		Communication []struct {
			Language struct {
				Coding []struct{ Code string } `json:"coding"`
			} `json:"language"`
			Preferred bool `json:"preferred"`
		} `json:"communication"`
	}
	if json.Unmarshal(patientJSON, &p) != nil || p.ResourceType != "Patient" || p.ID == "" {
		return "", "", false, false
	}
	enrolled := false
	explicit := false
	for _, e := range p.Extension {
		switch {
		case e.URL == ExtReminders && e.ValueBoolean != nil:
			enrolled, explicit = *e.ValueBoolean, true
		case e.URL == extSyntheticProfile && !explicit:
			for _, s := range e.Extension {
				if s.URL == "appEnrolled" && s.ValueBoolean != nil {
					enrolled = *s.ValueBoolean
				}
			}
		}
	}
	if !enrolled {
		return p.ID, "", false, false
	}
	for _, t := range p.Telecom {
		if (t.System == "phone" || t.System == "sms") && t.Value != "" && (to == "" || t.Use == "mobile") {
			to = t.Value
		}
	}
	for _, c := range p.Communication {
		for _, cd := range c.Language.Coding {
			if c.Preferred && strings.HasPrefix(strings.ToLower(cd.Code), "en") {
				english = true
			}
		}
	}
	return p.ID, to, english, to != ""
}
