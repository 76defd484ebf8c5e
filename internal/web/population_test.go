package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/web"
	"github.com/sen-emr/sen/internal/web/webtest"
)

func TestPopulationDashboard(t *testing.T) {
	a := testApp(t)

	anon := newClient(t, a, "vi")
	if r := anon.get("/app/population"); !strings.HasPrefix(r.url, "/app/signin") {
		t.Errorf("anonymous: ended at %s, want the sign-in page", r.url)
	}

	doc := newClient(t, a, "vi")
	doc.signInClinician(web.RoleClinician)
	home := doc.get("/app")
	mustContain(t, "doctor's start page", home, 200, `href="/app/population"`)
	vi := doc.get("/app/population?registry=hypertension&by=sex")
	mustContain(t, "dashboard vi", vi, 200, "<h1>Sức khỏe cộng đồng", "Tỷ lệ kiểm soát", "<table", `<svg`, `aria-label="Biểu đồ tỷ lệ kiểm soát`, `class="population"`, `id="main"`, `<table tabindex="0" aria-label="Bảng số liệu theo nhóm">`)
	for _, bad := range []string{"<style>", "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Sức"} {
		if strings.Contains(vi.body, bad) {
			t.Errorf("dashboard vi carries the dashboard's own %q", bad)
		}
	}
	if n := strings.Count(vi.body, "<body"); n != 1 {
		t.Errorf("dashboard vi has %d <body> tags, want 1", n)
	}

	en := newClient(t, a, "en")
	en.signInClinician(web.RoleClinician)
	// The apps' language wins over a stale lang in the query.
	mustContain(t, "dashboard en", en.get("/app/population?lang=vi"), 200, "Population health", "Control rate", `lang="en"`)

	res, err := doc.http.Get(doc.srv.URL + "/app/population?format=csv&by=age")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(res)
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("csv: Content-Type %q", ct)
	}
	if !strings.HasPrefix(body, "key,label,population,") {
		t.Errorf("csv: got %q", snippet(body))
	}

	mustContain(t, "bad month", doc.get("/app/population?month=2026-13"), 400, "Yêu cầu không hợp lệ")

	ph := newClient(t, a, "vi")
	ph.signInClinician(web.RolePharmacist)
	if r := ph.get("/app/population"); r.status != http.StatusForbidden {
		t.Errorf("pharmacist: status %d, want 403", r.status)
	}
	if r := ph.get("/app/pharmacy"); strings.Contains(r.body, "/app/population") {
		t.Error("pharmacist sees the population link")
	}
}

// roleIdentity stands in for auth: X-Test-Role names the apps' role and
// X-Test-Population the dashboard right.
type roleIdentity struct{}

func (roleIdentity) UserFromRequest(r *http.Request) (*web.User, bool) {
	role := r.Header.Get("X-Test-Role")
	if role == "" {
		return nil, false
	}
	return &web.User{ID: "Practitioner/x", Name: "Test", Role: role, Population: r.Header.Get("X-Test-Population") == "1"}, true
}

func TestPopulationRoles(t *testing.T) {
	a, err := webtest.NewApp(webtest.Options{Patients: 10, Identity: roleIdentity{}})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, a, "vi")
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	tests := []struct {
		role, population, path string
		wantStatus             int
		wantLocation           string
	}{
		{web.RoleResearcher, "1", "/app/population", 200, ""},
		{web.RoleAdmin, "1", "/app/population", 200, ""},
		{web.RoleClinician, "1", "/app/population", 200, ""}, // doctor, station staff
		{web.RoleClinician, "", "/app/population", 403, ""},  // nurse, community worker
		{web.RolePharmacist, "", "/app/population", 403, ""},
		{web.RolePatient, "", "/app/population", 403, ""},
		// Researchers and administrators see no patient records: the
		// dashboard is their start page.
		{web.RoleResearcher, "1", "/app", 303, "/app/population"},
		{web.RoleAdmin, "1", "/app/patients?q=nguyen", 303, "/app/population"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", c.srv.URL+tt.path, nil)
		req.Header.Set("X-Test-Role", tt.role)
		req.Header.Set("X-Test-Population", tt.population)
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(res)
		res.Body.Close()
		if res.StatusCode != tt.wantStatus {
			t.Errorf("%s (population %q) GET %s: status %d, want %d", tt.role, tt.population, tt.path, res.StatusCode, tt.wantStatus)
		}
		if got := res.Header.Get("Location"); got != tt.wantLocation {
			t.Errorf("%s GET %s: Location %q, want %q", tt.role, tt.path, got, tt.wantLocation)
		}
		if tt.wantStatus == 200 {
			navFind := strings.Contains(body, `href="/app/worklists"`)
			if want := tt.role == web.RoleClinician; navFind != want {
				t.Errorf("%s: patient navigation shown %v, want %v", tt.role, navFind, want)
			}
		}
	}
}
