package webauth

import (
	"net/http/httptest"
	"testing"

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/web"
)

func TestIdentity(t *testing.T) {
	tests := []struct {
		name     string
		p        *auth.Principal
		wantOK   bool
		wantRole string
		wantID   string
		wantPop  bool // sees the population dashboard
	}{
		{"doctor", &auth.Principal{Role: auth.RoleDoctor, FHIRUser: "Practitioner/1", PractitionerRole: "PractitionerRole/9", Name: "BS An", Organization: "Organization/4"}, true, web.RoleClinician, "PractitionerRole/9", true},
		{"station staff", &auth.Principal{Role: auth.RoleStationStaff, FHIRUser: "Practitioner/2"}, true, web.RoleClinician, "Practitioner/2", true},
		{"nurse", &auth.Principal{Role: auth.RoleNurse, FHIRUser: "Practitioner/3"}, true, web.RoleClinician, "Practitioner/3", false},
		{"pharmacist", &auth.Principal{Role: auth.RolePharmacist, Subject: "u7"}, true, web.RolePharmacist, "u7", false},
		{"patient", &auth.Principal{Role: auth.RolePatient, FHIRUser: "Patient/5", Patients: []string{"5"}}, true, web.RolePatient, "Patient/5", false},
		{"caregiver", &auth.Principal{Role: auth.RoleCaregiver, FHIRUser: "RelatedPerson/3", Patients: []string{"5", "6"}}, true, web.RoleCaregiver, "RelatedPerson/3", false},
		{"researcher", &auth.Principal{Role: auth.RoleResearcher, Subject: "u8", PractitionerRole: "PractitionerRole/2"}, true, web.RoleResearcher, "u8", true},
		{"admin", &auth.Principal{Role: auth.RoleAdmin, Subject: "u9"}, true, web.RoleAdmin, "u9", true},
		{"backend service", &auth.Principal{Role: auth.RoleSystem}, false, "", "", false},
		{"anonymous", nil, false, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/app", nil)
			if tt.p != nil {
				r = r.WithContext(auth.WithPrincipal(r.Context(), tt.p))
			}
			u, ok := Identity{}.UserFromRequest(r)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if u.Role != tt.wantRole || u.ID != tt.wantID || u.Population != tt.wantPop {
				t.Errorf("got role %q id %q population %v, want %q %q %v", u.Role, u.ID, u.Population, tt.wantRole, tt.wantID, tt.wantPop)
			}
			if len(u.Patients) != len(tt.p.Patients) {
				t.Errorf("patients %v, want %v", u.Patients, tt.p.Patients)
			}
		})
	}
}
