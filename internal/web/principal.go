package web

import (
	"net/http"

	"github.com/sen-emr/sen/internal/auth"
)

// PrincipalIdentity is the Identity of a deployment with authentication:
// auth's middleware (session cookie or bearer token) puts an
// auth.Principal in the request context, and this maps it to the apps'
// User. Requests without a Principal are anonymous and are sent to
// Config.SignInURL.
type PrincipalIdentity struct{}

// UserFromRequest implements Identity.
func (PrincipalIdentity) UserFromRequest(r *http.Request) (*User, bool) {
	p := auth.PrincipalFrom(r.Context())
	if p == nil {
		return nil, false
	}
	return userOf(p)
}

// userOf maps auth's roles onto the two apps: staff who treat patients
// use the clinician app as clinicians, pharmacists as pharmacists;
// patients and caregivers use the patient app. Other roles (researcher,
// admin, backend services) have no place in either app.
func userOf(p *auth.Principal) (*User, bool) {
	u := &User{ID: p.FHIRUser, Name: p.Name, Organization: p.Organization, Patients: append([]string(nil), p.Patients...)}
	if u.ID == "" {
		u.ID = p.Subject
	}
	switch p.Role {
	case auth.RoleDoctor, auth.RoleNurse, auth.RoleStationStaff, auth.RoleHealthWorker, auth.RoleSocialWorker:
		u.Role = RoleClinician
	case auth.RolePharmacist:
		u.Role = RolePharmacist
	case auth.RolePatient:
		u.Role = RolePatient
	case auth.RoleCaregiver:
		u.Role = RoleCaregiver
	default:
		return nil, false
	}
	if p.PractitionerRole != "" && u.Role != RolePatient && u.Role != RoleCaregiver {
		u.ID = p.PractitionerRole // a prescription's requester is the role at the facility
	}
	return u, true
}

var _ Identity = PrincipalIdentity{}
