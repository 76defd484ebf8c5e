package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Authenticator checks credentials and resolves accounts for the apps' own
// sign-in form. Authentication (internal/auth, through web/webauth)
// provides it.
type Authenticator interface {
	// SignIn checks a username, password and one-time code (empty when
	// the account has none) and returns the account id. Any failure is
	// reported to the user as "wrong credentials", whatever the cause.
	SignIn(r *http.Request, username, password, otp string) (accountID string, err error)
	// Account returns the user of an account, and r with whatever the
	// authenticator needs in its context for the rest of the request (for
	// auth: the Principal its access guard checks). An error (unknown or
	// disabled account) ends the session.
	Account(r *http.Request, accountID string) (*User, *http.Request, error)
}

const (
	cookieSession  = "sen_session"
	sessionLife    = 12 * time.Hour
	sessionKeySize = 32
)

type sessionUserKey struct{}

// sessionKey returns the key that signs session cookies: Config.SessionKey,
// or a random key made once by New (sessions then end when Sen restarts).
func newSessionKey(k []byte) ([]byte, error) {
	if len(k) > 0 {
		return k, nil
	}
	k = make([]byte, sessionKeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return k, nil
}

func (h *Handler) sign(payload string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sessionValue is "accountID.expiryUnix.signature"; the account id is
// base64url so that it cannot contain the separator.
func (h *Handler) sessionValue(accountID string, exp time.Time) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(accountID)) + "." + strconv.FormatInt(exp.Unix(), 10)
	return payload + "." + h.sign(payload)
}

func (h *Handler) sessionAccount(r *http.Request) (string, bool) {
	c, err := r.Cookie(cookieSession)
	if err != nil {
		return "", false
	}
	i := strings.LastIndexByte(c.Value, '.')
	if i < 0 {
		return "", false
	}
	payload, sig := c.Value[:i], c.Value[i+1:]
	if !hmac.Equal([]byte(sig), []byte(h.sign(payload))) {
		return "", false
	}
	idPart, expPart, ok := strings.Cut(payload, ".")
	if !ok {
		return "", false
	}
	exp, err := strconv.ParseInt(expPart, 10, 64)
	// Expiry is wall-clock time, not the apps' (possibly simulated) clock.
	if err != nil || time.Now().Unix() > exp {
		return "", false
	}
	id, err := base64.RawURLEncoding.DecodeString(idPart)
	if err != nil || len(id) == 0 {
		return "", false
	}
	return string(id), true
}

// withSession resolves the session cookie once per request.
func (h *Handler) withSession(r *http.Request) *http.Request {
	id, ok := h.sessionAccount(r)
	if !ok {
		return r
	}
	u, r2, err := h.cfg.Auth.Account(r, id)
	if err != nil || u == nil {
		return r
	}
	return r2.WithContext(context.WithValue(r2.Context(), sessionUserKey{}, u))
}

type loginData struct {
	Next     string
	App      string
	Username string
	Failed   bool
}

// signinForm shows the username/password form (Authenticator mode).
func (h *Handler) signinForm(w http.ResponseWriter, r *http.Request, app string) error {
	def := "/" + app
	return h.render(w, r, "signin_form", &page{Title: "signin.title", App: app,
		Data: &loginData{Next: localPath(r.URL.Query().Get("next"), def), App: app}})
}

func (h *Handler) signinSubmit(w http.ResponseWriter, r *http.Request, app string) error {
	if h.cfg.Auth == nil {
		return forbidden()
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.invalid", err)
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	next := localPath(r.PostForm.Get("next"), "/"+app)
	id, err := h.cfg.Auth.SignIn(r, username, r.PostForm.Get("password"), strings.TrimSpace(r.PostForm.Get("otp")))
	if err != nil || id == "" {
		h.cfg.Logger.Info("web sign-in failed", "user", username, "addr", r.RemoteAddr)
		return h.renderStatus(w, r, http.StatusUnauthorized, "signin_form", &page{Title: "signin.title", App: app,
			Data: &loginData{Next: next, App: app, Username: username, Failed: true}})
	}
	http.SetCookie(w, &http.Cookie{Name: cookieSession, Value: h.sessionValue(id, time.Now().Add(sessionLife)), Path: "/",
		MaxAge: int(sessionLife.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	return redirect(w, r, next)
}
