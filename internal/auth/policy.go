package auth

import (
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
)

// typePerms returns the permission letters (a subset of "cruds") that role
// has on resource type typ, before the relationship to the patient is
// considered. inCompartment says whether typ belongs to the Patient
// compartment (clinical data about one patient); other types are reference
// data (Organization, Practitioner, Medication, ValueSet ...).
//
// The table is written as a function, not a package-level map, so that it
// cannot be changed at run time.
func typePerms(role Role, typ string, inCompartment bool) string {
	if typ == "AuditEvent" {
		// Audit events are written by the audit writer only, never through
		// the API. Patients and caregivers read their own (relationship
		// checked later); administrators read all.
		switch role {
		case RoleAdmin, RoleSystem:
			return "rs"
		case RolePatient, RoleCaregiver:
			return "rs"
		}
		return ""
	}
	if !inCompartment {
		switch role {
		case RoleAdmin:
			return "cruds"
		case RoleSystem:
			return "cruds" // limited by the client's scopes
		}
		return "rs"
	}
	switch role {
	case RoleDoctor, RoleSystem:
		return "cruds"
	case RoleNurse, RoleStationStaff:
		if oneOf(typ, nurseWrites) || role == RoleStationStaff && oneOf(typ, "MedicationDispense Immunization Appointment MedicationStatement") {
			return "cruds"
		}
		return "rs"
	case RolePharmacist:
		if oneOf(typ, "MedicationDispense MedicationStatement Communication Task") {
			return "cruds"
		}
		if oneOf(typ, "Patient MedicationRequest MedicationAdministration AllergyIntolerance Condition Observation Encounter CarePlan Coverage") {
			return "rs"
		}
	case RoleHealthWorker:
		if oneOf(typ, "Observation Task Communication MedicationStatement MedicationAdministration Appointment") {
			return "cruds"
		}
		if oneOf(typ, "Patient RelatedPerson CarePlan CareTeam MedicationRequest MedicationDispense Condition Goal Immunization") {
			return "rs"
		}
	case RoleSocialWorker:
		if oneOf(typ, "Task Communication RelatedPerson CarePlan Goal") {
			return "cruds"
		}
		if oneOf(typ, "Patient CareTeam Consent Encounter Appointment Coverage") {
			return "rs"
		}
	case RolePatient, RoleCaregiver:
		// Patients read their whole record and record what they report
		// themselves: measurements, doses taken, messages, answers, and
		// their consents (which they may also withdraw).
		if oneOf(typ, "Consent") {
			return "cruds"
		}
		if oneOf(typ, "Observation MedicationStatement MedicationAdministration Communication QuestionnaireResponse Appointment") {
			return "crus"
		}
		return "rs"
	case RoleResearcher:
		if oneOf(typ, "Consent") {
			return ""
		}
		return "rs" // de-identified (deid.go)
	case RoleAdmin:
		// Administrators manage accounts and reference data; they reach
		// patient records only through break-glass.
		return "rs"
	}
	return ""
}

const nurseWrites = "Observation MedicationAdministration Procedure CarePlan Task Communication Encounter Flag DocumentReference QuestionnaireResponse Patient RelatedPerson Immunization"

func oneOf(typ, list string) bool {
	for _, s := range strings.Fields(list) {
		if s == typ {
			return true
		}
	}
	return false
}

// checkType decides the type-level part: the role's table and the token's
// scopes must both grant perm on typ.
func checkType(p *Principal, typ string, perm Perm, inCompartment bool) error {
	if strings.IndexByte(typePerms(p.Role, typ, inCompartment), byte(perm)) < 0 {
		vi, en := p.Role.Label()
		return fhir.Errorf(fhir.KindForbidden, "%s không được phép %s %s / role %s may not %s %s", vi, permVI(perm), typ, en, permEN(perm), typ)
	}
	if !p.Scopes.Allows("", typ, perm) {
		return fhir.Errorf(fhir.KindForbidden, "phạm vi truy cập (scope) không cho phép %s %s / the token's scopes do not grant %s on %s", permVI(perm), typ, permEN(perm), typ)
	}
	return nil
}

func permEN(p Perm) string {
	switch p {
	case PermCreate:
		return "create"
	case PermUpdate:
		return "update"
	case PermDelete:
		return "delete"
	case PermSearch:
		return "search"
	}
	return "read"
}

func permVI(p Perm) string {
	switch p {
	case PermCreate:
		return "tạo"
	case PermUpdate:
		return "sửa"
	case PermDelete:
		return "xoá"
	case PermSearch:
		return "tìm kiếm"
	}
	return "xem"
}
