package auth

import "fmt"

// Role is what a user does in the health system. It decides which resource
// types a user may touch and how (policy.go); the relationship to the
// patient decides whose (relation.go).
type Role string

const (
	RoleDoctor       Role = "doctor"
	RoleNurse        Role = "nurse"
	RolePharmacist   Role = "pharmacist"
	RoleStationStaff Role = "station-staff"    // commune health station (trạm y tế xã)
	RoleHealthWorker Role = "community-worker" // village health worker (nhân viên y tế thôn bản)
	RoleSocialWorker Role = "social-worker"
	RolePatient      Role = "patient"
	RoleCaregiver    Role = "caregiver" // a RelatedPerson acting for linked patients
	RoleResearcher   Role = "researcher"
	RoleAdmin        Role = "admin"
	RoleSystem       Role = "system" // a backend service client, never a user
)

// Roles lists the roles a user account may have, in display order.
func Roles() []Role {
	return []Role{RoleDoctor, RoleNurse, RolePharmacist, RoleStationStaff, RoleHealthWorker,
		RoleSocialWorker, RolePatient, RoleCaregiver, RoleResearcher, RoleAdmin}
}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want one of %v)", s, Roles())
}

// Label is the role's name for people, in Vietnamese and English.
func (r Role) Label() (vi, en string) {
	switch r {
	case RoleDoctor:
		return "Bác sĩ", "Doctor"
	case RoleNurse:
		return "Điều dưỡng", "Nurse"
	case RolePharmacist:
		return "Dược sĩ", "Pharmacist"
	case RoleStationStaff:
		return "Nhân viên trạm y tế xã", "Commune health station staff"
	case RoleHealthWorker:
		return "Nhân viên y tế thôn bản", "Community health worker"
	case RoleSocialWorker:
		return "Nhân viên công tác xã hội", "Social worker"
	case RolePatient:
		return "Người bệnh", "Patient"
	case RoleCaregiver:
		return "Người chăm sóc", "Caregiver"
	case RoleResearcher:
		return "Nhà nghiên cứu", "Researcher"
	case RoleAdmin:
		return "Quản trị viên", "Administrator"
	case RoleSystem:
		return "Hệ thống", "System"
	}
	return string(r), string(r)
}

// clinical reports whether the role acts for an organisation on patients
// related to it (as opposed to acting for oneself or for linked patients).
func (r Role) clinical() bool {
	switch r {
	case RoleDoctor, RoleNurse, RolePharmacist, RoleStationStaff, RoleHealthWorker, RoleSocialWorker:
		return true
	}
	return false
}

// FHIRCode is the code of the role in the v3 RoleClass / ParticipationType
// sense used for AuditEvent.agent.type: AUT (author) for clinicians,
// PAT for patients, and so on. It is informative only.
func (r Role) FHIRCode() string {
	switch r {
	case RolePatient:
		return "PAT"
	case RoleCaregiver:
		return "CAREGIVER"
	case RoleSystem:
		return "CST"
	}
	return "PROV"
}
