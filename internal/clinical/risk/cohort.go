package risk

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Cohort gathers patients' charts (Records) from a stream of FHIR
// resources in any order, for training and evaluation outside tests
// (`sen model train`). Only the patients declared with Expect are kept,
// so a population's other resources cost nothing.
type Cohort struct {
	byID map[string]*Record
}

// NewCohort returns a cohort that keeps the given patient ids.
func NewCohort(patientIDs []string) *Cohort {
	c := &Cohort{byID: make(map[string]*Record, len(patientIDs))}
	for _, id := range patientIDs {
		c.byID[id] = &Record{}
	}
	return c
}

// Add files one resource under its patient: a Patient by id, the
// others by subject (or patient, for resources that name it so).
// Resources of other patients or types the features do not read are
// ignored; a line that is not a FHIR resource is an error.
func (c *Cohort) Add(resource []byte) error {
	var h struct {
		ResourceType string                     `json:"resourceType"`
		ID           string                     `json:"id"`
		Subject      struct{ Reference string } `json:"subject"`
		Patient      struct{ Reference string } `json:"patient"`
	}
	if err := json.Unmarshal(resource, &h); err != nil {
		return fmt.Errorf("risk cohort: %w", err)
	}
	if h.ResourceType == "" {
		return fmt.Errorf("risk cohort: resource without resourceType")
	}
	if h.ResourceType == "Patient" {
		if r := c.byID[h.ID]; r != nil {
			r.Patient = resource
		}
		return nil
	}
	ref := h.Subject.Reference
	if ref == "" {
		ref = h.Patient.Reference
	}
	r := c.byID[strings.TrimPrefix(ref, "Patient/")]
	if r == nil {
		return nil
	}
	switch h.ResourceType {
	case "Condition":
		r.Conditions = append(r.Conditions, resource)
	case "Encounter":
		r.Encounters = append(r.Encounters, resource)
	case "MedicationRequest":
		r.Requests = append(r.Requests, resource)
	case "MedicationDispense":
		r.Dispenses = append(r.Dispenses, resource)
	case "MedicationAdministration":
		r.Administrations = append(r.Administrations, resource)
	}
	return nil
}

// Record returns the chart of patient id; ok is false for a patient the
// cohort does not keep or whose Patient resource never came.
func (c *Cohort) Record(id string) (rec Record, ok bool) {
	r := c.byID[id]
	if r == nil || r.Patient == nil {
		return Record{}, false
	}
	return *r, true
}
