package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sen-emr/sen/internal/audit"
)

// Sign-in through an external OpenID Connect provider (a hospital's or the
// province's identity service): the SMART authorization page offers it
// beside the password form. Sen stays the authorization server; the
// provider only says who the person is. The person must already have a
// Sen account, which decides their role and what they may see:
//
//   - an account linked to the provider's issuer and subject is used;
//   - otherwise an account whose username is the provider's verified email
//     and that is linked to no provider yet is linked on first sign-in;
//   - anyone else is refused (no account is created from outside).
//
// Protocol work (discovery, code exchange with PKCE, ID token signature,
// issuer, audience, expiry and nonce) is go-oidc's and x/oauth2's.
//
// https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth

// OIDCConfig names the external provider and Sen's registration with it.
type OIDCConfig struct {
	Issuer       string // e.g. https://id.example.vn/realms/sen
	ClientID     string
	ClientSecret string
	// Name is shown on the sign-in page; default: the issuer's host.
	Name string
	// RedirectURL is Sen's callback as registered with the provider;
	// empty: <server base>/auth/oidc/callback from each request.
	RedirectURL string
	// HTTPClient talks to the provider (tests); nil: http.DefaultClient.
	HTTPClient *http.Client
}

// OIDCLogin is a configured external provider. Safe for concurrent use.
type OIDCLogin struct {
	cfg      OIDCConfig
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// NewOIDCLogin discovers the provider (its /.well-known/openid-configuration)
// and returns the login. It fails when the provider cannot be reached or
// announces another issuer.
func NewOIDCLogin(ctx context.Context, cfg OIDCConfig) (*OIDCLogin, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("OIDC sign-in needs an issuer and a client id / cần issuer và client id của nhà cung cấp định danh")
	}
	provider, err := oidc.NewProvider(cfg.clientContext(ctx), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OIDC provider %s: %w", cfg.Issuer, err)
	}
	if cfg.Name == "" {
		if u, err := url.Parse(cfg.Issuer); err == nil {
			cfg.Name = u.Host
		}
	}
	return &OIDCLogin{cfg: cfg, provider: provider, verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID})}, nil
}

// Name is the provider's display name.
func (o *OIDCLogin) Name() string { return o.cfg.Name }

func (c OIDCConfig) clientContext(ctx context.Context) context.Context {
	if c.HTTPClient != nil {
		return oidc.ClientContext(ctx, c.HTTPClient)
	}
	return ctx
}

func (o *OIDCLogin) oauth2(redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: o.provider.Endpoint(),
		RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// oidcState is one external sign-in under way: the SMART authorization
// request it continues, and the values that bind the answer to it.
type oidcState struct {
	authorize url.Values // the SMART authorization request
	nonce     string
	verifier  string // PKCE towards the provider
	redirect  string
	expires   time.Time
}

const oidcCookie = "sen_oidc_state"

func (a *Authorizer) oidcRedirect(r *http.Request) string {
	if a.cfg.OIDC.cfg.RedirectURL != "" {
		return a.cfg.OIDC.cfg.RedirectURL
	}
	return a.base(r) + "/auth/oidc/callback"
}

// oidcLogin (GET /auth/oidc/login?<SMART authorization parameters>)
// checks the authorization request like the authorization endpoint does,
// then sends the browser to the provider.
func (a *Authorizer) oidcLogin(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	req, redirect, err := a.parseAuthRequest(r, v)
	if err != nil {
		if redirect {
			redirectError(w, r, req, err.Error())
			return
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	st := &oidcState{authorize: v, nonce: randomToken(16), verifier: oauth2.GenerateVerifier(),
		redirect: a.oidcRedirect(r), expires: a.now().Add(10 * time.Minute)}
	state := randomToken(24)
	a.mu.Lock()
	a.purgeLocked()
	a.oidc[state] = st
	a.mu.Unlock()
	// The cookie ties the callback to this browser: a callback URL sent to
	// someone else (login CSRF) does not sign them in as the sender.
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state, Path: "/auth/oidc/", MaxAge: 600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, a.cfg.OIDC.oauth2(st.redirect).AuthCodeURL(state, oidc.Nonce(st.nonce), oauth2.S256ChallengeOption(st.verifier)), http.StatusFound)
}

// oidcClaims are the ID token claims Sen uses.
type oidcClaims struct {
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"` // some providers send "true"
	Name          string `json:"name"`
}

func (c oidcClaims) verified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// oidcCallback (GET /auth/oidc/callback?code&state) finishes the external
// sign-in and continues the SMART authorization as that user.
func (a *Authorizer) oidcCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	a.mu.Lock()
	a.purgeLocked()
	st, ok := a.oidc[state]
	delete(a.oidc, state) // single use, whatever happens next
	a.mu.Unlock()
	c, err := r.Cookie(oidcCookie)
	if !ok || state == "" || err != nil || c.Value != state {
		a.oidcRefuse(w, r, "", "unknown, reused or foreign state", http.StatusBadRequest,
			"phiên đăng nhập không hợp lệ hoặc đã hết hạn, hãy thử lại / this sign-in is invalid or has expired, please start again")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1})
	if e := q.Get("error"); e != "" {
		a.oidcRefuse(w, r, "", "provider error "+e, http.StatusUnauthorized, "nhà cung cấp định danh từ chối đăng nhập / the identity provider refused the sign-in")
		return
	}
	ctx := a.cfg.OIDC.cfg.clientContext(r.Context())
	tok, err := a.cfg.OIDC.oauth2(st.redirect).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(st.verifier))
	if err != nil {
		a.log.Warn("oidc code exchange", "err", err)
		a.oidcRefuse(w, r, "", "code exchange failed", http.StatusUnauthorized, "không đổi được mã đăng nhập / the sign-in code was not accepted")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := a.cfg.OIDC.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != st.nonce {
		a.log.Warn("oidc id token", "err", err)
		a.oidcRefuse(w, r, "", "invalid ID token", http.StatusUnauthorized, "thẻ định danh không hợp lệ / invalid ID token")
		return
	}
	var claims oidcClaims
	if err := idt.Claims(&claims); err != nil {
		a.oidcRefuse(w, r, idt.Subject, "unreadable claims", http.StatusUnauthorized, "thẻ định danh không hợp lệ / invalid ID token")
		return
	}
	u, err := a.oidcUser(r.Context(), idt.Issuer, idt.Subject, claims)
	if err != nil {
		a.oidcRefuse(w, r, idt.Subject, err.Error(), http.StatusForbidden,
			"tài khoản này chưa được cấp quyền dùng Sen; hãy liên hệ quản trị viên / this account has no access to Sen; ask your administrator")
		return
	}
	a.record(audit.Event{Time: a.now(), Interaction: "login", Action: audit.ActionExecute, Outcome: http.StatusOK, Agent: u.FHIRUser,
		AgentName: u.Name, AgentRole: string(u.Role), User: u.ID, Address: r.RemoteAddr, Method: r.Method, Path: r.URL.Path,
		Reason: "OpenID Connect " + idt.Issuer})
	req, redirect, err := a.parseAuthRequest(r, st.authorize)
	if err != nil {
		if redirect {
			redirectError(w, r, req, err.Error())
			return
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	patient, err := a.launchPatient(r, u, req, st.authorize.Get("patient"))
	if err != nil {
		a.showLogin(w, st.authorize, req, err.Error(), http.StatusBadRequest)
		return
	}
	a.grantCode(w, r, req, u, patient)
}

// errNoAccount: the external identity matches no Sen account.
var errNoAccount = errors.New("no Sen account for this external identity")

// oidcUser maps an external identity to a Sen account (see the top of the
// file).
func (a *Authorizer) oidcUser(ctx context.Context, issuer, subject string, c oidcClaims) (*User, error) {
	u, err := a.cfg.Accounts.UserByOIDC(ctx, issuer, subject)
	if errors.Is(err, ErrNotFound) && c.Email != "" && c.verified() {
		u, err = a.cfg.Accounts.UserByName(ctx, strings.ToLower(c.Email))
		if err == nil {
			if u.OIDCSubject != "" {
				return nil, fmt.Errorf("account %s is linked to another external identity", u.Username)
			}
			if err := a.cfg.Accounts.LinkOIDC(ctx, u.Username, issuer, subject); err != nil {
				return nil, err
			}
			a.log.Info("external identity linked", "user", u.Username, "issuer", issuer)
		}
	}
	if errors.Is(err, ErrNotFound) {
		return nil, errNoAccount
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, errors.New("account disabled")
	}
	return u, nil
}

// oidcRefuse audits a failed external sign-in and says so to the user.
func (a *Authorizer) oidcRefuse(w http.ResponseWriter, r *http.Request, subject, why string, status int, msg string) {
	a.record(audit.Event{Time: a.now(), Interaction: "login", Action: audit.ActionExecute, Outcome: status, User: subject,
		AgentName: subject, Address: r.RemoteAddr, Method: r.Method, Path: r.URL.Path, Reason: "OpenID Connect: " + why})
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, msg, status)
}
