package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// benchPage measures one page served in-process (handler, store reads,
// adherence arithmetic, template) for a signed-in demo user.
func benchPage(b *testing.B, signin, path string, form url.Values) {
	a := testApp(b)
	c := newClient(b, a, "vi")
	id := patientOnMeds(b, c)
	form.Set("patient", id)
	c.post(signin, form)
	var cookies []string
	for _, ck := range c.http.Jar.Cookies(mustURL(b, c.srv.URL)) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	path = strings.ReplaceAll(path, "{id}", id)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
		w := httptest.NewRecorder()
		a.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: status %d", path, w.Code)
		}
	}
}

func BenchmarkSummary(b *testing.B) {
	benchPage(b, "/app/signin", "/app/patients/{id}", url.Values{"role": {"clinician"}})
}

func BenchmarkPatientToday(b *testing.B) {
	benchPage(b, "/me/signin", "/me", url.Values{"role": {"patient"}})
}

func BenchmarkFindByName(b *testing.B) {
	benchPage(b, "/app/signin", "/app/patients?q=nguyen", url.Values{"role": {"clinician"}})
}

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
