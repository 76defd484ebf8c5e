package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/web"
	"github.com/sen-emr/sen/internal/web/webtest"
)

// twoPatients is a caregiver of two patients, known from the request alone.
type twoPatients struct{ ids []string }

func (c twoPatients) UserFromRequest(r *http.Request) (*web.User, bool) {
	return &web.User{ID: "RelatedPerson/1", Name: "Chị Mai", Role: web.RoleCaregiver, Patients: c.ids}, true
}

func TestCaregiverSwitch(t *testing.T) {
	c0 := newClient(t, testApp(t), "vi")
	ids := []string{}
	for _, m := range pickPatient.FindAllStringSubmatch(c0.get("/me/signin").body, -1) {
		if len(ids) < 2 && (len(ids) == 0 || ids[0] != m[1]) {
			ids = append(ids, m[1])
		}
	}
	if len(ids) < 2 {
		t.Skip("fewer than two patients on medicines")
	}
	a, err := webtest.NewApp(webtest.Options{Patients: 40, Identity: twoPatients{ids: ids}})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, a, "vi")
	h1 := regexp.MustCompile(`<h1>([^<]+)</h1>`)
	first := c.get("/me")
	mustContain(t, "first patient", first, 200, "Đang chăm sóc:", "Chuyển sang người khác", "/me/for?id="+ids[1])
	second := c.get("/me/for?id=" + ids[1])
	mustContain(t, "second patient", second, 200, "/me/for?id="+ids[0])
	if h1.FindString(first.body) == h1.FindString(second.body) {
		t.Errorf("switching did not change the patient: %s", h1.FindString(second.body))
	}
	if r := c.get("/me/for?id=someone-else"); r.status != http.StatusForbidden {
		t.Errorf("switch to a stranger: status %d, want 403", r.status)
	}
	if !strings.Contains(c.get("/me/medicines").body, "Thuốc của tôi") {
		t.Error("medicines page after switching")
	}
}
