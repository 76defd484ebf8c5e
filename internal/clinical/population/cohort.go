package population

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
)

// Source streams stored resources of one type (the same contract as
// internal/view.Source, so viewrun's store and NDJSON sources fit).
type Source interface {
	Each(ctx context.Context, resourceType string, fn func(body []byte) error) error
}

// Person is what the population measures need of one patient, gathered
// from Patient, Condition, Observation, Encounter, MedicationRequest and
// MedicationDispense.
type Person struct {
	ID       string
	Gender   string // male | female | other | unknown
	Birth    time.Time
	Province string // 2-digit code (vn-province)
	Commune  string // 5-digit code (vn-commune)
	Dead     bool
	// Conditions are the active ICD-10 diagnoses with the date each was
	// first recorded (registration date for a registry).
	Conditions map[string]time.Time
	BP         []BPReading
	Glucose    []GlucoseReading
	Labs       []Measurement
	Visits     []time.Time
	// Medicines are the distinct medicines (ATC code or text) of active
	// MedicationRequests.
	Medicines map[string]bool
	Fills     []medication.Fill
}

// Age returns the age in whole years on day at.
func (p *Person) Age(at time.Time) int {
	if p.Birth.IsZero() {
		return -1
	}
	a := at.Year() - p.Birth.Year()
	if at.YearDay() < p.Birth.YearDay() {
		a--
	}
	return a
}

// Codes lists the person's ICD-10 codes, sorted.
func (p *Person) Codes() []string { return sortedKeys(p.Conditions) }

// Cohort is a set of people keyed by patient id.
type Cohort struct {
	People map[string]*Person
}

// Sorted returns the people in id order.
func (c *Cohort) Sorted() []*Person {
	out := make([]*Person, 0, len(c.People))
	for _, id := range sortedKeys(c.People) {
		out = append(out, c.People[id])
	}
	return out
}

// LoadCohort reads every Patient and the clinical resources that refer to
// them. Resources for unknown patients are ignored; a body that does not
// decode is an error naming it.
func LoadCohort(ctx context.Context, src Source) (*Cohort, error) {
	c := &Cohort{People: map[string]*Person{}}
	steps := []struct {
		typ string
		fn  func([]byte) error
	}{
		{"Patient", c.addPatient},
		{"Condition", c.addCondition},
		{"Observation", c.addObservation},
		{"Encounter", c.addEncounter},
		{"MedicationRequest", c.addRequest},
		{"MedicationDispense", c.addDispense},
	}
	for _, s := range steps {
		if err := src.Each(ctx, s.typ, s.fn); err != nil {
			return nil, fmt.Errorf("population: load %s: %w", s.typ, err)
		}
	}
	return c, nil
}

type coding struct {
	System string `json:"system"`
	Code   string `json:"code"`
}

type concept struct {
	Coding []coding `json:"coding"`
	Text   string   `json:"text"`
}

func (c concept) code(system string) string {
	for _, cd := range c.Coding {
		if cd.System == system {
			return cd.Code
		}
	}
	return ""
}

type ref struct {
	Reference string `json:"reference"`
}

func (r ref) patient() string {
	id, _ := strings.CutPrefix(r.Reference, "Patient/")
	if id == r.Reference {
		return ""
	}
	return id
}

func (c *Cohort) person(r ref) *Person { return c.People[r.patient()] }

func (c *Cohort) addPatient(b []byte) error {
	var p struct {
		ID               string `json:"id"`
		Gender           string `json:"gender"`
		BirthDate        string `json:"birthDate"`
		DeceasedBoolean  *bool  `json:"deceasedBoolean"`
		DeceasedDateTime string `json:"deceasedDateTime"`
		Address          []struct {
			Extension []struct {
				URL         string `json:"url"`
				ValueCoding coding `json:"valueCoding"`
			} `json:"extension"`
		} `json:"address"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("Patient: %w", err)
	}
	per := &Person{ID: p.ID, Gender: p.Gender, Conditions: map[string]time.Time{}, Medicines: map[string]bool{}}
	per.Birth, _ = parseDate(p.BirthDate)
	per.Dead = (p.DeceasedBoolean != nil && *p.DeceasedBoolean) || p.DeceasedDateTime != ""
	if len(p.Address) > 0 {
		for _, e := range p.Address[0].Extension {
			switch e.ValueCoding.System {
			case codeSystemProvince:
				per.Province = e.ValueCoding.Code
			case codeSystemCommune:
				per.Commune = e.ValueCoding.Code
			}
		}
	}
	c.People[p.ID] = per
	return nil
}

// Administrative-unit code systems (internal/vn's CodeSystemProvince and
// CodeSystemCommune).
const (
	codeSystemProvince = "https://sen-emr.github.io/fhir/CodeSystem/vn-province"
	codeSystemCommune  = "https://sen-emr.github.io/fhir/CodeSystem/vn-commune"
)

func (c *Cohort) addCondition(b []byte) error {
	var r struct {
		ID                 string  `json:"id"`
		ClinicalStatus     concept `json:"clinicalStatus"`
		VerificationStatus concept `json:"verificationStatus"`
		Code               concept `json:"code"`
		Subject            ref     `json:"subject"`
		RecordedDate       string  `json:"recordedDate"`
		OnsetDateTime      string  `json:"onsetDateTime"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("Condition: %w", err)
	}
	p := c.person(r.Subject)
	icd := r.Code.code(SystemICD10)
	if p == nil || icd == "" {
		return nil
	}
	if st := r.ClinicalStatus.code("http://terminology.hl7.org/CodeSystem/condition-clinical"); st != "" && st != "active" && st != "recurrence" && st != "relapse" {
		return nil
	}
	if vs := r.VerificationStatus.code("http://terminology.hl7.org/CodeSystem/condition-ver-status"); vs == "entered-in-error" || vs == "refuted" {
		return nil
	}
	when, _ := parseDate(r.RecordedDate)
	if when.IsZero() {
		when, _ = parseDate(r.OnsetDateTime)
	}
	if old, ok := p.Conditions[icd]; !ok || (!when.IsZero() && when.Before(old)) {
		p.Conditions[icd] = when
	}
	return nil
}

type quantity struct {
	Value *float64 `json:"value"`
}

func (c *Cohort) addObservation(b []byte) error {
	var r struct {
		Status            string   `json:"status"`
		Code              concept  `json:"code"`
		Subject           ref      `json:"subject"`
		EffectiveDateTime string   `json:"effectiveDateTime"`
		ValueQuantity     quantity `json:"valueQuantity"`
		Component         []struct {
			Code          concept  `json:"code"`
			ValueQuantity quantity `json:"valueQuantity"`
		} `json:"component"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("Observation: %w", err)
	}
	p := c.person(r.Subject)
	if p == nil || r.Status == "entered-in-error" || r.Status == "cancelled" {
		return nil
	}
	when, _ := parseDate(r.EffectiveDateTime)
	loinc := r.Code.code(SystemLOINC)
	switch loinc {
	case "85354-9", "55284-4":
		var bp BPReading
		bp.Date = when
		for _, comp := range r.Component {
			if comp.ValueQuantity.Value == nil {
				continue
			}
			switch comp.Code.code(SystemLOINC) {
			case "8480-6":
				bp.Systolic = *comp.ValueQuantity.Value
			case "8462-4":
				bp.Diastolic = *comp.ValueQuantity.Value
			}
		}
		if bp.Systolic > 0 && bp.Diastolic > 0 && !when.IsZero() {
			p.BP = append(p.BP, bp)
		}
		return nil
	}
	if r.ValueQuantity.Value == nil {
		return nil
	}
	v := *r.ValueQuantity.Value
	switch loinc {
	case "4548-4", "17856-6":
		p.Glucose = append(p.Glucose, GlucoseReading{Date: when, HbA1c: v})
	case "14771-0", "1558-6":
		p.Glucose = append(p.Glucose, GlucoseReading{Date: when, FPG: v})
	}
	if loinc != "" {
		p.Labs = append(p.Labs, Measurement{LOINC: loinc, Value: v})
	}
	return nil
}

func (c *Cohort) addEncounter(b []byte) error {
	var r struct {
		Status  string `json:"status"`
		Subject ref    `json:"subject"`
		Period  struct {
			Start string `json:"start"`
		} `json:"period"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("Encounter: %w", err)
	}
	p := c.person(r.Subject)
	if p == nil || r.Status == "cancelled" || r.Status == "entered-in-error" {
		return nil
	}
	if t, err := parseDate(r.Period.Start); err == nil {
		p.Visits = append(p.Visits, t)
	}
	return nil
}

func (c *Cohort) addRequest(b []byte) error {
	var r struct {
		Status                    string  `json:"status"`
		Subject                   ref     `json:"subject"`
		MedicationCodeableConcept concept `json:"medicationCodeableConcept"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("MedicationRequest: %w", err)
	}
	p := c.person(r.Subject)
	if p == nil || r.Status != "active" {
		return nil
	}
	drug := r.MedicationCodeableConcept.code(medication.ATCSystem)
	if drug == "" {
		drug = r.MedicationCodeableConcept.Text
	}
	if drug != "" {
		p.Medicines[drug] = true
	}
	return nil
}

func (c *Cohort) addDispense(b []byte) error {
	var r struct {
		Subject ref `json:"subject"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("MedicationDispense: %w", err)
	}
	p := c.person(r.Subject)
	if p == nil {
		return nil
	}
	d, err := medication.ParseDispense(b)
	if err != nil {
		return err
	}
	f, err := d.Fill(nil)
	if err != nil {
		return nil // not completed, or no supply: not a fill
	}
	p.Fills = append(p.Fills, f)
	return nil
}

// parseDate reads the date part of a FHIR date or dateTime.
func parseDate(s string) (time.Time, error) {
	if len(s) >= 10 {
		return time.Parse("2006-01-02", s[:10])
	}
	switch len(s) {
	case 7:
		return time.Parse("2006-01", s)
	case 4:
		return time.Parse("2006", s)
	}
	return time.Time{}, fmt.Errorf("date %q", s)
}

// sortTimes sorts in place and returns ts.
func sortTimes(ts []time.Time) []time.Time {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts
}
