package synth

// FHIR R4 resource shapes emitted by the generator, limited to the
// elements it fills. Field order is the order of the R4 specification so
// the JSON reads naturally.

type patientResource struct {
	ResourceType         string           `json:"resourceType"`
	ID                   string           `json:"id"`
	Meta                 *meta            `json:"meta,omitempty"`
	Extension            []extension      `json:"extension,omitempty"`
	Identifier           []identifier     `json:"identifier,omitempty"`
	Active               bool             `json:"active"`
	Name                 []humanName      `json:"name,omitempty"`
	Telecom              []contactPoint   `json:"telecom,omitempty"`
	Gender               string           `json:"gender,omitempty"`
	BirthDate            string           `json:"birthDate,omitempty"`
	Address              []address        `json:"address,omitempty"`
	MaritalStatus        *concept         `json:"maritalStatus,omitempty"`
	Contact              []patientContact `json:"contact,omitempty"`
	Communication        []patientComm    `json:"communication,omitempty"`
	GeneralPractitioner  []reference      `json:"generalPractitioner,omitempty"`
	ManagingOrganization *reference       `json:"managingOrganization,omitempty"`
}

type patientContact struct {
	Relationship []concept      `json:"relationship,omitempty"`
	Name         *humanName     `json:"name,omitempty"`
	Telecom      []contactPoint `json:"telecom,omitempty"`
}

type patientComm struct {
	Language  concept `json:"language"`
	Preferred bool    `json:"preferred,omitempty"`
}

type organizationResource struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Meta         *meta          `json:"meta,omitempty"`
	Identifier   []identifier   `json:"identifier,omitempty"`
	Active       bool           `json:"active"`
	Type         []concept      `json:"type,omitempty"`
	Name         string         `json:"name"`
	Telecom      []contactPoint `json:"telecom,omitempty"`
	Address      []address      `json:"address,omitempty"`
	PartOf       *reference     `json:"partOf,omitempty"`
}

type practitionerResource struct {
	ResourceType  string          `json:"resourceType"`
	ID            string          `json:"id"`
	Meta          *meta           `json:"meta,omitempty"`
	Identifier    []identifier    `json:"identifier,omitempty"`
	Active        bool            `json:"active"`
	Name          []humanName     `json:"name,omitempty"`
	Telecom       []contactPoint  `json:"telecom,omitempty"`
	Gender        string          `json:"gender,omitempty"`
	BirthDate     string          `json:"birthDate,omitempty"`
	Qualification []qualification `json:"qualification,omitempty"`
}

type qualification struct {
	Identifier []identifier `json:"identifier,omitempty"`
	Code       concept      `json:"code"`
	Issuer     *reference   `json:"issuer,omitempty"`
}

type practitionerRoleResource struct {
	ResourceType string     `json:"resourceType"`
	ID           string     `json:"id"`
	Meta         *meta      `json:"meta,omitempty"`
	Active       bool       `json:"active"`
	Practitioner *reference `json:"practitioner,omitempty"`
	Organization *reference `json:"organization,omitempty"`
	Code         []concept  `json:"code,omitempty"`
	Specialty    []concept  `json:"specialty,omitempty"`
}

type encounterResource struct {
	ResourceType    string                 `json:"resourceType"`
	ID              string                 `json:"id"`
	Meta            *meta                  `json:"meta,omitempty"`
	Status          string                 `json:"status"`
	Class           coding                 `json:"class"`
	Type            []concept              `json:"type,omitempty"`
	Subject         reference              `json:"subject"`
	Participant     []encounterParticipant `json:"participant,omitempty"`
	Period          *period                `json:"period,omitempty"`
	ReasonReference []reference            `json:"reasonReference,omitempty"`
	Diagnosis       []encounterDiagnosis   `json:"diagnosis,omitempty"`
	Hospitalization *hospitalization       `json:"hospitalization,omitempty"`
	ServiceProvider *reference             `json:"serviceProvider,omitempty"`
}

type encounterParticipant struct {
	Type       []concept  `json:"type,omitempty"`
	Individual *reference `json:"individual,omitempty"`
}

type encounterDiagnosis struct {
	Condition reference `json:"condition"`
	Use       *concept  `json:"use,omitempty"`
	Rank      int       `json:"rank,omitempty"`
}

type hospitalization struct {
	AdmitSource          *concept `json:"admitSource,omitempty"`
	DischargeDisposition *concept `json:"dischargeDisposition,omitempty"`
}

type conditionResource struct {
	ResourceType       string       `json:"resourceType"`
	ID                 string       `json:"id"`
	Meta               *meta        `json:"meta,omitempty"`
	ClinicalStatus     *concept     `json:"clinicalStatus,omitempty"`
	VerificationStatus *concept     `json:"verificationStatus,omitempty"`
	Category           []concept    `json:"category,omitempty"`
	Severity           *concept     `json:"severity,omitempty"`
	Code               concept      `json:"code"`
	Subject            reference    `json:"subject"`
	Encounter          *reference   `json:"encounter,omitempty"`
	OnsetDateTime      string       `json:"onsetDateTime,omitempty"`
	AbatementDateTime  string       `json:"abatementDateTime,omitempty"`
	RecordedDate       string       `json:"recordedDate,omitempty"`
	Recorder           *reference   `json:"recorder,omitempty"`
	Note               []annotation `json:"note,omitempty"`
}

type observationResource struct {
	ResourceType      string                 `json:"resourceType"`
	ID                string                 `json:"id"`
	Meta              *meta                  `json:"meta,omitempty"`
	Status            string                 `json:"status"`
	Category          []concept              `json:"category,omitempty"`
	Code              concept                `json:"code"`
	Subject           reference              `json:"subject"`
	Encounter         *reference             `json:"encounter,omitempty"`
	EffectiveDateTime string                 `json:"effectiveDateTime,omitempty"`
	Issued            string                 `json:"issued,omitempty"`
	Performer         []reference            `json:"performer,omitempty"`
	ValueQuantity     *quantity              `json:"valueQuantity,omitempty"`
	Interpretation    []concept              `json:"interpretation,omitempty"`
	ReferenceRange    []referenceRange       `json:"referenceRange,omitempty"`
	Component         []observationComponent `json:"component,omitempty"`
}

type referenceRange struct {
	Low  *quantity `json:"low,omitempty"`
	High *quantity `json:"high,omitempty"`
	Text string    `json:"text,omitempty"`
}

type observationComponent struct {
	Code          concept   `json:"code"`
	ValueQuantity *quantity `json:"valueQuantity,omitempty"`
}

type medicationRequestResource struct {
	ResourceType              string           `json:"resourceType"`
	ID                        string           `json:"id"`
	Meta                      *meta            `json:"meta,omitempty"`
	Status                    string           `json:"status"`
	StatusReason              *concept         `json:"statusReason,omitempty"`
	Intent                    string           `json:"intent"`
	MedicationCodeableConcept concept          `json:"medicationCodeableConcept"`
	Subject                   reference        `json:"subject"`
	Encounter                 *reference       `json:"encounter,omitempty"`
	AuthoredOn                string           `json:"authoredOn,omitempty"`
	Requester                 *reference       `json:"requester,omitempty"`
	ReasonReference           []reference      `json:"reasonReference,omitempty"`
	CourseOfTherapyType       *concept         `json:"courseOfTherapyType,omitempty"`
	DosageInstruction         []dosage         `json:"dosageInstruction,omitempty"`
	DispenseRequest           *dispenseRequest `json:"dispenseRequest,omitempty"`
}

type dispenseRequest struct {
	ValidityPeriod         *period   `json:"validityPeriod,omitempty"`
	NumberOfRepeatsAllowed int       `json:"numberOfRepeatsAllowed"`
	Quantity               *quantity `json:"quantity,omitempty"`
	ExpectedSupplyDuration *quantity `json:"expectedSupplyDuration,omitempty"`
}

type dosage struct {
	Sequence           int           `json:"sequence,omitempty"`
	Text               string        `json:"text,omitempty"`
	PatientInstruction string        `json:"patientInstruction,omitempty"`
	Timing             *timing       `json:"timing,omitempty"`
	AsNeededBoolean    bool          `json:"asNeededBoolean,omitempty"`
	Route              *concept      `json:"route,omitempty"`
	DoseAndRate        []doseAndRate `json:"doseAndRate,omitempty"`
}

type timing struct {
	Repeat *timingRepeat `json:"repeat,omitempty"`
}

type timingRepeat struct {
	BoundsPeriod *period  `json:"boundsPeriod,omitempty"`
	Frequency    int      `json:"frequency,omitempty"`
	Period       float64  `json:"period,omitempty"`
	PeriodUnit   string   `json:"periodUnit,omitempty"`
	When         []string `json:"when,omitempty"`
}

type doseAndRate struct {
	Type         *concept  `json:"type,omitempty"`
	DoseQuantity *quantity `json:"doseQuantity,omitempty"`
}

type medicationDispenseResource struct {
	ResourceType              string              `json:"resourceType"`
	ID                        string              `json:"id"`
	Meta                      *meta               `json:"meta,omitempty"`
	Status                    string              `json:"status"`
	MedicationCodeableConcept concept             `json:"medicationCodeableConcept"`
	Subject                   reference           `json:"subject"`
	Context                   *reference          `json:"context,omitempty"`
	Performer                 []dispensePerformer `json:"performer,omitempty"`
	AuthorizingPrescription   []reference         `json:"authorizingPrescription,omitempty"`
	Quantity                  *quantity           `json:"quantity,omitempty"`
	DaysSupply                *quantity           `json:"daysSupply,omitempty"`
	WhenPrepared              string              `json:"whenPrepared,omitempty"`
	WhenHandedOver            string              `json:"whenHandedOver,omitempty"`
	DosageInstruction         []dosage            `json:"dosageInstruction,omitempty"`
}

type dispensePerformer struct {
	Actor reference `json:"actor"`
}

type medicationAdministrationResource struct {
	ResourceType              string           `json:"resourceType"`
	ID                        string           `json:"id"`
	Meta                      *meta            `json:"meta,omitempty"`
	Status                    string           `json:"status"`
	StatusReason              []concept        `json:"statusReason,omitempty"`
	Category                  *concept         `json:"category,omitempty"`
	MedicationCodeableConcept concept          `json:"medicationCodeableConcept"`
	Subject                   reference        `json:"subject"`
	EffectiveDateTime         string           `json:"effectiveDateTime"`
	Performer                 []adminPerformer `json:"performer,omitempty"`
	Request                   *reference       `json:"request,omitempty"`
	Note                      []annotation     `json:"note,omitempty"`
	Dosage                    *adminDosage     `json:"dosage,omitempty"`
}

type adminPerformer struct {
	Actor reference `json:"actor"`
}

type adminDosage struct {
	Text  string    `json:"text,omitempty"`
	Route *concept  `json:"route,omitempty"`
	Dose  *quantity `json:"dose,omitempty"`
}

type allergyResource struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id"`
	Meta               *meta             `json:"meta,omitempty"`
	ClinicalStatus     *concept          `json:"clinicalStatus,omitempty"`
	VerificationStatus *concept          `json:"verificationStatus,omitempty"`
	Type               string            `json:"type,omitempty"`
	Category           []string          `json:"category,omitempty"`
	Criticality        string            `json:"criticality,omitempty"`
	Code               concept           `json:"code"`
	Patient            reference         `json:"patient"`
	RecordedDate       string            `json:"recordedDate,omitempty"`
	Reaction           []allergyReaction `json:"reaction,omitempty"`
}

type allergyReaction struct {
	Manifestation []concept `json:"manifestation"`
	Severity      string    `json:"severity,omitempty"`
}

type careTeamResource struct {
	ResourceType         string                `json:"resourceType"`
	ID                   string                `json:"id"`
	Meta                 *meta                 `json:"meta,omitempty"`
	Status               string                `json:"status"`
	Name                 string                `json:"name,omitempty"`
	Subject              reference             `json:"subject"`
	Period               *period               `json:"period,omitempty"`
	Participant          []careTeamParticipant `json:"participant,omitempty"`
	ManagingOrganization []reference           `json:"managingOrganization,omitempty"`
}

type careTeamParticipant struct {
	Role   []concept `json:"role,omitempty"`
	Member reference `json:"member"`
}

type carePlanResource struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id"`
	Meta         *meta       `json:"meta,omitempty"`
	Status       string      `json:"status"`
	Intent       string      `json:"intent"`
	Category     []concept   `json:"category,omitempty"`
	Title        string      `json:"title,omitempty"`
	Description  string      `json:"description,omitempty"`
	Subject      reference   `json:"subject"`
	Period       *period     `json:"period,omitempty"`
	Created      string      `json:"created,omitempty"`
	CareTeam     []reference `json:"careTeam,omitempty"`
	Addresses    []reference `json:"addresses,omitempty"`
}
