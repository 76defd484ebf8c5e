package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/web/webtest"
)

var (
	appOnce sync.Once
	app     *webtest.App
	appErr  error
)

// testApp is one synthetic population shared by the tests that only read
// it or add to it (generating and indexing it takes a few seconds).
func testApp(tb testing.TB) *webtest.App {
	tb.Helper()
	appOnce.Do(func() { app, appErr = webtest.NewApp(webtest.Options{Patients: 40}) })
	if appErr != nil {
		tb.Fatal(appErr)
	}
	return app
}

// client is a browser stand-in: cookies, no redirect following unless
// asked, a language.
type client struct {
	tb   testing.TB
	srv  *httptest.Server
	http *http.Client
	lang string
}

func newClient(tb testing.TB, a *webtest.App, lang string) *client {
	tb.Helper()
	srv := httptest.NewServer(a.Handler)
	tb.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return &client{tb: tb, srv: srv, lang: lang, http: &http.Client{Jar: jar}}
}

type response struct {
	status int
	body   string
	url    string
}

func (c *client) do(method, path string, form url.Values) response {
	c.tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		c.tb.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.srv.URL)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b), url: res.Request.URL.Path + "?" + res.Request.URL.RawQuery}
}

func (c *client) get(path string) response { c.tb.Helper(); return c.do("GET", path, nil) }

func (c *client) post(path string, form url.Values) response {
	c.tb.Helper()
	return c.do("POST", path, form)
}

// signInClinician uses the no-auth demo picker.
func (c *client) signInClinician(role string) {
	c.tb.Helper()
	r := c.post("/app/signin", url.Values{"role": {role}, "name": {"Bác sĩ Thử"}})
	if r.status != 200 {
		c.tb.Fatalf("sign in as %s: status %d", role, r.status)
	}
}

func (c *client) signInPatient(id, role string) {
	c.tb.Helper()
	r := c.post("/me/signin", url.Values{"role": {role}, "patient": {id}})
	if r.status != 200 {
		c.tb.Fatalf("sign in as %s of %s: status %d: %s", role, id, r.status, r.body)
	}
}

// mustContain fails for each want missing from body, and for any
// untranslated message id ("[some.id]").
func mustContain(tb testing.TB, what string, r response, wantStatus int, wants ...string) {
	tb.Helper()
	if r.status != wantStatus {
		tb.Errorf("%s: status %d, want %d\n%s", what, r.status, wantStatus, snippet(r.body))
	}
	for _, w := range wants {
		if !strings.Contains(r.body, w) {
			tb.Errorf("%s: body lacks %q\n%s", what, w, snippet(r.body))
		}
	}
	if m := untranslated.FindString(r.body); m != "" {
		tb.Errorf("%s: untranslated message %s", what, m)
	}
}

func snippet(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}

func regexpMust(p string) *regexp.Regexp { return regexp.MustCompile(p) }

func readBody(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
