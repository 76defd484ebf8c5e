package auth

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/sen-emr/sen/internal/audit"
)

// The web apps (/app for staff, /me for patients and caregivers) sign users
// in with their own session cookie and read through the guarded store as
// that user: the Principal is made inside the apps (webauth), not here. So
// that their page views are audited like FHIR reads, without the apps
// knowing about audit, the Middleware puts an empty slot in the request
// context; WithPrincipal fills it; after the page is served the Middleware
// reads from the Principal which patients and resources the guard let the
// page reach, and records one AuditEvent for the page.

type slotKey struct{}

// principalSlot receives the Principal a web request establishes.
type principalSlot struct {
	mu sync.Mutex
	p  *Principal
}

func (s *principalSlot) set(p *Principal) {
	s.mu.Lock()
	s.p = p
	s.mu.Unlock()
}

func (s *principalSlot) get() *Principal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p
}

// isWebApp reports whether path belongs to the clinician or patient app.
func isWebApp(path string) bool {
	for _, app := range []string{"/app", "/me"} {
		if path == app || strings.HasPrefix(path, app+"/") {
			return true
		}
	}
	return false
}

// serveWeb serves a web app request and audits it when it reached patient
// data: "web-view" (action R) for a page, "web-form" (action E) for a form
// submission, with the patients and resources the page touched. Pages that
// touched no record (sign-in, static files, an empty worklist) leave no
// event, and neither do anonymous requests: the apps redirect those to
// sign-in without reading anything.
func (a *Authorizer) serveWeb(next http.Handler, w http.ResponseWriter, r *http.Request) {
	slot := &principalSlot{}
	r = r.WithContext(contextWithSlot(r, slot))
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	next.ServeHTTP(sw, r)
	p := slot.get()
	if p == nil {
		return
	}
	patients, resources, bg := p.Touched()
	if len(patients) == 0 && len(resources) == 0 && sw.status != http.StatusForbidden {
		return
	}
	action, interaction := audit.ActionRead, "web-view"
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		action, interaction = audit.ActionExecute, "web-form"
	}
	a.record(a.event(r, p, sw.status, interaction, action, patients, resources, len(bg) > 0, ""))
}

func contextWithSlot(r *http.Request, s *principalSlot) context.Context {
	return context.WithValue(r.Context(), slotKey{}, s)
}
