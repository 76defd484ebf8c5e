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

// ExtReminderChannel is the Patient extension (valueCode "push", "zalo"
// or "sms") naming the channel the patient prefers for reminders; the
// server falls back to the others (push → zalo → sms) when it cannot
// reach them there.
const ExtReminderChannel = "https://sen-emr.github.io/fhir/StructureDefinition/reminder-channel"

// extSyntheticProfile is synth.ExtAdherenceProfile (not imported: the
// generator is not a dependency of reminders).
const extSyntheticProfile = "https://sen-emr.github.io/fhir/StructureDefinition/synthetic-adherence-profile"

type extension struct {
	URL          string      `json:"url"`
	ValueBoolean *bool       `json:"valueBoolean"`
	ValueCode    string      `json:"valueCode"`
	Extension    []extension `json:"extension"`
}

// Enrolment is what reminders need from a Patient resource.
type Enrolment struct {
	ID       string // the Patient's id
	Enrolled bool   // enrolled in reminders (and not opted out)
	Phone    string // the mobile number as recorded ("" when none)
	English  bool   // prefers English (communication.language en, preferred)
	Channel  string // preferred channel (ExtReminderChannel), "" when none
}

// ReadEnrolment reads a Patient resource; ok is false when it is not one.
func ReadEnrolment(patientJSON []byte) (e Enrolment, ok bool) {
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
		return Enrolment{}, false
	}
	e.ID = p.ID
	explicit := false
	for _, x := range p.Extension {
		switch {
		case x.URL == ExtReminders && x.ValueBoolean != nil:
			e.Enrolled, explicit = *x.ValueBoolean, true
		case x.URL == extSyntheticProfile && !explicit:
			for _, s := range x.Extension {
				if s.URL == "appEnrolled" && s.ValueBoolean != nil {
					e.Enrolled = *s.ValueBoolean
				}
			}
		case x.URL == ExtReminderChannel:
			switch c := strings.ToLower(x.ValueCode); c {
			case "push", "webpush":
				e.Channel = "push"
			case "zalo", "sms":
				e.Channel = c
			}
		}
	}
	for _, t := range p.Telecom {
		if (t.System == "phone" || t.System == "sms") && t.Value != "" && (e.Phone == "" || t.Use == "mobile") {
			e.Phone = t.Value
		}
	}
	for _, c := range p.Communication {
		for _, cd := range c.Language.Coding {
			if c.Preferred && strings.HasPrefix(strings.ToLower(cd.Code), "en") {
				e.English = true
			}
		}
	}
	return e, true
}

// Enrollment reads a Patient resource: its id, whether it is enrolled in
// reminders with a mobile number to send to, and whether it prefers
// English (communication.language en, preferred). ok is false for a
// patient who is not enrolled, opted out, or has no phone: they are never
// reminded.
func Enrollment(patientJSON []byte) (id, to string, english, ok bool) {
	e, isPatient := ReadEnrolment(patientJSON)
	if !isPatient {
		return "", "", false, false
	}
	if !e.Enrolled {
		return e.ID, "", false, false
	}
	return e.ID, e.Phone, e.English, e.Phone != ""
}
