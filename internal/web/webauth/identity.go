// Package webauth connects the apps to authentication: Identity maps the
// auth.Principal that auth's middleware puts in a request's context to the
// apps' web.User. It lives apart from web so that the apps build and run
// (in no-auth mode) without the auth package.
//
// It may import web and auth only.
package webauth

import (
	"net/http"

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/web"
)

// Identity is the web.Identity of a deployment with authentication:
// auth's middleware (session cookie or bearer token) puts an
// auth.Principal in the request context, and this maps it to the apps'
// User. Requests without a Principal are anonymous and are sent to
// web.Config.SignInURL.
type Identity struct{}

// UserFromRequest implements web.Identity.
func (Identity) UserFromRequest(r *http.Request) (*web.User, bool) {
	p := auth.PrincipalFrom(r.Context())
	if p == nil {
		return nil, false
	}
	return userOf(p)
}

// userOf maps auth's roles onto the two apps: staff who treat patients
// use the clinician app as clinicians, pharmacists as pharmacists;
// patients and caregivers use the patient app. Administrators and
// researchers sign in to the clinician app for the population dashboard
// only; doctors and commune-station staff see it too. Backend services
// have no place in either app.
func userOf(p *auth.Principal) (*web.User, bool) {
	u := &web.User{ID: p.FHIRUser, Name: p.Name, Organization: p.Organization, Patients: append([]string(nil), p.Patients...)}
	if u.ID == "" {
		u.ID = p.Subject
	}
	switch p.Role {
	case auth.RoleDoctor, auth.RoleStationStaff:
		u.Role, u.Population = web.RoleClinician, true
	case auth.RoleNurse, auth.RoleHealthWorker, auth.RoleSocialWorker:
		u.Role = web.RoleClinician
	case auth.RolePharmacist:
		u.Role = web.RolePharmacist
	case auth.RolePatient:
		u.Role = web.RolePatient
	case auth.RoleCaregiver:
		u.Role = web.RoleCaregiver
	case auth.RoleAdmin:
		u.Role, u.Population = web.RoleAdmin, true
	case auth.RoleResearcher:
		u.Role, u.Population = web.RoleResearcher, true
	default:
		return nil, false
	}
	if p.PractitionerRole != "" && (u.Role == web.RoleClinician || u.Role == web.RolePharmacist) {
		u.ID = p.PractitionerRole // a prescription's requester is the role at the facility
	}
	return u, true
}

var _ web.Identity = Identity{}
