package auth

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/consent"
	"github.com/sen-emr/sen/internal/store"
)

// Recorder receives audit events (audit.Writer implements it).
type Recorder interface {
	Record(audit.Event)
}

// Config holds the Authorizer's dependencies. Accounts, Keys and Store are
// required.
type Config struct {
	Accounts   *Accounts
	Keys       *Keys
	BreakGlass *consent.BreakGlass // nil: break-glass is off
	OIDC       *OIDCLogin          // nil: no sign-in through an external OpenID provider
	Audit      Recorder            // nil: no audit trail (tests)
	// Store is the unguarded FHIR store, read for access-log answers and
	// launch contexts.
	Store store.Reader
	// BaseURL is the server's external URL without a trailing slash
	// ("https://emr.example"); the FHIR base is BaseURL+"/fhir". Empty:
	// derived from each request's Host.
	BaseURL string
	// RefreshTTL is the lifetime of refresh tokens; 0 means 30 days.
	RefreshTTL time.Duration
	Logger     *slog.Logger
	Now        func() time.Time
}

// Authorizer is Sen's SMART App Launch 2.0 authorization server and the
// gate in front of the FHIR API. Safe for concurrent use.
type Authorizer struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux

	mu       sync.Mutex
	codes    map[string]*authCode  // authorization codes, single use, 60 s
	launches map[string]*launchCtx // EHR launch contexts, 10 min
	jtis     map[string]time.Time  // client assertion ids seen, until expiry
	oidc     map[string]*oidcState // external sign-ins under way, by state, 10 min
}

// New returns an Authorizer. It panics if a required dependency is
// missing, a wiring bug in main.
func New(cfg Config) *Authorizer {
	if cfg.Accounts == nil || cfg.Keys == nil || cfg.Store == nil {
		panic("auth.New: Accounts, Keys and Store are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	a := &Authorizer{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(),
		codes: map[string]*authCode{}, launches: map[string]*launchCtx{}, jtis: map[string]time.Time{}, oidc: map[string]*oidcState{}}
	a.routes()
	return a
}

// routes lists the authorization server's surface.
func (a *Authorizer) routes() {
	a.mux.HandleFunc("GET /.well-known/smart-configuration", a.smartConfiguration)
	a.mux.HandleFunc("GET /.well-known/openid-configuration", a.smartConfiguration)
	a.mux.HandleFunc("GET /auth/jwks", a.jwks)
	a.mux.HandleFunc("GET /auth/authorize", a.authorizeForm)
	a.mux.HandleFunc("POST /auth/authorize", a.authorizeSubmit)
	a.mux.HandleFunc("POST /auth/token", a.token)
	a.mux.HandleFunc("POST /auth/revoke", a.revoke)
	a.mux.HandleFunc("POST /auth/launch", a.withToken(a.createLaunch))
	a.mux.HandleFunc("POST /auth/break-glass", a.withToken(a.openBreakGlass))
	a.mux.HandleFunc("GET /auth/break-glass", a.withToken(a.listBreakGlass))
	a.mux.HandleFunc("POST /auth/break-glass/{id}/review", a.withToken(a.reviewBreakGlass))
	a.mux.HandleFunc("GET /auth/access-log", a.withToken(a.accessLog))
	if a.cfg.OIDC != nil {
		a.mux.HandleFunc("GET /auth/oidc/login", a.oidcLogin)
		a.mux.HandleFunc("GET /auth/oidc/callback", a.oidcCallback)
	}
}

func (a *Authorizer) now() time.Time { return a.cfg.Now() }

// base is the server's external URL.
func (a *Authorizer) base(r *http.Request) string {
	if a.cfg.BaseURL != "" {
		return strings.TrimRight(a.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (a *Authorizer) fhirBase(r *http.Request) string { return a.base(r) + "/fhir" }

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (a *Authorizer) record(e audit.Event) {
	if a.cfg.Audit != nil {
		a.cfg.Audit.Record(e)
	}
}
