package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// fakeIdP is a tiny OpenID provider: discovery, JWKS, an authorization
// endpoint that signs the person in at once, and a token endpoint that
// checks the client secret and PKCE and signs an ID token.
type fakeIdP struct {
	srv    *httptest.Server
	key    *rsa.PrivateKey
	signer jose.Signer

	mu      sync.Mutex
	pending map[string]url.Values // code -> authorization request
	// who signs in next
	subject, email string
	verified       bool
	badNonce       bool
}

func newFakeIdP(tb testing.TB) *fakeIdP {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	f := &fakeIdP{key: key, signer: signer, pending: map[string]url.Values{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize",
			"token_endpoint": f.srv.URL + "/token", "jwks_uri": f.srv.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != "sen" || q.Get("code_challenge_method") != "S256" {
			http.Error(w, "bad request", 400)
			return
		}
		code := randomToken(12)
		f.mu.Lock()
		f.pending[code] = q
		f.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		f.mu.Lock()
		req, found := f.pending[r.PostForm.Get("code")]
		delete(f.pending, r.PostForm.Get("code"))
		f.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if id != "sen" || secret != "s3cret" || !found || base64.RawURLEncoding.EncodeToString(sum[:]) != req.Get("code_challenge") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		nonce := req.Get("nonce")
		if f.badNonce {
			nonce = "another"
		}
		now := time.Now()
		claims := map[string]any{"iss": f.srv.URL, "sub": f.subject, "aud": "sen", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
			"nonce": nonce, "email": f.email, "email_verified": f.verified, "name": "Lan"}
		raw, err := jwt.Signed(f.signer).Claims(claims).Serialize()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": raw})
	})
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.srv.Close)
	return f
}

// TestOIDCSignIn runs the SMART code flow with the person signing in at
// the fake provider instead of typing a Sen password.
func TestOIDCSignIn(t *testing.T) {
	idp := newFakeIdP(t)
	login, err := NewOIDCLogin(context.Background(), OIDCConfig{Issuer: idp.srv.URL, ClientID: "sen", ClientSecret: "s3cret", Name: "Sở Y tế"})
	if err != nil {
		t.Fatal(err)
	}
	s := newStackWith(t, func(c *Config) { c.OIDC = login })
	ctx := context.Background()
	// A doctor whose username is her email, not yet linked; a second
	// account already linked to another identity.
	for _, u := range []*User{
		{Username: "lan@benhvien-a.vn", Name: "BS. Lan", Role: RoleDoctor, FHIRUser: "Practitioner/dA", PractitionerRole: "PractitionerRole/rA", Organization: "Organization/hA"},
		{Username: "hung@benhvien-a.vn", Name: "BS. Hùng", Role: RoleDoctor, Organization: "Organization/hA", OIDCIssuer: idp.srv.URL, OIDCSubject: "other"},
	} {
		if err := s.acc.AddUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}

	// signIn follows the browser's redirects from Sen's login link through
	// the provider and back, stopping at the app's redirect URI.
	signIn := func(t *testing.T) (*http.Response, string) {
		t.Helper()
		verifier, challenge := pkce()
		v := url.Values{"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {"http://app.test/cb"}, "scope": {"openid fhirUser user/*.rs"},
			"state": {"xyz"}, "aud": {s.srv.URL + "/fhir"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if r.URL.Host == "app.test" {
				return http.ErrUseLastResponse
			}
			return nil
		}}
		resp, err := c.Get(s.srv.URL + "/auth/oidc/login?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp, verifier
	}

	tests := []struct {
		name     string
		subject  string
		email    string
		verified bool
		badNonce bool
		want     int // final status: 302 to the app, or the refusal
	}{
		{"unknown person", "ext-9", "nobody@example.vn", true, false, http.StatusForbidden},
		{"unverified email is not trusted", "ext-1", "lan@benhvien-a.vn", false, false, http.StatusForbidden},
		{"verified email links the account", "ext-1", "LAN@benhvien-a.vn", true, false, http.StatusFound},
		{"linked subject signs in whatever the email", "ext-1", "changed@example.vn", true, false, http.StatusFound},
		{"email of an account linked elsewhere", "ext-2", "hung@benhvien-a.vn", true, false, http.StatusForbidden},
		{"wrong nonce", "ext-1", "lan@benhvien-a.vn", true, true, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp.subject, idp.email, idp.verified, idp.badNonce = tt.subject, tt.email, tt.verified, tt.badNonce
			resp, verifier := signIn(t)
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d (%s)", resp.StatusCode, tt.want, resp.Request.URL)
			}
			if tt.want != http.StatusFound {
				return
			}
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if loc.Host != "app.test" || loc.Query().Get("state") != "xyz" {
				t.Fatalf("redirect: got %s", loc)
			}
			code, tok := s.tokenReq(t, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
				"redirect_uri": {"http://app.test/cb"}, "client_id": {"app"}, "code_verifier": {verifier}})
			if code != 200 {
				t.Fatalf("token: %d %v", code, tok)
			}
			if at, _ := tok["access_token"].(string); at == "" || strings.Count(at, ".") != 2 {
				t.Fatalf("token response: %v", tok)
			}
			// The token acts as the Sen account: a patient on her care team.
			if st, body := s.get(t, tok["access_token"].(string), "/fhir/Patient/p2"); st != 200 {
				t.Fatalf("read as the linked doctor: %d %v", st, body)
			}
		})
	}
	u, err := s.acc.UserByOIDC(ctx, idp.srv.URL, "ext-1")
	if err != nil || u.Username != "lan@benhvien-a.vn" {
		t.Fatalf("link: got %v %v", u, err)
	}

	t.Run("callback without the browser's state cookie is refused", func(t *testing.T) {
		resp, err := http.Get(s.srv.URL + "/auth/oidc/callback?code=x&state=y")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("got %d, want 400", resp.StatusCode)
		}
	})
}
