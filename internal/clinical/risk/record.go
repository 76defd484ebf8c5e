package risk

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Record is one patient's chart as raw FHIR R4 JSON: the Patient and the
// resources of their compartment the features read. Other types may be
// left out; resources of a wrong type in a slot are an error.
type Record struct {
	Patient         []byte
	Conditions      [][]byte
	Encounters      [][]byte
	Requests        [][]byte // MedicationRequest
	Dispenses       [][]byte // MedicationDispense
	Administrations [][]byte // MedicationAdministration (not used by the model; see docs)
}

// The parts of the resources the features read.

type coding struct {
	System string `json:"system"`
	Code   string `json:"code"`
}

type concept struct {
	Coding []coding `json:"coding"`
	Text   string   `json:"text"`
}

func (c *concept) code(system string) string {
	if c == nil {
		return ""
	}
	for _, cd := range c.Coding {
		if system == "" || cd.System == system {
			return cd.Code
		}
	}
	return ""
}

type patient struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Gender       string `json:"gender"`
	BirthDate    string `json:"birthDate"`
	Address      []struct {
		Text  string `json:"text"`
		City  string `json:"city"`
		State string `json:"state"`
	} `json:"address"`
}

type condition struct {
	ResourceType   string   `json:"resourceType"`
	ClinicalStatus *concept `json:"clinicalStatus"`
	Code           *concept `json:"code"`
}

type encounter struct {
	ResourceType string `json:"resourceType"`
	Class        coding `json:"class"`
	Period       struct {
		Start string `json:"start"`
	} `json:"period"`
}

type request struct {
	ResourceType string   `json:"resourceType"`
	Status       string   `json:"status"`
	StatusReason *concept `json:"statusReason"`
	AuthoredOn   string   `json:"authoredOn"`
}

// decodeAs unmarshals data into v and checks its resourceType.
func decodeAs(data []byte, want string, v any, got *string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", want, err)
	}
	if *got != want {
		return fmt.Errorf("decode %s: resourceType is %q", want, *got)
	}
	return nil
}

// parseTime reads a FHIR date or dateTime in loc.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly, "2006-01", "2006"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid FHIR date %q", s)
}

// rural reports whether the home address is in a xã (rural commune)
// rather than a phường (urban ward) or đặc khu: a proxy for distance to
// care and travel cost, the data the record has.
func (p *patient) rural() bool {
	for _, a := range p.Address {
		t := strings.ToLower(a.Text)
		if strings.Contains(t, "xã ") {
			return true
		}
	}
	return false
}

// Province returns the home province of the Patient JSON (address.state),
// for reporting performance by province; "" when absent or unreadable.
func Province(patientJSON []byte) string {
	var p patient
	if json.Unmarshal(patientJSON, &p) != nil {
		return ""
	}
	for _, a := range p.Address {
		if a.State != "" {
			return a.State
		}
	}
	return ""
}
