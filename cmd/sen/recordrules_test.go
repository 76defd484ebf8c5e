package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// testApp is a Sen wired as sen serve wires it, behind an httptest server.
type testApp struct {
	*app
	srv *httptest.Server
}

// newTestApp opens an app over a fresh data directory. edit may change
// the flags first (access windows, BHYT sending …).
func newTestApp(tb testing.TB, edit func(*serverFlags)) *testApp {
	tb.Helper()
	f := &serverFlags{addr: "127.0.0.1:0", dataDir: tb.TempDir(), db: "sqlite", maxBodyBytes: 1 << 20, shutdownWait: time.Second}
	if edit != nil {
		edit(f)
	}
	a, err := openApp(context.Background(), f, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(a.close)
	srv := httptest.NewServer(a.handler)
	tb.Cleanup(srv.Close)
	return &testApp{app: a, srv: srv}
}

// put stores resources directly (indexed), bypassing every guard.
func (a *testApp) put(tb testing.TB, bodies ...string) {
	tb.Helper()
	ctx := context.Background()
	err := a.store.Update(ctx, func(tx store.Tx) error {
		for _, b := range bodies {
			var h struct{ ResourceType, ID string }
			if err := json.Unmarshal([]byte(b), &h); err != nil {
				return err
			}
			idx, err := a.indexer.Index(h.ResourceType, []byte(b))
			if err != nil {
				return err
			}
			if _, err := tx.Put(ctx, store.Write{Type: h.ResourceType, ID: h.ID, JSON: []byte(b), Index: idx}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// login adds a user of role in organisation hA and returns an access
// token from the SMART code flow with PKCE.
func (a *testApp) login(tb testing.TB, username string, role auth.Role) string {
	tb.Helper()
	ctx := context.Background()
	hash, _ := auth.HashPassword("mat-khau-rat-dai")
	if err := a.sec.acc.AddUser(ctx, &auth.User{Username: username, Name: username, Role: role, FHIRUser: "Practitioner/" + username,
		Organization: "Organization/hA", PasswordHash: hash}); err != nil {
		tb.Fatal(err)
	}
	if err := a.sec.acc.AddClient(ctx, &auth.Client{ID: "app-" + username, Name: "test", RedirectURIs: []string{"http://app.test/cb"},
		Scopes: "openid fhirUser user/*.cruds"}); err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	v := url.Values{"response_type": {"code"}, "client_id": {"app-" + username}, "redirect_uri": {"http://app.test/cb"},
		"scope": {"openid fhirUser user/*.cruds"}, "state": {"s"}, "aud": {a.srv.URL + "/fhir"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"username": {username}, "password": {"mat-khau-rat-dai"}}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(a.srv.URL+"/auth/authorize", v)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if resp.StatusCode != http.StatusFound || code == "" {
		tb.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	resp, err = http.PostForm(a.srv.URL+"/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {"http://app.test/cb"}, "client_id": {"app-" + username}, "code_verifier": {verifier}})
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		tb.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// do sends a FHIR request and returns the status and body.
func (a *testApp) do(tb testing.TB, method, path, token string, header map[string]string, body string) (int, string) {
	tb.Helper()
	req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// auditEvents returns the stored AuditEvents whose JSON contains s.
func (a *testApp) auditEvents(tb testing.TB, s string) []string {
	tb.Helper()
	ctx := context.Background()
	if err := a.sec.audit.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	page, err := a.store.Search(ctx, &search.Query{Type: "AuditEvent", Count: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, r := range page.Resources {
		if strings.Contains(string(r.JSON), s) {
			out = append(out, string(r.JSON))
		}
	}
	return out
}

var rulesFixture = []string{
	`{"resourceType":"Organization","id":"hA","name":"Bệnh viện A"}`,
	`{"resourceType":"Patient","id":"p1","name":[{"family":"Nguyễn","given":["Văn","Một"]}],"managingOrganization":{"reference":"Organization/hA"}}`,
}

// Access windows over HTTP: a nurse limited to day shifts is refused at
// night with a 403 naming the window (and audited), passes in the day,
// and passes at night when she breaks the glass with a reason (audited
// with it); a doctor without windows is never refused.
func TestAccessWindowsOverHTTP(t *testing.T) {
	a := newTestApp(t, func(f *serverFlags) {
		f.rules.accessWindows = []string{"nurse=07:00-19:00 mon-sat; researcher=never"}
	})
	ict := time.FixedZone("ICT", 7*3600)
	clock := time.Date(2026, 6, 1, 23, 30, 0, 0, ict) // Monday 23:30
	a.sec.now = func() time.Time { return clock }
	a.put(t, rulesFixture...)
	nurse := a.login(t, "dd.binh", auth.RoleNurse)
	doctor := a.login(t, "bs.an", auth.RoleDoctor)

	tests := []struct {
		name    string
		at      time.Time
		token   string
		header  map[string]string
		want    int
		wantMsg []string
	}{
		{"nurse at night", clock, nurse, nil, 403, []string{"07:00-19:00 mon,tue,wed,thu,fri,sat", "ngoài khung giờ", "outside its access window"}},
		{"nurse in the day", clock.Add(-12 * time.Hour), nurse, nil, 200, nil},
		{"nurse on Sunday", clock.Add(6*24*time.Hour - 12*time.Hour), nurse, nil, 403, []string{"outside its access window"}},
		{"nurse at night, break-glass with a reason", clock, nurse, map[string]string{breakGlassHeader: "Người bệnh ngừng tim, cần xem thuốc đang dùng"}, 200, nil},
		{"nurse at night, break-glass without a real reason", clock, nurse, map[string]string{breakGlassHeader: "gấp"}, 400, []string{"10"}},
		{"doctor at night", clock, doctor, nil, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock = tt.at
			status, body := a.do(t, "GET", "/fhir/Patient/p1", tt.token, tt.header, "")
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, body)
			}
			if status >= 400 && !strings.Contains(body, `"resourceType":"OperationOutcome"`) {
				t.Errorf("refusal is not an OperationOutcome: %s", body)
			}
			for _, w := range tt.wantMsg {
				if !strings.Contains(body, w) {
					t.Errorf("answer lacks %q: %s", w, body)
				}
			}
		})
	}
	clock = time.Date(2026, 6, 1, 23, 30, 0, 0, ict)
	// A write outside the window is refused before anything is stored.
	status, body := a.do(t, "PUT", "/fhir/Patient/p1", nurse, nil, `{"resourceType":"Patient","id":"p1","gender":"male","managingOrganization":{"reference":"Organization/hA"}}`)
	if status != 403 {
		t.Fatalf("night write: %d %s", status, body)
	}
	if p, _ := a.store.Read(context.Background(), "Patient", "p1"); p.VersionID != 1 {
		t.Fatalf("refused write stored version %d", p.VersionID)
	}
	if got := a.auditEvents(t, "outside its access window"); len(got) < 3 {
		t.Errorf("%d refusals audited, want at least 3 (night read, Sunday read, night write)", len(got))
	}
	got := a.auditEvents(t, "Người bệnh ngừng tim")
	if len(got) != 1 || !strings.Contains(got[0], "BTG") {
		t.Errorf("break-glass audit events %v: want one with purpose BTG and the reason", got)
	}
}
