package web

import (
	"encoding/json"
	"strings"
	"time"
)

// The parts of FHIR resources the apps show, decoded with encoding/json.
// Unknown elements are ignored; the store holds the full resource.

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// label is the text, else the first display, else the first code.
func (c concept) label() string {
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

func (c concept) code(system string) string {
	for _, cd := range c.Coding {
		if system == "" || cd.System == system {
			return cd.Code
		}
	}
	return ""
}

type reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

// id returns the id part of a relative reference "Type/id".
func (r reference) id() string {
	_, id, _ := strings.Cut(r.Reference, "/")
	return id
}

type identifier struct {
	System string  `json:"system,omitempty"`
	Value  string  `json:"value,omitempty"`
	Type   concept `json:"type,omitempty"`
}

type quantity struct {
	Value  *float64 `json:"value,omitempty"`
	Unit   string   `json:"unit,omitempty"`
	System string   `json:"system,omitempty"`
	Code   string   `json:"code,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type patientJSON struct {
	ID         string           `json:"id"`
	Identifier []identifier     `json:"identifier"`
	Name       []map[string]any `json:"name"`
	Telecom    []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"telecom"`
	Gender    string `json:"gender"`
	BirthDate string `json:"birthDate"`
	Address   []struct {
		Text string `json:"text"`
	} `json:"address"`
	GeneralPractitioner  []reference `json:"generalPractitioner"`
	ManagingOrganization *reference  `json:"managingOrganization"`
}

type conditionJSON struct {
	ID             string    `json:"id"`
	ClinicalStatus concept   `json:"clinicalStatus"`
	Code           concept   `json:"code"`
	OnsetDateTime  string    `json:"onsetDateTime"`
	RecordedDate   string    `json:"recordedDate"`
	Subject        reference `json:"subject"`
}

type allergyJSON struct {
	ID             string  `json:"id"`
	ClinicalStatus concept `json:"clinicalStatus"`
	Code           concept `json:"code"`
	Criticality    string  `json:"criticality"`
	Reaction       []struct {
		Manifestation []concept `json:"manifestation"`
	} `json:"reaction"`
}

type observationJSON struct {
	ID                string    `json:"id"`
	Status            string    `json:"status"`
	Code              concept   `json:"code"`
	EffectiveDateTime string    `json:"effectiveDateTime"`
	ValueQuantity     *quantity `json:"valueQuantity"`
	Component         []struct {
		Code          concept   `json:"code"`
		ValueQuantity *quantity `json:"valueQuantity"`
	} `json:"component"`
}

type encounterJSON struct {
	ID              string    `json:"id"`
	Status          string    `json:"status"`
	Class           coding    `json:"class"`
	Type            []concept `json:"type"`
	Period          period    `json:"period"`
	ServiceProvider reference `json:"serviceProvider"`
	Participant     []struct {
		Individual reference `json:"individual"`
	} `json:"participant"`
}

type careTeamJSON struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Name        string    `json:"name"`
	Subject     reference `json:"subject"`
	Participant []struct {
		Role   []concept `json:"role"`
		Member reference `json:"member"`
	} `json:"participant"`
	ManagingOrganization []reference `json:"managingOrganization"`
}

type consentJSON struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Scope     concept   `json:"scope"`
	Category  []concept `json:"category"`
	DateTime  string    `json:"dateTime"`
	Provision *struct {
		Type string `json:"type"`
	} `json:"provision"`
}

type taskJSON struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Description string    `json:"description"`
	Code        concept   `json:"code"`
	For         reference `json:"for"`
	AuthoredOn  string    `json:"authoredOn"`
}

type medRequestJSON struct {
	ID                        string    `json:"id"`
	Status                    string    `json:"status"`
	MedicationCodeableConcept concept   `json:"medicationCodeableConcept"`
	Subject                   reference `json:"subject"`
	AuthoredOn                string    `json:"authoredOn"`
	Requester                 reference `json:"requester"`
	DispenseRequest           *struct {
		Quantity               *quantity `json:"quantity"`
		ExpectedSupplyDuration *quantity `json:"expectedSupplyDuration"`
	} `json:"dispenseRequest"`
	DosageInstruction json.RawMessage `json:"dosageInstruction"`
}

type practitionerRoleJSON struct {
	Practitioner reference `json:"practitioner"`
	Organization reference `json:"organization"`
	Code         []concept `json:"code"`
}

type namedJSON struct {
	Name json.RawMessage `json:"name"`
}

// parseTime reads a FHIR date or dateTime; a bad value yields zero time.
func parseTime(s string, loc *time.Location) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.In(loc)
		}
	}
	return time.Time{}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
