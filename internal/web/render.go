package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the page templates; each is parsed with layout.html and
// partials.html into its own set, once per language.
var pageNames = []string{
	"landing", "signin_app", "signin_me", "signin_form", "home", "patients", "summary",
	"prescribe", "pharmacy", "worklists", "record", "population",
	"me_today", "me_missed", "me_medicines", "me_results", "me_access", "me_chat", "error",
}

// templates holds the parsed sets: language → page → template.
type templates map[string]map[string]*template.Template

func parseTemplates(cat *i18n.Catalog) (templates, error) {
	out := templates{}
	for _, lang := range i18n.Languages() {
		loc := cat.Localizer(lang)
		funcs := templateFuncs(loc)
		out[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
				"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("web: parse template %s: %w", name, err)
			}
			out[lang][name] = t
		}
	}
	return out, nil
}

func templateFuncs(loc *i18n.Localizer) template.FuncMap {
	return template.FuncMap{
		// t translates a message id; extra arguments are key, value pairs.
		"t":    func(id string, kv ...any) string { return loc.T(id, pairs(kv)) },
		"lang": func() string { return loc.Lang() },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.Format("02/01/2006")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.Format("02/01/2006 15:04")
		},
		"clock": func(t time.Time) string { return t.Format("15:04") },
		"pct":   func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"num":   formatNumber,
		// svg marks server-generated SVG (built with escaped text only) as safe.
		"svg":    func(s string) template.HTML { return template.HTML(s) },
		"add":    func(a, b int) int { return a + b },
		"daycls": dayClass,
		"daykey": dayKey,
		"nums": func(lo, hi int) []int {
			var out []int
			for i := lo; i <= hi; i++ {
				out = append(out, i)
			}
			return out
		},
		"has": func(xs []string, x string) bool { return slices.Contains(xs, x) },
	}
}

func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

func formatNumber(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}

// page is what every template receives.
type page struct {
	Lang   string
	Title  string // message id of the title
	App    string // "app", "me" or "" (landing)
	User   *User
	NoAuth bool
	Path   string // the request's path and query, for the language switch
	Large  bool   // large text (patient app choice)
	Flash  string // message id of a one-off notice
	// PopulationLink shows the population dashboard in the navigation.
	PopulationLink bool
	Data           any
	Now            time.Time
}

// httpError is a handler failure with the status and message id to show.
type httpError struct {
	status int
	msgID  string
	err    error
}

func (e *httpError) Error() string {
	if e.err != nil {
		return e.msgID + ": " + e.err.Error()
	}
	return e.msgID
}

func (e *httpError) Unwrap() error { return e.err }

func badRequest(msgID string, err error) error {
	return &httpError{status: http.StatusBadRequest, msgID: msgID, err: err}
}

func notFound(msgID string) error { return &httpError{status: http.StatusNotFound, msgID: msgID} }

func forbidden() error { return &httpError{status: http.StatusForbidden, msgID: "error.forbidden"} }

// render writes a page with status 200.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, name string, p *page) error {
	return h.renderStatus(w, r, http.StatusOK, name, p)
}

func (h *Handler) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, p *page) error {
	h.fill(r, p)
	t := h.tmpl[p.Lang][name]
	if t == nil {
		return fmt.Errorf("web: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Language", p.Lang)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// fill sets the per-request fields every page needs.
func (h *Handler) fill(r *http.Request, p *page) {
	if p.Lang == "" {
		p.Lang = h.cfg.Catalog.FromRequest(r)
	}
	if p.User == nil {
		p.User, _ = h.user(r)
	}
	if p.User != nil && p.User.Organization != "" && p.User.OrganizationName == "" {
		u := *p.User // the Identity's value is not ours to change
		u.OrganizationName = h.referenceName(r.Context(), reference{Reference: u.Organization})
		p.User = &u
	}
	p.PopulationLink = h.cfg.Population != nil && p.User != nil && p.User.Population
	p.NoAuth = h.cfg.Identity == nil && h.cfg.Auth == nil
	p.Path = r.URL.RequestURI()
	p.Large = largeText(r)
	p.Now = h.now()
}

// handle adapts a handler that returns an error: failures become an error
// page in the user's language, internal details go to the log only.
func (h *Handler) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		status, msgID := http.StatusInternalServerError, "error.internal"
		var he *httpError
		switch {
		case errors.As(err, &he):
			status, msgID = he.status, he.msgID
		case fhir.KindOf(err) == fhir.KindNotFound || fhir.KindOf(err) == fhir.KindGone:
			status, msgID = http.StatusNotFound, "error.notfound"
		case fhir.KindOf(err) == fhir.KindInvalid:
			status, msgID = http.StatusBadRequest, "error.invalid"
		}
		if status >= 500 {
			h.cfg.Logger.Error("web request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		app := ""
		if strings.HasPrefix(r.URL.Path, "/app") {
			app = "app"
		} else if strings.HasPrefix(r.URL.Path, "/me") {
			app = "me"
		}
		if rerr := h.renderStatus(w, r, status, "error", &page{Title: "error.title", App: app, Data: msgID}); rerr != nil {
			h.cfg.Logger.Error("render error page", "err", rerr)
			http.Error(w, http.StatusText(status), status)
		}
	}
}

func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fsrv.ServeHTTP(w, r)
	})
}
