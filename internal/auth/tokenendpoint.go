package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sen-emr/sen/internal/audit"
)

// token is the token endpoint: authorization_code (with PKCE),
// refresh_token (rotated on every use) and client_credentials (SMART
// Backend Services, private_key_jwt).
//
// https://build.fhir.org/ig/HL7/smart-app-launch/app-launch.html#obtain-access-token
// https://build.fhir.org/ig/HL7/smart-app-launch/backend-services.html
func (a *Authorizer) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	v := r.PostForm
	switch v.Get("grant_type") {
	case "authorization_code":
		a.codeGrant(w, r)
	case "refresh_token":
		a.refreshGrant(w, r)
	case "client_credentials":
		a.clientCredentials(w, r)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code, refresh_token or client_credentials")
	}
}

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// authenticateClient checks the client of a token request: a client with
// a registered JWKS must send a private_key_jwt assertion; a public client
// only names itself.
func (a *Authorizer) authenticateClient(r *http.Request) (*Client, error) {
	v := r.PostForm
	if v.Get("client_assertion_type") == assertionType {
		return a.verifyAssertion(r, v.Get("client_assertion"))
	}
	c, err := a.cfg.Accounts.Client(r.Context(), v.Get("client_id"))
	if err != nil {
		return nil, errors.New("unknown client")
	}
	if c.JWKS != "" {
		return nil, errors.New("this client must authenticate with private_key_jwt")
	}
	return c, nil
}

func (a *Authorizer) codeGrant(w http.ResponseWriter, r *http.Request) {
	v := r.PostForm
	client, err := a.authenticateClient(r)
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	a.mu.Lock()
	code, ok := a.codes[v.Get("code")]
	delete(a.codes, v.Get("code")) // single use, whatever happens next
	a.mu.Unlock()
	switch {
	case !ok || a.now().After(code.expires):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	case code.clientID != client.ID || code.redirectURI != v.Get("redirect_uri"):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code was issued to another client or redirect_uri")
		return
	case !checkPKCE(v.Get("code_verifier"), code.challenge):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	}
	u, err := a.cfg.Accounts.User(r.Context(), code.userID)
	if err != nil || u.Disabled {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the user is disabled")
		return
	}
	a.issue(w, r, u, client.ID, code.scopes, code.launchPatient, "", code.nonce)
}

func (a *Authorizer) refreshGrant(w http.ResponseWriter, r *http.Request) {
	v := r.PostForm
	client, err := a.authenticateClient(r)
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	g, err := a.cfg.Accounts.useRefresh(r.Context(), v.Get("refresh_token"))
	if err != nil {
		if errors.Is(err, errRefreshReuse) {
			a.log.Warn("refresh token reuse: grant revoked", "client", client.ID, "family", g.Family)
			a.record(audit.Event{Time: a.now(), Interaction: "refresh-reuse", Action: audit.ActionExecute, Outcome: http.StatusBadRequest,
				User: g.UserID, Client: client.ID, Address: r.RemoteAddr})
		}
		oauthError(w, http.StatusBadRequest, "invalid_grant", "refresh token is unknown, used, revoked or expired")
		return
	}
	if g.ClientID != client.ID {
		_ = a.cfg.Accounts.revokeFamily(r.Context(), g.Family)
		oauthError(w, http.StatusBadRequest, "invalid_grant", "refresh token belongs to another client")
		return
	}
	u, err := a.cfg.Accounts.User(r.Context(), g.UserID)
	if err != nil || u.Disabled {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the user is disabled")
		return
	}
	scopes, _ := ParseScopes(g.Scopes)
	if s := v.Get("scope"); s != "" {
		// A refresh may narrow the grant, never widen it.
		asked, err := ParseScopes(s)
		if err != nil {
			oauthError(w, http.StatusBadRequest, "invalid_scope", err.Error())
			return
		}
		narrowed := asked.Intersect(scopes)
		narrowed.Offline, narrowed.Online = scopes.Offline, scopes.Online
		scopes = narrowed
	}
	a.issue(w, r, u, client.ID, scopes, g.LaunchPatient, g.Family, "")
}

// issue answers a token request for a user grant. family continues a
// rotated refresh-token family ("" starts one); nonce is the OpenID Connect
// nonce of the authorization request, echoed in the id_token (OIDC Core
// 3.1.2.1), "" on refresh.
func (a *Authorizer) issue(w http.ResponseWriter, r *http.Request, u *User, clientID string, scopes Scopes, patient, family, nonce string) {
	now := a.now()
	p := userPrincipal(u, clientID, scopes, patient)
	at, err := a.cfg.Keys.issueAccess(a.base(r), a.fhirBase(r), p, now)
	if err != nil {
		a.log.Error("issue access token", "err", err)
		oauthError(w, http.StatusInternalServerError, "server_error", "could not issue a token")
		return
	}
	resp := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": int(AccessTokenTTL.Seconds()), "scope": scopes.String()}
	if patient != "" {
		resp["patient"] = patient
		resp["need_patient_banner"] = u.Role != RolePatient
	}
	if scopes.OpenID {
		if id, err := a.cfg.Keys.issueID(a.base(r), clientID, u, nonce, now); err == nil {
			resp["id_token"] = id
		}
	}
	if scopes.Offline || scopes.Online {
		if family == "" {
			family = randomToken(16)
		}
		ttl := a.cfg.RefreshTTL
		if !scopes.Offline {
			ttl = 12 * time.Hour // online_access: a working day
		}
		rt := randomToken(32)
		if err := a.cfg.Accounts.saveRefresh(r.Context(), rt, refreshGrant{Family: family, ClientID: clientID, UserID: u.ID,
			Scopes: scopes.String(), LaunchPatient: patient, Expires: now.Add(ttl)}); err != nil {
			a.log.Error("save refresh token", "err", err)
			oauthError(w, http.StatusInternalServerError, "server_error", "could not issue a token")
			return
		}
		resp["refresh_token"] = rt
	}
	writeJSON(w, http.StatusOK, resp)
}

// clientCredentials is SMART Backend Services: a registered client signs a
// JWT with its private key and receives a token for system/ scopes.
func (a *Authorizer) clientCredentials(w http.ResponseWriter, r *http.Request) {
	v := r.PostForm
	if v.Get("client_assertion_type") != assertionType {
		oauthError(w, http.StatusBadRequest, "invalid_client", "client_credentials needs a private_key_jwt client assertion")
		return
	}
	client, err := a.verifyAssertion(r, v.Get("client_assertion"))
	if err != nil {
		a.record(audit.Event{Time: a.now(), Interaction: "client-credentials", Action: audit.ActionExecute, Outcome: http.StatusUnauthorized, Address: r.RemoteAddr})
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	asked, err := ParseScopes(v.Get("scope"))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_scope", err.Error())
		return
	}
	for _, rs := range asked.Resource {
		if rs.Context != "system" {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "backend services may ask for system/ scopes only")
			return
		}
	}
	allowed, _ := ParseScopes(client.Scopes)
	granted := asked.Intersect(allowed)
	granted.Offline, granted.Online, granted.OpenID, granted.FHIRUser = false, false, false, false
	if len(granted.Resource) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "none of the requested scopes is allowed for this client")
		return
	}
	p := &Principal{Subject: client.ID, Name: client.Name, Role: RoleSystem, ClientID: client.ID, Scopes: granted, FHIRUser: "Device/" + client.ID}
	at, err := a.cfg.Keys.issueAccess(a.base(r), a.fhirBase(r), p, a.now())
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "could not issue a token")
		return
	}
	a.record(audit.Event{Time: a.now(), Interaction: "client-credentials", Action: audit.ActionExecute, Outcome: http.StatusOK,
		User: client.ID, Client: client.ID, AgentName: client.Name, Address: r.RemoteAddr})
	writeJSON(w, http.StatusOK, map[string]any{"access_token": at, "token_type": "Bearer",
		"expires_in": int(AccessTokenTTL.Seconds()), "scope": granted.String()})
}

// verifyAssertion checks a private_key_jwt client assertion (RFC 7523):
// signed by a key in the client's registered JWKS, iss = sub = client id,
// aud = this token endpoint, expiring within five minutes, jti never seen
// before.
func (a *Authorizer) verifyAssertion(r *http.Request, raw string) (*Client, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS384, jose.ES384, jose.RS256, jose.ES256})
	if err != nil {
		return nil, errors.New("client_assertion is not a signed JWT with RS384, ES384, RS256 or ES256")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, errors.New("client_assertion claims are unreadable")
	}
	client, err := a.cfg.Accounts.Client(r.Context(), unverified.Issuer)
	if err != nil || client.JWKS == "" {
		return nil, errors.New("unknown client or client without registered keys")
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(client.JWKS), &set); err != nil {
		return nil, errors.New("the client's registered JWKS is unreadable")
	}
	var claims jwt.Claims
	verified := false
	for _, k := range set.Keys {
		if kid := tok.Headers[0].KeyID; kid != "" && k.KeyID != "" && kid != k.KeyID {
			continue
		}
		if tok.Claims(k.Key, &claims) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, errors.New("client_assertion signature does not verify with the client's keys")
	}
	now := a.now()
	tokenURL := a.base(r) + "/auth/token"
	if err := claims.ValidateWithLeeway(jwt.Expected{Issuer: client.ID, Subject: client.ID, AnyAudience: jwt.Audience{tokenURL}, Time: now}, 30*time.Second); err != nil {
		return nil, errors.New("client_assertion claims: " + err.Error())
	}
	if claims.Expiry == nil || claims.Expiry.Time().After(now.Add(5*time.Minute+30*time.Second)) {
		return nil, errors.New("client_assertion must expire within five minutes")
	}
	if claims.ID == "" {
		return nil, errors.New("client_assertion needs a jti")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.purgeLocked()
	key := client.ID + "\x00" + claims.ID
	if _, seen := a.jtis[key]; seen {
		return nil, errors.New("client_assertion jti was already used")
	}
	a.jtis[key] = claims.Expiry.Time().Add(time.Minute)
	return client, nil
}

// revoke is the revocation endpoint (RFC 7009) for refresh tokens.
func (a *Authorizer) revoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	tok := r.PostForm.Get("token")
	if hint := r.PostForm.Get("token_type_hint"); hint == "access_token" || strings.Count(tok, ".") == 2 {
		// Access tokens are short-lived JWTs and are not revoked one by one;
		// revoking the refresh token ends the grant.
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := a.cfg.Accounts.RevokeRefresh(context.WithoutCancel(r.Context()), tok); err != nil {
		a.log.Error("revoke", "err", err)
		oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "could not revoke")
		return
	}
	w.WriteHeader(http.StatusOK)
}
