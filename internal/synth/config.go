package synth

import (
	"errors"
	"fmt"
	"time"
)

// Identifier systems, code systems and extension URLs owned by the
// generator. Vietnamese identifier systems come from internal/vn.
const (
	// ExtAdherenceProfile is the Patient extension holding the simulated
	// medication-taking behaviour (ground truth for adherence models).
	// Sub-extensions: profile (valueCode), appEnrolled (valueBoolean),
	// dosesScheduled, dosesTaken (valueInteger, last 90 days), takenFraction
	// (valueDecimal) and stopDate (valueDate, intentional stoppers).
	ExtAdherenceProfile = "https://sen-emr.github.io/fhir/StructureDefinition/synthetic-adherence-profile"
	// ExtHousehold is the Patient extension (valueString) naming the
	// household the patient belongs to, so that family members can be
	// found without a Group resource.
	ExtHousehold = "https://sen-emr.github.io/fhir/StructureDefinition/synthetic-household"
	// SystemTag is the meta.tag system that marks Sen synthetic output.
	SystemTag = "https://sen-emr.github.io/fhir/CodeSystem/synthetic"
	// SystemFacilityCode identifies health facilities (mã cơ sở KCB,
	// 5 digits: 2-digit province code + 3-digit serial).
	SystemFacilityCode = "https://sen-emr.github.io/fhir/sid/facility-code"
	// SystemFacilityLevel classifies facilities by level of the
	// Vietnamese care system (central, provincial, regional, commune).
	SystemFacilityLevel = "https://sen-emr.github.io/fhir/CodeSystem/facility-level"
	// SystemPractitionerLicence identifies practising certificates
	// (chứng chỉ hành nghề / giấy phép hành nghề).
	SystemPractitionerLicence = "https://sen-emr.github.io/fhir/sid/practising-licence"
	// SystemRole codes roles of the Vietnamese care system that the HL7
	// practitioner-role code system lacks (community health worker,
	// assistant physician, midwife).
	SystemRole = "https://sen-emr.github.io/fhir/CodeSystem/practitioner-role"
	// SystemEncounterType codes the kind of visit.
	SystemEncounterType = "https://sen-emr.github.io/fhir/CodeSystem/encounter-type"
	// SystemICD10 is the ICD-10 code system URI used for conditions.
	SystemICD10 = "http://hl7.org/fhir/sid/icd-10"
	// SystemATC is the WHO ATC code system URI used for medicines.
	SystemATC = "http://www.whocc.no/atc"
	// SystemLOINC and SystemUCUM are the observation code and unit systems.
	SystemLOINC = "http://loinc.org"
	SystemUCUM  = "http://unitsofmeasure.org"
)

// Config says what to generate. Only Seed, Patients and End are required;
// the zero value of every other field selects the documented default.
type Config struct {
	// Seed makes the output reproducible: the same Config always yields
	// byte-identical resources.
	Seed int64
	// Patients is the number of people to generate (all ages). Must be > 0.
	Patients int
	// Start and End bound the simulated period of care. End is required
	// (the generator never reads the clock); Start defaults to End minus
	// three years.
	Start, End time.Time
	// AppShare is the share of patients on chronic medicines enrolled in
	// the medication app, who confirm doses during the last 90 days.
	// Zero means 0.3; a negative value means nobody.
	AppShare float64
}

// Validation errors of Config.
var (
	ErrNoPatients = errors.New("synth: Config.Patients must be positive")
	ErrNoEnd      = errors.New("synth: Config.End is required")
	ErrPeriod     = errors.New("synth: Config.Start must be before Config.End")
)

// MaxPatients bounds Config.Patients so that a typo cannot exhaust memory
// (the population model is held in memory; clinical detail is streamed).
const MaxPatients = 5_000_000

// withDefaults checks the configuration and fills defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Patients <= 0 {
		return c, ErrNoPatients
	}
	if c.Patients > MaxPatients {
		return c, fmt.Errorf("synth: Config.Patients %d exceeds %d: %w", c.Patients, MaxPatients, ErrNoPatients)
	}
	if c.End.IsZero() {
		return c, ErrNoEnd
	}
	c.End = c.End.In(vnZone)
	if c.Start.IsZero() {
		c.Start = c.End.AddDate(-3, 0, 0)
	}
	c.Start = c.Start.In(vnZone)
	if !c.Start.Before(c.End) {
		return c, fmt.Errorf("synth: start %s, end %s: %w", c.Start.Format(time.DateOnly), c.End.Format(time.DateOnly), ErrPeriod)
	}
	if c.End.Sub(c.Start) > 50*365*24*time.Hour {
		return c, fmt.Errorf("synth: a period longer than 50 years is not supported: %w", ErrPeriod)
	}
	switch {
	case c.AppShare == 0:
		c.AppShare = 0.3
	case c.AppShare < 0:
		c.AppShare = 0
	case c.AppShare > 1:
		c.AppShare = 1
	}
	return c, nil
}

// vnZone is Indochina Time (UTC+7, no daylight saving). A fixed zone keeps
// output identical whether or not the host has tzdata installed.
var vnZone = time.FixedZone("ICT", 7*3600)
