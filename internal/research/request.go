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

// Kinds of extract.
const (
	// KindRows is a row-level, de-identified NDJSON extract of Types.
	KindRows = "rows"
	// KindAggregate is a CSV of a registry's HEARTS counts by a dimension
	// for a month, every count through disclosure control (≤ 7 redacted,
	// others rounded to 5; totals are sums of the released cells).
	KindAggregate = "aggregate"
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
	// Kind is KindRows (the default when empty) or KindAggregate.
	Kind string
	// Types are the resource types of a row-level extract (Patient,
	// Condition …).
	Types []string
	// By and Month choose an aggregate extract's dimension (province,
	// commune, age, sex) and reference month (YYYY-MM).
	By    string
	Month string
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
	if r.Kind == KindAggregate {
		return r.validateAggregate()
	}
	if r.Kind != "" && r.Kind != KindRows {
		return fhir.Errorf(fhir.KindInvalid, "loại trích xuất %q không hợp lệ / extract kind %q: want %s or %s", r.Kind, r.Kind, KindRows, KindAggregate)
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

func (r *Request) validateAggregate() error {
	if _, ok := population.RegistryByID(r.Registry); !ok {
		return fhir.Errorf(fhir.KindInvalid, "trích xuất tổng hợp cần một sổ đăng ký hợp lệ / an aggregate extract needs a registry (got %q)", r.Registry)
	}
	switch r.By {
	case population.ByProvince, population.ByCommune, population.ByAgeBand, population.BySex:
	default:
		return fhir.Errorf(fhir.KindInvalid, "chiều %q không hợp lệ / dimension %q: want province, commune, age or sex", r.By, r.By)
	}
	if _, err := population.ParseMonth(r.Month); err != nil {
		return fhir.Errorf(fhir.KindInvalid, "tháng %q không hợp lệ / month %q: want YYYY-MM", r.Month, r.Month)
	}
	if len(r.Types) > 0 {
		return fhir.Errorf(fhir.KindInvalid, "trích xuất tổng hợp không nhận loại tài nguyên / an aggregate extract takes no resource types")
	}
	return nil
}
