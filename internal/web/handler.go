package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Handler serves /, /app, /me and /static/. Build it with New; it holds no
// mutable state and serves concurrent requests.
type Handler struct {
	cfg  Config
	tmpl templates
	mux  *http.ServeMux
	key  []byte // signs session cookies (Auth mode)
}

// New returns the apps' handler. It fails if a required dependency is
// missing or a template does not parse (a build defect).
func New(cfg Config) (*Handler, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	t, err := parseTemplates(cfg.Catalog)
	if err != nil {
		return nil, err
	}
	key, err := newSessionKey(cfg.SessionKey)
	if err != nil {
		return nil, fmt.Errorf("web: session key: %w", err)
	}
	h := &Handler{cfg: cfg, tmpl: t, mux: http.NewServeMux(), key: key}
	h.routes()
	// Community-care screens (careplan_screens.go), kept apart for their owner.
	if err := h.careplanRoutes(); err != nil {
		return nil, err
	}
	// Caregiver's plan view and the care-plan editor (careplan_team.go).
	if err := h.careplanTeamRoutes(); err != nil {
		return nil, err
	}
	return h, nil
}

// route is one line of the apps' surface.
type route struct {
	pattern string
	fn      func(h *Handler, w http.ResponseWriter, r *http.Request) error
}

// routeTable is the whole surface of the two apps.
var routeTable = []route{
	{"GET /{$}", (*Handler).landing},
	{"GET /lang", (*Handler).setLang},
	{"GET /app/signin", (*Handler).signinApp},
	{"POST /app/signin", (*Handler).signinAppPost},
	{"POST /app/signout", (*Handler).signout},
	{"GET /app", (*Handler).home},
	{"GET /app/{$}", (*Handler).home},
	{"GET /app/patients", (*Handler).findPatients},
	{"GET /app/patients/{id}", (*Handler).summary},
	{"GET /app/patients/{id}/prescribe", (*Handler).prescribeForm},
	{"POST /app/patients/{id}/prescribe", (*Handler).prescribePost},
	{"GET /app/patients/{id}/record", (*Handler).recordForm},
	{"GET /app/encounters/{id}/form", (*Handler).encounterForm}, // record_form.go
	{"POST /app/patients/{id}/notes", (*Handler).recordNote},
	{"POST /app/patients/{id}/vitals", (*Handler).recordVitals},
	{"POST /app/patients/{id}/problems", (*Handler).recordProblem},
	{"GET /app/pharmacy", (*Handler).pharmacy},
	{"POST /app/dispense/{rx}", (*Handler).dispense},
	{"GET /app/worklists", (*Handler).worklists},
	{"GET /app/population", (*Handler).population},
	{"GET /me/signin", (*Handler).signinMe},
	{"POST /me/signin", (*Handler).signinMePost},
	{"POST /me/signout", (*Handler).signout},
	{"GET /me", (*Handler).meToday},
	{"GET /me/{$}", (*Handler).meToday},
	{"POST /me/doses", (*Handler).meConfirm},
	{"POST /me/push", (*Handler).mePushSubscribe},
	{"POST /me/push/delete", (*Handler).mePushUnsubscribe},
	{"GET /me/missed", (*Handler).meMissed},
	{"GET /me/medicines", (*Handler).meMedicines},
	{"GET /me/results", (*Handler).meResults},
	{"GET /me/access", (*Handler).meAccess},
	{"GET /me/chat", (*Handler).meChat},      // me_chat.go
	{"POST /me/chat", (*Handler).meChatPost}, // me_chat.go
	{"GET /me/text", (*Handler).toggleLarge},
	{"GET /me/for", (*Handler).actFor},
}

func (h *Handler) routes() {
	for _, rt := range routeTable {
		fn := rt.fn
		h.mux.Handle(rt.pattern, h.handle(func(w http.ResponseWriter, r *http.Request) error { return fn(h, w, r) }))
	}
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles()))
	// The service worker must be served from /me/ to control the /me scope.
	h.mux.HandleFunc("GET /me/sw.js", serveStatic("sw.js", "text/javascript; charset=utf-8", "no-cache"))
	h.mux.HandleFunc("GET /me/manifest.webmanifest", serveStatic("manifest.webmanifest", "application/manifest+json", "public, max-age=3600"))
}

// ServeHTTP serves the apps. State-changing requests from another origin
// are refused (cookies are SameSite=Lax as well).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && !sameOrigin(r) {
		http.Error(w, "cross-origin request refused / từ chối yêu cầu khác nguồn", http.StatusForbidden)
		return
	}
	if h.cfg.Auth != nil {
		r = h.withSession(r)
	}
	h.mux.ServeHTTP(w, r)
}

// Mount registers the apps on mux: "/" (landing), /app, /me, /lang and
// /static/.
func (h *Handler) Mount(mux *http.ServeMux) {
	for _, p := range []string{"/{$}", "/lang", "/app", "/app/", "/me", "/me/", "/static/"} {
		mux.Handle(p, h)
	}
}

func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == "" // browsers send Origin on POST; a missing one is a non-browser client
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func serveStatic(name, ctype, cache string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", cache)
		if name == "sw.js" {
			w.Header().Set("Service-Worker-Allowed", "/me")
		}
		_, _ = w.Write(b)
	}
}

func (h *Handler) now() time.Time { return h.cfg.Now().In(h.cfg.Location) }

// localPath accepts only same-site paths for redirects ("/app/..."), so a
// link cannot bounce the user to another site.
func localPath(p, fallback string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return fallback
	}
	return p
}

func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
