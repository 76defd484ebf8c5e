package web_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/web"
	"github.com/sen-emr/sen/internal/web/webtest"
)

// fakeAuth knows two accounts with password "pw".
type fakeAuth struct{ patient string }

func (f fakeAuth) SignIn(r *http.Request, username, password, otp string) (string, error) {
	if password == "pw" && (username == "lan" || username == "tu") {
		return "acct-" + username, nil
	}
	return "", errors.New("no")
}

func (f fakeAuth) Account(r *http.Request, id string) (*web.User, *http.Request, error) {
	switch id {
	case "acct-lan":
		return &web.User{ID: "Practitioner/1", Name: "BS Lan", Role: web.RoleClinician}, r, nil
	case "acct-tu":
		return &web.User{ID: "Patient/" + f.patient, Name: "Ông Tư", Role: web.RolePatient, Patients: []string{f.patient}}, r, nil
	}
	return nil, r, errors.New("gone")
}

func TestSignInForm(t *testing.T) {
	pid := patientOnMeds(t, newClient(t, testApp(t), "vi"))
	a, err := webtest.NewApp(webtest.Options{Patients: 40, Auth: fakeAuth{patient: pid}})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, a, "vi")
	r := c.get("/app")
	mustContain(t, "form", r, 200, `name="username"`, `type="password"`, "Tên đăng nhập")
	if strings.Contains(r.body, "Không xác thực") {
		t.Error("no-auth banner shown with an authenticator")
	}
	mustContain(t, "wrong password", c.post("/app/signin", url.Values{"username": {"lan"}, "password": {"x"}}), 401, "không đúng")
	r = c.post("/app/signin", url.Values{"username": {"lan"}, "password": {"pw"}, "next": {"/app/worklists"}})
	mustContain(t, "signed in", r, 200, "BS Lan", "Danh sách việc")
	if !strings.HasPrefix(r.url, "/app/worklists") {
		t.Errorf("after sign-in at %s, want /app/worklists", r.url)
	}

	// A tampered cookie is no session.
	u, _ := url.Parse(c.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "sen_session" {
			parts := strings.Split(ck.Value, ".")
			forged := "YWNjdC10dQ." + parts[1] + "." + parts[2] // "acct-tu" with lan's signature
			req, _ := http.NewRequest("GET", c.srv.URL+"/me", nil)
			req.Header.Set("Cookie", "sen_session="+forged)
			nc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := nc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				t.Errorf("forged session: status %d, want a redirect to sign-in", res.StatusCode)
			}
		}
	}

	c.post("/app/signout", url.Values{})
	if r := c.get("/app"); !strings.Contains(r.body, `name="username"`) {
		t.Error("still signed in after sign-out")
	}

	p := newClient(t, a, "en")
	mustContain(t, "patient signed in", p.post("/me/signin", url.Values{"username": {"tu"}, "password": {"pw"}}), 200, "Hello, ", "Taken")
}
