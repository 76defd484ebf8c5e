package research

import (
	"slices"
	"time"

	"github.com/sen-emr/sen/internal/clinical/population"
	"github.com/sen-emr/sen/internal/fhir"
)

// Status is where a request is in its life: requested → approved |
// rejected; approved → produced. Rejected and produced are final.
type Status string

const (
	StatusRequested Status = "requested"
	StatusApproved  Status = "approved"
	StatusRejected  Status = "rejected"
	StatusProduced  Status = "produced"
)

// Roles an Actor may hold.
const (
	RoleResearcher = "researcher"
	RoleCustodian  = "custodian"
)

// Actor is who performs a step: a reference (Practitioner/7) and a role.
type Actor struct {
	Ref  string
	Name string
	Role string
}

// Request is one researcher's application for an extract.
type Request struct {
	ID         string
	Researcher string // Actor.Ref of the researcher who asked
	Purpose    string // protocol or study, shown to the custodian
	// Types are the resource types of the extract (Patient, Condition …).
	Types []string
	// Registry, when set, restricts the cohort to patients on that
	// population registry (hypertension, diabetes …); empty means all.
	Registry string
	Status   Status

	Requested time.Time
	Custodian string // Actor.Ref of the custodian who decided
	Decided   time.Time
	Reason    string // custodian's reason, required for a rejection
	Produced  time.Time
	Rows      int // resources written to the extract
	SmallestK int // smallest quasi-identifier class at release
}

// extractTypes are the resource types an extract may contain: clinical
// data of patients, never staff, organisations or the audit trail itself.
var extractTypes = []string{
	"AllergyIntolerance", "Condition", "Encounter", "Immunization",
	"MedicationDispense", "MedicationRequest", "MedicationStatement",
	"Observation", "Patient", "Procedure",
}

// Validate checks what a researcher must supply.
func (r *Request) Validate() error {
	if r.Purpose == "" {
		return fhir.Errorf(fhir.KindInvalid, "yêu cầu cần nêu mục đích nghiên cứu / a research request needs a purpose")
	}
	if len(r.Types) == 0 {
		return fhir.Errorf(fhir.KindInvalid, "yêu cầu cần ít nhất một loại tài nguyên / a research request needs at least one resource type")
	}
	for _, t := range r.Types {
		if !slices.Contains(extractTypes, t) {
			return fhir.Errorf(fhir.KindInvalid, "không được trích xuất loại %s / resource type %s cannot be extracted (allowed: %v)", t, t, extractTypes)
		}
	}
	if r.Registry != "" {
		if _, ok := population.RegistryByID(r.Registry); !ok {
			return fhir.Errorf(fhir.KindInvalid, "không có sổ đăng ký %q / no registry %q", r.Registry, r.Registry)
		}
	}
	return nil
}
