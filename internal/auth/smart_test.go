package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/consent"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// stack is a whole Sen over httptest: store, guard, REST handler, audit
// writer and authorization server.
type stack struct {
	srv    *httptest.Server
	acc    *Accounts
	audit  *audit.Writer
	head   *audit.MemoryAnchor
	raw    store.Store
	verify func() *audit.Report
}

func newStack(tb testing.TB) *stack { tb.Helper(); return newStackWith(tb, nil) }

// newStackWith is newStack with a last say on the authorizer's Config.
func newStackWith(tb testing.TB, configure func(*Config)) *stack {
	tb.Helper()
	ctx := context.Background()
	m, ix := testModel(tb)
	st := openStore(tb)
	load(tb, st, policyFixture...)
	db, err := sql.Open("sqlite", filepath.Join(tb.TempDir(), "auth.db"))
	if err != nil {
		tb.Fatal(err)
	}
	acc, err := OpenAccounts(ctx, db, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { acc.Close() })
	keys, err := OpenKeys(ctx, acc)
	if err != nil {
		tb.Fatal(err)
	}
	anchor := &audit.MemoryAnchor{}
	aw, err := audit.Open(ctx, audit.Config{Store: st, Indexer: ix, Anchor: anchor})
	if err != nil {
		tb.Fatal(err)
	}
	bg := consent.NewBreakGlass(nil, time.Hour)
	guard := &Guard{Store: st, Indexer: ix, Compartments: m, Policy: &Policy{BreakGlass: bg}}
	h := rest.New(rest.Config{Store: guard, Indexer: ix, Model: m,
		Parser: rest.QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(m, typ, params, strict)
		})})
	cfg := Config{Accounts: acc, Keys: keys, BreakGlass: bg, Audit: aw, Store: st}
	if configure != nil {
		configure(&cfg)
	}
	az := New(cfg)
	srv := httptest.NewServer(az.Middleware(h))
	tb.Cleanup(srv.Close)
	tb.Cleanup(func() { aw.Close(context.Background()) })
	s := &stack{srv: srv, acc: acc, audit: aw, head: anchor, raw: st}
	s.verify = func() *audit.Report {
		if err := aw.Flush(ctx); err != nil {
			tb.Fatal(err)
		}
		h := aw.Head()
		rep, err := audit.Verify(ctx, st, &h)
		if err != nil {
			tb.Fatal(err)
		}
		return rep
	}
	for _, u := range []*User{
		{Username: "bs.an", Name: "BS. Trần Văn An", Role: RoleDoctor, FHIRUser: "Practitioner/dA", PractitionerRole: "PractitionerRole/rA", Organization: "Organization/hA"},
		{Username: "mot", Name: "Nguyễn Văn Một", Role: RolePatient, FHIRUser: "Patient/p1", Patients: []string{"p1"}},
	} {
		u.PasswordHash, _ = HashPassword("mat-khau-rat-dai")
		if err := acc.AddUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
	}
	if err := acc.AddClient(ctx, &Client{ID: "app", Name: "Ứng dụng thử", RedirectURIs: []string{"http://app.test/cb"},
		Scopes: "openid fhirUser launch launch/patient offline_access patient/*.cruds user/*.cruds"}); err != nil {
		tb.Fatal(err)
	}
	return s
}

// client is an http.Client that does not follow redirects.
func noRedirect() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func pkce() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize runs the browser part of the code flow and returns the code.
func (s *stack) authorize(tb testing.TB, user, scope, launch, challenge string) string {
	tb.Helper()
	v := url.Values{"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {"http://app.test/cb"}, "scope": {scope},
		"state": {"xyz"}, "aud": {s.srv.URL + "/fhir"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	if launch != "" {
		v.Set("launch", launch)
	}
	resp, err := noRedirect().Get(s.srv.URL + "/auth/authorize?" + v.Encode())
	if err != nil {
		tb.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Mật khẩu / Password") {
		tb.Fatalf("authorize form: %d %s", resp.StatusCode, page)
	}
	v.Set("username", user)
	v.Set("password", "mat-khau-rat-dai")
	resp, err = noRedirect().PostForm(s.srv.URL+"/auth/authorize", v)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		tb.Fatalf("authorize submit: got %d, want 302", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("state") != "xyz" || loc.Query().Get("code") == "" {
		tb.Fatalf("redirect %s lacks code or state", loc)
	}
	return loc.Query().Get("code")
}

func (s *stack) tokenReq(tb testing.TB, v url.Values) (int, map[string]any) {
	tb.Helper()
	resp, err := http.PostForm(s.srv.URL+"/auth/token", v)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func (s *stack) get(tb testing.TB, token, path string) (int, map[string]any) {
	tb.Helper()
	req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func (s *stack) post(tb testing.TB, token, path, body string) (int, map[string]any) {
	tb.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func entryIDs(bundle map[string]any) []string {
	var ids []string
	entries, _ := bundle["entry"].([]any)
	for _, e := range entries {
		res := e.(map[string]any)["resource"].(map[string]any)
		if res["resourceType"] == "OperationOutcome" {
			continue
		}
		ids = append(ids, res["id"].(string))
	}
	return ids
}

func TestUnauthenticatedOnlyMetadataAndDiscovery(t *testing.T) {
	s := newStack(t)
	tests := []struct {
		path string
		want int
	}{
		{"/fhir/metadata", 200},
		{"/.well-known/smart-configuration", 200},
		{"/auth/jwks", 200},
		{"/fhir/Patient", 401},
		{"/fhir/Patient/p1", 401},
		{"/fhir", 401},
		{"/fhir/_history", 401},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, body := s.get(t, "", tt.path)
			if got != tt.want {
				t.Fatalf("status: got %d, want %d", got, tt.want)
			}
			if tt.want == 401 && body["resourceType"] != "OperationOutcome" {
				t.Fatalf("401 body is not an OperationOutcome: %v", body)
			}
		})
	}
	if got, _ := s.get(t, "not.a.token", "/fhir/Patient"); got != 401 {
		t.Fatalf("garbage token: got %d, want 401", got)
	}
	_, conf := s.get(t, "", "/.well-known/smart-configuration")
	if conf["token_endpoint"] != s.srv.URL+"/auth/token" {
		t.Fatalf("token_endpoint: %v", conf["token_endpoint"])
	}
}

func TestStandaloneLaunchPKCERefreshRotation(t *testing.T) {
	s := newStack(t)
	verifier, challenge := pkce()
	code := s.authorize(t, "mot", "openid fhirUser launch/patient offline_access patient/*.rs", "", challenge)
	base := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://app.test/cb"}, "client_id": {"app"}}

	// A wrong verifier fails and burns the code.
	bad := url.Values{}
	for k, v := range base {
		bad[k] = v
	}
	bad.Set("code_verifier", strings.Repeat("x", 43))
	if st, m := s.tokenReq(t, bad); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", st, m)
	}
	code = s.authorize(t, "mot", "openid fhirUser launch/patient offline_access patient/*.rs", "", challenge)
	base.Set("code", code)
	base.Set("code_verifier", verifier)
	st, tok := s.tokenReq(t, base)
	if st != 200 {
		t.Fatalf("code exchange: %d %v", st, tok)
	}
	if tok["patient"] != "p1" || tok["refresh_token"] == nil || tok["id_token"] == nil {
		t.Fatalf("token response lacks patient, refresh or id token: %v", tok)
	}
	if st, _ := s.tokenReq(t, base); st != 400 {
		t.Fatalf("code reuse: got %d, want 400", st)
	}
	at := tok["access_token"].(string)
	st, bundle := s.get(t, at, "/fhir/Observation")
	if st != 200 {
		t.Fatalf("search: %d %v", st, bundle)
	}
	if got := entryIDs(bundle); !sameSet(got, []string{"o1"}) {
		t.Fatalf("patient sees %v, want [o1]", got)
	}
	if st, _ := s.get(t, at, "/fhir/Observation/o2"); st != 403 {
		t.Fatalf("other patient's observation: got %d, want 403", st)
	}
	if st, _ := s.post(t, at, "/fhir/Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p1"}}`); st != 403 {
		t.Fatalf("write with read-only scopes: got %d, want 403", st)
	}

	// Refresh rotates; the old token then fails and revokes the new one too.
	rt1 := tok["refresh_token"].(string)
	st, tok2 := s.tokenReq(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt1}, "client_id": {"app"}})
	if st != 200 || tok2["refresh_token"] == rt1 || tok2["patient"] != "p1" {
		t.Fatalf("refresh: %d %v", st, tok2)
	}
	rt2 := tok2["refresh_token"].(string)
	if st, _ := s.tokenReq(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt1}, "client_id": {"app"}}); st != 400 {
		t.Fatalf("reused refresh token: got %d, want 400", st)
	}
	if st, _ := s.tokenReq(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt2}, "client_id": {"app"}}); st != 400 {
		t.Fatalf("refresh token of a revoked family: got %d, want 400", st)
	}

	// Revocation endpoint.
	code = s.authorize(t, "mot", "offline_access patient/*.rs", "", challenge)
	base.Set("code", code)
	_, tok3 := s.tokenReq(t, base)
	rt3 := tok3["refresh_token"].(string)
	resp, err := http.PostForm(s.srv.URL+"/auth/revoke", url.Values{"token": {rt3}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	resp.Body.Close()
	if st, _ := s.tokenReq(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt3}, "client_id": {"app"}}); st != 400 {
		t.Fatalf("revoked refresh token: got %d, want 400", st)
	}

	if rep := s.verify(); !rep.OK() || rep.Events < 5 {
		t.Fatalf("audit chain: %d events, problems %v", rep.Events, rep.Problems)
	}
}

func TestAuthorizeRejectsBadRequests(t *testing.T) {
	s := newStack(t)
	_, challenge := pkce()
	ok := url.Values{"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {"http://app.test/cb"}, "scope": {"patient/*.rs"},
		"aud": {s.srv.URL + "/fhir"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	tests := []struct {
		name, key, value string
		wantStatus       int
		wantErr          string // in the redirect's error parameter
	}{
		{"no PKCE", "code_challenge", "", 302, "invalid_request"},
		{"plain PKCE", "code_challenge_method", "plain", 302, "invalid_request"},
		{"wrong aud", "aud", "http://elsewhere/fhir", 302, "invalid_request"},
		{"unknown client", "client_id", "nope", 400, ""},
		{"unregistered redirect", "redirect_uri", "http://evil.test/cb", 400, ""},
		{"system scope", "scope", "system/*.rs", 302, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{}
			for k, x := range ok {
				v[k] = x
			}
			v.Set(tt.key, tt.value)
			resp, err := noRedirect().Get(s.srv.URL + "/auth/authorize?" + v.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantErr != "" {
				loc, _ := url.Parse(resp.Header.Get("Location"))
				if !strings.HasPrefix(loc.Query().Get("error"), tt.wantErr) {
					t.Fatalf("error: got %q, want %q", loc.Query().Get("error"), tt.wantErr)
				}
			}
		})
	}
	// Wrong password: the form again, 401.
	v := url.Values{}
	for k, x := range ok {
		v[k] = x
	}
	v.Set("username", "mot")
	v.Set("password", "wrong-password-123")
	resp, err := noRedirect().PostForm(s.srv.URL+"/auth/authorize", v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("wrong password: got %d, want 401", resp.StatusCode)
	}
}

// clinicianToken logs the doctor in with user/ scopes.
func (s *stack) clinicianToken(tb testing.TB, launch string) map[string]any {
	tb.Helper()
	verifier, challenge := pkce()
	scope := "openid fhirUser user/*.cruds"
	if launch != "" {
		scope = "launch patient/*.rs"
	}
	code := s.authorize(tb, "bs.an", scope, launch, challenge)
	st, tok := s.tokenReq(tb, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://app.test/cb"},
		"client_id": {"app"}, "code_verifier": {verifier}})
	if st != 200 {
		tb.Fatalf("clinician token: %d %v", st, tok)
	}
	return tok
}

func TestEHRLaunchAndBreakGlass(t *testing.T) {
	s := newStack(t)
	tok := s.clinicianToken(t, "")
	at := tok["access_token"].(string)

	// EHR launch with p2 in context: the app sees p2's data only.
	st, l := s.post(t, at, "/auth/launch", `{"patient":"p2"}`)
	if st != 201 {
		t.Fatalf("launch: %d %v", st, l)
	}
	app := s.clinicianToken(t, l["launch"].(string))
	if app["patient"] != "p2" {
		t.Fatalf("launch context: got %v, want p2", app["patient"])
	}
	_, bundle := s.get(t, app["access_token"].(string), "/fhir/Observation")
	if got := entryIDs(bundle); !sameSet(got, []string{"o2"}) {
		t.Fatalf("launched app sees %v, want [o2]", got)
	}

	// The doctor's own search: care team (p2) and consent (p3).
	_, bundle = s.get(t, at, "/fhir/Observation")
	if got := entryIDs(bundle); !sameSet(got, []string{"o2", "o3"}) {
		t.Fatalf("doctor sees %v, want [o2 o3]", got)
	}
	// p4: refused, then break-glass with a reason, then allowed.
	if st, _ := s.get(t, at, "/fhir/Observation/o4"); st != 403 {
		t.Fatalf("before break-glass: got %d, want 403", st)
	}
	if st, _ := s.post(t, at, "/auth/break-glass", `{"patient":"p4","reason":"x"}`); st != 400 {
		t.Fatalf("break-glass without a real reason: got %d, want 400", st)
	}
	if st, m := s.post(t, at, "/auth/break-glass", `{"patient":"p4","reason":"Cấp cứu: người bệnh bất tỉnh, cần tiền sử thuốc"}`); st != 201 {
		t.Fatalf("break-glass: %d %v", st, m)
	}
	if st, _ := s.get(t, at, "/fhir/Observation/o4"); st != 200 {
		t.Fatalf("after break-glass: got %d, want 200", st)
	}
	if rep := s.verify(); !rep.OK() {
		t.Fatalf("audit chain: %v", rep.Problems)
	}

	// The patient sees the emergency access in their access log.
	verifier, challenge := pkce()
	code := s.authorize(t, "mot", "patient/*.rs", "", challenge)
	_, ptok := s.tokenReq(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://app.test/cb"},
		"client_id": {"app"}, "code_verifier": {verifier}})
	// p1 was not touched by the doctor; log in as p1 and check that the
	// log holds no one else, then check p4's log through the store.
	st, log := s.get(t, ptok["access_token"].(string), "/auth/access-log?lang=en")
	if st != 200 {
		t.Fatalf("access log: %d %v", st, log)
	}
	entries, err := audit.AccessLog(context.Background(), s.auditStore(t), "p4", "vi", 10)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.BreakGlass && strings.Contains(e.Text, "truy cập khẩn cấp") && strings.Contains(e.Text, "BS. Trần Văn An") {
			found = true
		}
	}
	if !found {
		t.Fatalf("p4's access log lacks the break-glass access: %+v", entries)
	}
}

func TestBackendServices(t *testing.T) {
	s := newStack(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS384", Use: "sig"}}}
	jwks, _ := json.Marshal(pub)
	if err := s.acc.AddClient(context.Background(), &Client{ID: "bulk", Name: "Kho dữ liệu", Scopes: "system/*.rs", JWKS: string(jwks)}); err != nil {
		t.Fatal(err)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS384, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	assertion := func(aud, jti string, ttl time.Duration) string {
		now := time.Now()
		raw, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: "bulk", Subject: "bulk", Audience: jwt.Audience{aud}, ID: jti,
			Expiry: jwt.NewNumericDate(now.Add(ttl)), IssuedAt: jwt.NewNumericDate(now)}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	tokenURL := s.srv.URL + "/auth/token"
	req := func(a, scope string) (int, map[string]any) {
		return s.tokenReq(t, url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
			"client_assertion_type": {assertionType}, "client_assertion": {a}})
	}
	good := assertion(tokenURL, "j1", 4*time.Minute)
	st, tok := req(good, "system/Observation.rs system/Patient.cruds")
	if st != 200 || tok["scope"] != "system/Observation.rs system/Patient.rs" {
		t.Fatalf("client_credentials: %d %v", st, tok)
	}
	tests := []struct {
		name      string
		assertion string
		scope     string
		want      int
	}{
		{"replayed jti", good, "system/*.rs", 401},
		{"wrong audience", assertion("http://elsewhere/token", "j2", 4*time.Minute), "system/*.rs", 401},
		{"too long-lived", assertion(tokenURL, "j3", time.Hour), "system/*.rs", 401},
		{"expired", assertion(tokenURL, "j4", -time.Minute), "system/*.rs", 401},
		{"user scope", assertion(tokenURL, "j5", 4*time.Minute), "user/*.rs", 400},
		{"not a JWT", "abc", "system/*.rs", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if st, m := req(tt.assertion, tt.scope); st != tt.want {
				t.Fatalf("got %d %v, want %d", st, m, tt.want)
			}
		})
	}
	at := tok["access_token"].(string)
	_, bundle := s.get(t, at, "/fhir/Observation")
	if got := entryIDs(bundle); len(got) != 5 {
		t.Fatalf("backend service sees %v, want all 5 observations", got)
	}
	if st, _ := s.get(t, at, "/fhir/Condition"); st != 403 {
		t.Fatalf("type outside scopes: got %d, want 403", st)
	}
}
