package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/search"
)

// demoPassword is the password of every demo login. The demo serves
// synthetic people on a loopback address; never reuse it elsewhere.
const demoPassword = "sen-demo-2026"

// demoLogin is one ready-made account printed by sen demo.
type demoLogin struct {
	Username string
	Role     auth.Role
	Who      string
}

// ensureDemoLogins creates one user per role, tied to real identities of the
// demo population (a care team's doctor and village health worker, its
// patient, the patient's commune health station), unless they exist.
func ensureDemoLogins(ctx context.Context, a *app) ([]demoLogin, error) {
	if a.sec == nil || a.sec.off {
		return nil, nil
	}
	page, err := a.store.Search(ctx, &search.Query{Type: "CareTeam", Count: 1})
	if err != nil {
		return nil, fmt.Errorf("demo logins: %w", err)
	}
	if len(page.Resources) == 0 {
		return nil, errors.New("demo logins: the demo population has no care team")
	}
	var team struct {
		Subject     struct{ Reference string } `json:"subject"`
		Participant []struct {
			Member struct{ Reference string } `json:"member"`
		} `json:"participant"`
		ManagingOrganization []struct{ Reference string } `json:"managingOrganization"`
	}
	if err := json.Unmarshal(page.Resources[0].JSON, &team); err != nil || len(team.Participant) < 2 {
		return nil, fmt.Errorf("demo logins: unexpected care team %s", page.Resources[0].ID)
	}
	patientID := strings.TrimPrefix(team.Subject.Reference, "Patient/")
	doctor, err := a.practitionerRole(ctx, team.Participant[0].Member.Reference)
	if err != nil {
		return nil, err
	}
	chw, err := a.practitionerRole(ctx, team.Participant[1].Member.Reference)
	if err != nil {
		return nil, err
	}
	station := ""
	if pat, err := a.store.Read(ctx, "Patient", patientID); err == nil {
		var p struct {
			GeneralPractitioner []struct{ Reference string } `json:"generalPractitioner"`
		}
		_ = json.Unmarshal(pat.JSON, &p)
		if len(p.GeneralPractitioner) > 0 {
			station = p.GeneralPractitioner[0].Reference
		}
	}
	users := []auth.User{
		{Username: "bacsi", Name: "Bác sĩ (demo)", Role: auth.RoleDoctor, FHIRUser: doctor.practitioner, PractitionerRole: doctor.role, Organization: doctor.org},
		{Username: "dieuduong", Name: "Điều dưỡng (demo)", Role: auth.RoleNurse, Organization: doctor.org},
		{Username: "duocsi", Name: "Dược sĩ (demo)", Role: auth.RolePharmacist, Organization: station},
		{Username: "tramyte", Name: "Nhân viên trạm y tế (demo)", Role: auth.RoleStationStaff, Organization: station},
		{Username: "ytethonban", Name: "Nhân viên y tế thôn bản (demo)", Role: auth.RoleHealthWorker, FHIRUser: chw.practitioner, PractitionerRole: chw.role, Organization: chw.org},
		{Username: "ctxh", Name: "Công tác xã hội (demo)", Role: auth.RoleSocialWorker, Organization: station},
		{Username: "benhnhan", Name: "Người bệnh (demo)", Role: auth.RolePatient, FHIRUser: "Patient/" + patientID, Patients: []string{patientID}},
		{Username: "nguoinha", Name: "Người nhà (demo)", Role: auth.RoleCaregiver, Patients: []string{patientID}},
		{Username: "nghiencuu", Name: "Nhà nghiên cứu (demo)", Role: auth.RoleResearcher},
		{Username: "quantri", Name: "Quản trị (demo)", Role: auth.RoleAdmin},
	}
	hash, err := auth.HashPassword(demoPassword)
	if err != nil {
		return nil, err
	}
	var out []demoLogin
	for i := range users {
		u := &users[i]
		if _, err := a.sec.acc.UserByName(ctx, u.Username); errors.Is(err, auth.ErrNotFound) {
			u.PasswordHash = hash
			if err := a.sec.acc.AddUser(ctx, u); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
		who := u.FHIRUser
		if who == "" {
			who = u.Organization
		}
		if u.Role == auth.RoleCaregiver {
			who = "Patient/" + patientID
		}
		out = append(out, demoLogin{Username: u.Username, Role: u.Role, Who: who})
	}
	if _, err := a.sec.acc.Client(ctx, "sen-demo"); errors.Is(err, auth.ErrNotFound) {
		if err := a.sec.acc.AddClient(ctx, &auth.Client{ID: "sen-demo", Name: "Sen demo app",
			RedirectURIs: []string{"http://localhost:9000/callback", "http://127.0.0.1:9000/callback"},
			Scopes:       "openid fhirUser launch launch/patient offline_access patient/*.cruds user/*.cruds"}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type roleInfo struct{ role, practitioner, org string }

func (a *app) practitionerRole(ctx context.Context, ref string) (roleInfo, error) {
	id := strings.TrimPrefix(ref, "PractitionerRole/")
	res, err := a.store.Read(ctx, "PractitionerRole", id)
	if err != nil {
		return roleInfo{}, fmt.Errorf("demo logins: read %s: %w", ref, err)
	}
	var pr struct {
		Practitioner struct{ Reference string } `json:"practitioner"`
		Organization struct{ Reference string } `json:"organization"`
	}
	_ = json.Unmarshal(res.JSON, &pr)
	return roleInfo{role: ref, practitioner: pr.Practitioner.Reference, org: pr.Organization.Reference}, nil
}

// withLogins appends the demo logins to a banner.
func withLogins(banner func(string) string, logins []demoLogin) func(string) string {
	if len(logins) == 0 {
		return banner
	}
	return func(base string) string {
		var b strings.Builder
		b.WriteString(banner(base))
		fmt.Fprintf(&b, "Đăng nhập thử / demo logins (mật khẩu / password: %s), SMART discovery: %s/.well-known/smart-configuration\n", demoPassword, base)
		for _, l := range logins {
			vi, en := l.Role.Label()
			fmt.Fprintf(&b, "  %-12s %-32s %s\n", l.Username, vi+" / "+en, l.Who)
		}
		b.WriteString("  SMART client_id: sen-demo (redirect http://localhost:9000/callback). Không cần đăng nhập / no sign-in: sen demo --no-auth\n")
		return b.String()
	}
}
