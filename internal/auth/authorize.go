package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/sen-emr/sen/internal/audit"
)

// authCode is an issued authorization code: single use, 60 seconds.
type authCode struct {
	clientID, redirectURI, challenge string
	userID                           string
	scopes                           Scopes
	launchPatient                    string
	nonce                            string // OpenID Connect nonce, echoed in the id_token
	expires                          time.Time
}

// authRequest is a validated authorization request.
type authRequest struct {
	ClientID, RedirectURI, Scope, State, Aud, Challenge, Method, Launch, Nonce string
	client                                                                     *Client
	scopes                                                                     Scopes
}

// parseAuthRequest checks the request parameters. Errors that make it
// unsafe to redirect (unknown client, unregistered redirect URI) come back
// with redirect == false and are shown to the user instead.
func (a *Authorizer) parseAuthRequest(r *http.Request, v url.Values) (req *authRequest, redirect bool, err error) {
	req = &authRequest{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), Scope: v.Get("scope"), State: v.Get("state"),
		Aud: v.Get("aud"), Challenge: v.Get("code_challenge"), Method: v.Get("code_challenge_method"), Launch: v.Get("launch"),
		Nonce: v.Get("nonce")}
	c, err := a.cfg.Accounts.Client(r.Context(), req.ClientID)
	if err != nil {
		return nil, false, errors.New("ứng dụng không được đăng ký / unknown client_id")
	}
	req.client = c
	okURI := false
	for _, u := range c.RedirectURIs {
		if u == req.RedirectURI {
			okURI = true
		}
	}
	if !okURI {
		return nil, false, errors.New("redirect_uri không khớp với đăng ký / redirect_uri is not registered for this client")
	}
	switch {
	case v.Get("response_type") != "code":
		return req, true, errors.New("unsupported_response_type")
	case req.Challenge == "" || req.Method != "S256":
		return req, true, errors.New("invalid_request: PKCE with code_challenge_method=S256 is required")
	case req.Aud != a.fhirBase(r):
		return req, true, errors.New("invalid_request: aud must be this server's FHIR base URL " + a.fhirBase(r))
	}
	scopes, err := ParseScopes(req.Scope)
	if err != nil {
		return req, true, errors.New("invalid_scope: " + err.Error())
	}
	allowed, _ := ParseScopes(c.Scopes)
	req.scopes = scopes.Intersect(allowed)
	if len(req.scopes.Resource) == 0 {
		return req, true, errors.New("invalid_scope: none of the requested clinical scopes is allowed for this client")
	}
	for _, rs := range req.scopes.Resource {
		if rs.Context == "system" {
			return req, true, errors.New("invalid_scope: system/ scopes are for backend services (client_credentials)")
		}
	}
	return req, true, nil
}

func redirectError(w http.ResponseWriter, r *http.Request, req *authRequest, code string) {
	u, _ := url.Parse(req.RedirectURI)
	q := u.Query()
	q.Set("error", code)
	if req.State != "" {
		q.Set("state", req.State)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập Sen / Sign in to Sen</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;font-size:1rem}button{margin-top:1.2rem;padding:.6rem 1.2rem;font-size:1rem}.err{color:#a00}.app{color:#555}</style>
</head><body>
<h1>Sen</h1>
<p class="app">Ứng dụng <b>{{.ClientName}}</b> xin quyền truy cập: / The app <b>{{.ClientName}}</b> asks for access:<br><code>{{.Scope}}</code></p>
{{if .Error}}<p class="err">{{.Error}}</p>{{end}}
<form method="post" action="authorize">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<label for="u">Tên đăng nhập / Username</label><input id="u" name="username" autocomplete="username" required>
<label for="p">Mật khẩu / Password</label><input id="p" name="password" type="password" autocomplete="current-password" required>
<label for="t">Mã xác thực (nếu có) / One-time code (if enabled)</label><input id="t" name="totp" inputmode="numeric" autocomplete="one-time-code">
{{if .AskPatient}}<label for="pt">Mã người bệnh (chọn người bệnh) / Patient id (patient picker)</label><input id="pt" name="patient">{{end}}
<button type="submit">Đăng nhập / Sign in</button>
</form>
{{if .OIDCURL}}<p><a href="{{.OIDCURL}}">Đăng nhập bằng tài khoản {{.OIDCName}} / Sign in with {{.OIDCName}}</a></p>{{end}}
</body></html>`))

type loginData struct {
	ClientName, Scope, Error string
	AskPatient               bool
	Hidden                   map[string]string
	// OIDCURL starts sign-in with the external OpenID provider (oidc.go),
	// carrying this authorization request; "" when none is configured.
	OIDCURL, OIDCName string
}

// authorizeForm is the authorization endpoint (GET): it checks the request
// and shows the sign-in form.
//
// https://build.fhir.org/ig/HL7/smart-app-launch/app-launch.html#obtain-authorization-code
func (a *Authorizer) authorizeForm(w http.ResponseWriter, r *http.Request) {
	req, redirect, err := a.parseAuthRequest(r, r.URL.Query())
	if err != nil {
		if redirect {
			redirectError(w, r, req, err.Error())
			return
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.showLogin(w, r.URL.Query(), req, "", http.StatusOK)
}

func (a *Authorizer) showLogin(w http.ResponseWriter, v url.Values, req *authRequest, msg string, status int) {
	hidden := map[string]string{}
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "aud", "code_challenge", "code_challenge_method", "launch", "nonce"} {
		if v.Get(k) != "" {
			hidden[k] = v.Get(k)
		}
	}
	name := req.client.Name
	if name == "" {
		name = req.client.ID
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	data := loginData{ClientName: name, Scope: req.scopes.String(), Error: msg,
		AskPatient: req.scopes.LaunchPatient && req.Launch == "", Hidden: hidden}
	if a.cfg.OIDC != nil {
		q := url.Values{}
		for k, v := range hidden {
			q.Set(k, v)
		}
		data.OIDCURL, data.OIDCName = "oidc/login?"+q.Encode(), a.cfg.OIDC.Name()
	}
	_ = loginPage.Execute(w, data)
}

// authorizeSubmit is the authorization endpoint (POST): it signs the user
// in and redirects back to the app with a code.
func (a *Authorizer) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	v := r.PostForm
	req, redirect, err := a.parseAuthRequest(r, v)
	if err != nil {
		if redirect {
			redirectError(w, r, req, err.Error())
			return
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	u, err := a.login(r, v.Get("username"), v.Get("password"), v.Get("totp"))
	if err != nil {
		a.showLogin(w, v, req, err.Error(), http.StatusUnauthorized)
		return
	}
	patient, err := a.launchPatient(r, u, req, v.Get("patient"))
	if err != nil {
		a.showLogin(w, v, req, err.Error(), http.StatusBadRequest)
		return
	}
	a.grantCode(w, r, req, u, patient)
}

// grantCode ends a successful authorization: a single-use code for the
// signed-in user u, sent back to the app's redirect URI.
func (a *Authorizer) grantCode(w http.ResponseWriter, r *http.Request, req *authRequest, u *User, patient string) {
	code := randomToken(32)
	a.mu.Lock()
	a.purgeLocked()
	a.codes[code] = &authCode{clientID: req.ClientID, redirectURI: req.RedirectURI, challenge: req.Challenge,
		userID: u.ID, scopes: req.scopes, launchPatient: patient, nonce: req.Nonce, expires: a.now().Add(60 * time.Second)}
	a.mu.Unlock()
	dest, _ := url.Parse(req.RedirectURI)
	q := dest.Query()
	q.Set("code", code)
	if req.State != "" {
		q.Set("state", req.State)
	}
	dest.RawQuery = q.Encode()
	http.Redirect(w, r, dest.String(), http.StatusFound)
}

var errLogin = errors.New("tên đăng nhập, mật khẩu hoặc mã xác thực không đúng / wrong username, password or code")

// login checks a user's credentials; failures are audited.
func (a *Authorizer) login(r *http.Request, username, password, code string) (*User, error) {
	u, err := a.cfg.Accounts.UserByName(r.Context(), username)
	ok := false
	if err == nil && !u.Disabled {
		ok, _ = CheckPassword(u.PasswordHash, password)
		if ok && u.TOTPSecret != "" {
			ok = totp.Validate(code, u.TOTPSecret)
		}
	} else {
		// Spend the same time on unknown users, so that timing does not
		// tell which usernames exist.
		_, _ = CheckPassword(dummyHash, password)
	}
	ev := audit.Event{Time: a.now(), Interaction: "login", Action: audit.ActionExecute, Outcome: http.StatusOK,
		User: username, AgentName: username, Address: r.RemoteAddr, Method: r.Method, Path: r.URL.Path}
	if err == nil {
		ev.Agent, ev.AgentName, ev.AgentRole, ev.User = u.FHIRUser, u.Name, string(u.Role), u.ID
	}
	if !ok {
		ev.Outcome = http.StatusUnauthorized
		a.record(ev)
		return nil, errLogin
	}
	a.record(ev)
	return u, nil
}

// dummyHash is a valid argon2id hash of a random password.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2VuLWR1bW15LXNhbHQ$2mV0l9yQkzF0j8tq2T9mS2zq7eIhWZtD6ZC0R0y2b0o"

// launchPatient decides the patient context of the grant: from an EHR
// launch, from the user's own record (patients, caregivers of one patient),
// or from the patient picker for clinicians.
func (a *Authorizer) launchPatient(r *http.Request, u *User, req *authRequest, picked string) (string, error) {
	if req.Launch != "" {
		a.mu.Lock()
		lc, ok := a.launches[req.Launch]
		a.mu.Unlock()
		if !ok || a.now().After(lc.expires) {
			return "", errors.New("launch không hợp lệ hoặc đã hết hạn / unknown or expired launch")
		}
		if lc.user != u.ID {
			return "", errors.New("launch thuộc về người dùng khác / the launch belongs to another user")
		}
		return lc.patient, nil
	}
	if !req.scopes.LaunchPatient {
		return "", nil
	}
	switch u.Role {
	case RolePatient:
		if len(u.Patients) > 0 {
			return u.Patients[0], nil
		}
		return "", errors.New("tài khoản chưa gắn với hồ sơ người bệnh / the account has no patient record")
	case RoleCaregiver:
		if picked == "" && len(u.Patients) == 1 {
			return u.Patients[0], nil
		}
		if contains(u.Patients, picked) {
			return picked, nil
		}
		return "", errors.New("hãy chọn một người bệnh bạn được chăm sóc / pick one of your linked patients")
	}
	if picked == "" {
		return "", errors.New("hãy nhập mã người bệnh / enter a patient id")
	}
	if _, err := a.cfg.Store.Read(r.Context(), "Patient", picked); err != nil {
		return "", errors.New("không tìm thấy người bệnh / no such patient")
	}
	return picked, nil
}

// checkPKCE compares S256(verifier) with the challenge in constant time.
func checkPKCE(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// purgeLocked drops expired codes, launches and assertion ids. a.mu held.
func (a *Authorizer) purgeLocked() {
	now := a.now()
	for k, c := range a.codes {
		if now.After(c.expires) {
			delete(a.codes, k)
		}
	}
	for k, l := range a.launches {
		if now.After(l.expires) {
			delete(a.launches, k)
		}
	}
	for k, o := range a.oidc {
		if now.After(o.expires) {
			delete(a.oidc, k)
		}
	}
	for k, exp := range a.jtis {
		if now.After(exp) {
			delete(a.jtis, k)
		}
	}
}

// userPrincipal builds the principal for a user's grant.
func userPrincipal(u *User, clientID string, scopes Scopes, launchPatient string) *Principal {
	return &Principal{Subject: u.ID, Name: u.Name, Role: u.Role, FHIRUser: u.FHIRUser, Organization: u.Organization,
		PractitionerRole: u.PractitionerRole, Patients: u.Patients, LaunchPatient: launchPatient, Scopes: scopes, ClientID: clientID}
}
