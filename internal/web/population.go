package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// population shows the population dashboard (Config.Population) inside
// the clinician app: behind the apps' sign-in, for users whose Population
// is true, in the apps' layout and language. The dashboard renders a whole
// HTML document of its own; the apps keep its body and drop its head (its
// inline style would break the apps' Content-Security-Policy anyway). The
// CSV download passes through untouched.
func (h *Handler) population(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.user(r)
	if !ok {
		h.toSignIn(w, r, "/app/signin")
		return nil
	}
	if !u.Population {
		return forbidden()
	}
	if h.cfg.Population == nil {
		return notFound("error.notfound")
	}
	lang := h.cfg.Catalog.FromRequest(r)
	q := r.URL.Query()
	q.Set("lang", lang) // the apps' language switch wins over the form's hidden field
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	if q.Get("format") == "csv" {
		h.cfg.Population.ServeHTTP(w, r2)
		return nil
	}
	rec := &captured{header: http.Header{}, status: http.StatusOK}
	h.cfg.Population.ServeHTTP(rec, r2)
	switch {
	case rec.status == http.StatusBadRequest:
		return badRequest("error.invalid", errors.New(strings.TrimSpace(rec.body.String())))
	case rec.status >= 300:
		return fmt.Errorf("web: population dashboard: status %d: %s", rec.status, strings.TrimSpace(rec.body.String()))
	}
	body, err := htmlBody(rec.body.String())
	if err != nil {
		return fmt.Errorf("web: population dashboard: %w", err)
	}
	loc := h.cfg.Catalog.Localizer(lang)
	// The dashboard's chart is an SVG with role="img" and no name; screen
	// readers need one.
	body = strings.Replace(body, `role="img"`, `role="img" aria-label="`+template.HTMLEscapeString(loc.T("pop.chart", nil))+`"`, 1)
	// On a phone the table scrolls sideways; keyboard users reach the
	// scrolling region by Tab.
	body = strings.Replace(body, `<table>`, `<table tabindex="0" aria-label="`+template.HTMLEscapeString(loc.T("pop.table", nil))+`">`, 1)
	return h.render(w, r, "population", &page{Title: "pop.title", App: "app", User: u, Data: template.HTML(body)})
}

// htmlBody returns what lies between <body...> and </body>.
func htmlBody(doc string) (string, error) {
	i := strings.Index(doc, "<body")
	if i < 0 {
		return "", errors.New("no <body> in the page")
	}
	j := strings.IndexByte(doc[i:], '>')
	k := strings.LastIndex(doc, "</body>")
	if j < 0 || k < i+j {
		return "", errors.New("malformed <body> in the page")
	}
	return doc[i+j+1 : k], nil
}

// captured is a ResponseWriter that keeps the response in memory.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (c *captured) Header() http.Header { return c.header }

func (c *captured) WriteHeader(status int) {
	if !c.wrote {
		c.status, c.wrote = status, true
	}
}

func (c *captured) Write(b []byte) (int, error) {
	c.wrote = true
	return c.body.Write(b)
}
