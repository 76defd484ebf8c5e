package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/web"
	"github.com/sen-emr/sen/internal/web/webtest"
)

// headerIdentity stands in for auth: the X-Test-Role header names the role.
type headerIdentity struct{ patient string }

func (h headerIdentity) UserFromRequest(r *http.Request) (*web.User, bool) {
	switch role := r.Header.Get("X-Test-Role"); role {
	case web.RoleClinician, web.RolePharmacist:
		return &web.User{ID: "Practitioner/x", Name: "BS Lan", Role: role}, true
	case web.RolePatient:
		return &web.User{ID: "Patient/" + h.patient, Name: "P", Role: role, Patients: []string{h.patient}}, true
	}
	return nil, false
}

func TestWithIdentity(t *testing.T) {
	plain := testApp(t)
	pid := patientOnMeds(t, newClient(t, plain, "vi"))
	a, err := webtest.NewApp(webtest.Options{Patients: 40, Identity: headerIdentity{patient: pid}})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, a, "vi")
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	get := func(path, role string) *http.Response {
		req, _ := http.NewRequest("GET", c.srv.URL+path, nil)
		if role != "" {
			req.Header.Set("X-Test-Role", role)
		}
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, tt := range []struct {
		path, role string
		status     int
		location   string
	}{
		{"/app", "", http.StatusSeeOther, "/auth/login?next="},
		{"/me", "", http.StatusSeeOther, "/auth/login?next="},
		{"/app/signin", "", http.StatusSeeOther, "/auth/login"},
		{"/app", web.RoleClinician, http.StatusOK, ""},
		{"/me", web.RolePatient, http.StatusOK, ""},
		{"/me", web.RoleClinician, http.StatusSeeOther, "/auth/login"}, // staff have no patient app
		{"/app", web.RolePatient, http.StatusSeeOther, "/auth/login"},
	} {
		res := get(tt.path, tt.role)
		if res.StatusCode != tt.status || !strings.HasPrefix(res.Header.Get("Location"), tt.location) {
			t.Errorf("%s as %q: %d %q, want %d %q", tt.path, tt.role, res.StatusCode, res.Header.Get("Location"), tt.status, tt.location)
		}
	}
	// No demo banner when authentication is on.
	req, _ := http.NewRequest("GET", c.srv.URL+"/app", nil)
	req.Header.Set("X-Test-Role", web.RoleClinician)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if strings.Contains(readBody(res), "Không xác thực") {
		t.Error("no-auth banner shown with an Identity")
	}
}
