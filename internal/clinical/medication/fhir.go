package medication

import (
	"encoding/json"
	"fmt"
)

// The parts of FHIR R4 resources this package reads, decoded with
// encoding/json. Unknown elements are ignored; callers pass raw JSON from
// the store. https://hl7.org/fhir/R4/medicationrequest.html,
// https://hl7.org/fhir/R4/dosage.html, https://hl7.org/fhir/R4/datatypes.html#Timing

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Code returns the code of the first coding in system ("" for any system).
func (c *CodeableConcept) Code(system string) string {
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

// Label returns the text, or the first display, or the first code.
func (c *CodeableConcept) Label() string {
	if c == nil {
		return ""
	}
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	return c.Code("")
}

// Quantity is a FHIR Quantity (also Duration and SimpleQuantity).
type Quantity struct {
	Value  *float64 `json:"value,omitempty"`
	Unit   string   `json:"unit,omitempty"`
	System string   `json:"system,omitempty"`
	Code   string   `json:"code,omitempty"`
}

// unitCode returns the coded unit, else the human unit.
func (q *Quantity) unitCode() string {
	if q.Code != "" {
		return q.Code
	}
	return q.Unit
}

// Range is a FHIR Range.
type Range struct {
	Low  *Quantity `json:"low,omitempty"`
	High *Quantity `json:"high,omitempty"`
}

// Ratio is a FHIR Ratio.
type Ratio struct {
	Numerator   *Quantity `json:"numerator,omitempty"`
	Denominator *Quantity `json:"denominator,omitempty"`
}

// Period is a FHIR Period with its dateTime strings as sent.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Repeat is Timing.repeat.
type Repeat struct {
	BoundsDuration *Quantity `json:"boundsDuration,omitempty"`
	BoundsRange    *Range    `json:"boundsRange,omitempty"`
	BoundsPeriod   *Period   `json:"boundsPeriod,omitempty"`
	Count          *int      `json:"count,omitempty"`
	CountMax       *int      `json:"countMax,omitempty"`
	Duration       *float64  `json:"duration,omitempty"`
	DurationUnit   string    `json:"durationUnit,omitempty"`
	Frequency      *int      `json:"frequency,omitempty"`
	FrequencyMax   *int      `json:"frequencyMax,omitempty"`
	Period         *float64  `json:"period,omitempty"`
	PeriodMax      *float64  `json:"periodMax,omitempty"`
	PeriodUnit     string    `json:"periodUnit,omitempty"`
	DayOfWeek      []string  `json:"dayOfWeek,omitempty"`
	TimeOfDay      []string  `json:"timeOfDay,omitempty"`
	When           []string  `json:"when,omitempty"`
	Offset         *int      `json:"offset,omitempty"`
}

// Timing is a FHIR Timing.
type Timing struct {
	Event  []string         `json:"event,omitempty"`
	Repeat *Repeat          `json:"repeat,omitempty"`
	Code   *CodeableConcept `json:"code,omitempty"`
}

// DoseAndRate is Dosage.doseAndRate (rates are not scheduled).
type DoseAndRate struct {
	Type         *CodeableConcept `json:"type,omitempty"`
	DoseRange    *Range           `json:"doseRange,omitempty"`
	DoseQuantity *Quantity        `json:"doseQuantity,omitempty"`
}

// Dosage is a FHIR Dosage.
type Dosage struct {
	Sequence                 *int              `json:"sequence,omitempty"`
	Text                     string            `json:"text,omitempty"`
	AdditionalInstruction    []CodeableConcept `json:"additionalInstruction,omitempty"`
	PatientInstruction       string            `json:"patientInstruction,omitempty"`
	Timing                   *Timing           `json:"timing,omitempty"`
	AsNeededBoolean          *bool             `json:"asNeededBoolean,omitempty"`
	AsNeededCodeableConcept  *CodeableConcept  `json:"asNeededCodeableConcept,omitempty"`
	Site                     *CodeableConcept  `json:"site,omitempty"`
	Route                    *CodeableConcept  `json:"route,omitempty"`
	Method                   *CodeableConcept  `json:"method,omitempty"`
	DoseAndRate              []DoseAndRate     `json:"doseAndRate,omitempty"`
	MaxDosePerPeriod         *Ratio            `json:"maxDosePerPeriod,omitempty"`
	MaxDosePerAdministration *Quantity         `json:"maxDosePerAdministration,omitempty"`
}

// asNeeded reports whether the dosage is PRN: then its timing is a limit,
// not a schedule.
func (d *Dosage) asNeeded() bool {
	return (d.AsNeededBoolean != nil && *d.AsNeededBoolean) || d.AsNeededCodeableConcept != nil
}

// Reference is a FHIR Reference.
type Reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

// Request is the part of a MedicationRequest used for scheduling.
type Request struct {
	ResourceType              string           `json:"resourceType"`
	ID                        string           `json:"id,omitempty"`
	Status                    string           `json:"status,omitempty"`
	Intent                    string           `json:"intent,omitempty"`
	MedicationCodeableConcept *CodeableConcept `json:"medicationCodeableConcept,omitempty"`
	MedicationReference       *Reference       `json:"medicationReference,omitempty"`
	Subject                   *Reference       `json:"subject,omitempty"`
	AuthoredOn                string           `json:"authoredOn,omitempty"`
	DosageInstruction         []Dosage         `json:"dosageInstruction,omitempty"`
}

// ParseRequest decodes a MedicationRequest.
func ParseRequest(data []byte) (Request, error) {
	var r Request
	if err := decode(data, "MedicationRequest", &r, &r.ResourceType); err != nil {
		return Request{}, err
	}
	return r, nil
}

// decode unmarshals data into v and checks its resourceType.
func decode(data []byte, want string, v any, got *string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", want, err)
	}
	if *got != want {
		return fmt.Errorf("decode %s: resourceType is %q", want, *got)
	}
	return nil
}
