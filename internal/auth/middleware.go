package auth

import (
	"net/http"
	"strings"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/fhir"
)

// Middleware puts the authorization server in front of next:
//
//   - /.well-known/smart-configuration and /auth/* are served here;
//   - /fhir/metadata passes without a token;
//   - every other /fhir request needs a valid bearer token (401 with an
//     OperationOutcome otherwise); its Principal goes into the request
//     context for the store Guard, and an AuditEvent records who did what
//     to which patients, with the response status as outcome;
//   - the web apps (/app, /me) sign their users in themselves; each page
//     that showed or changed patient data is audited (webaudit.go);
//   - /readyz runs as a probe allowed only to look for one Patient;
//   - anything else (static files, /healthz, /metrics) passes unchanged.
func (a *Authorizer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		switch {
		case strings.HasPrefix(path, "/auth/") || strings.HasPrefix(path, "/.well-known/"):
			a.mux.ServeHTTP(w, r)
			return
		case path == "/fhir/metadata":
			next.ServeHTTP(w, r)
			return
		case path == "/readyz":
			s, _ := ParseScopes("system/Patient.s")
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), &Principal{Subject: "readiness-probe", Role: RoleSystem, Scopes: s})))
			return
		case isWebApp(path):
			a.serveWeb(next, w, r)
			return
		case path != "/fhir" && !strings.HasPrefix(path, "/fhir/"):
			next.ServeHTTP(w, r)
			return
		}
		p, err := a.authenticate(r)
		if err != nil {
			a.record(audit.Event{Time: a.now(), Interaction: "authenticate", Action: audit.ActionExecute, Outcome: http.StatusUnauthorized,
				Address: r.RemoteAddr, Method: r.Method, Path: path})
			writeOutcome(w, err)
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(WithPrincipal(r.Context(), p)))
		patients, resources, bg := p.Touched()
		action, interaction := classify(r.Method, path)
		ev := a.event(r, p, sw.status, interaction, action, patients, resources, len(bg) > 0, "")
		a.record(ev)
	})
}

// authenticate verifies the bearer token of r.
func (a *Authorizer) authenticate(r *http.Request) (*Principal, error) {
	h := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || raw == "" {
		return nil, fhir.Errorf(fhir.KindUnauthorized, "cần đăng nhập: thiếu access token / authentication required: no bearer token")
	}
	p, err := a.cfg.Keys.verifyAccess(strings.TrimSpace(raw), a.base(r), a.fhirBase(r), a.now())
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindUnauthorized, Msg: "access token không hợp lệ hoặc đã hết hạn / invalid or expired access token", Err: err}
	}
	p.Address = r.RemoteAddr
	return p, nil
}

// event builds the audit record of a request by p.
func (a *Authorizer) event(r *http.Request, p *Principal, status int, interaction string, action audit.Action, patients, resources []string, breakGlass bool, reason string) audit.Event {
	vi, _ := p.Role.Label()
	e := audit.Event{Time: a.now(), Interaction: interaction, Action: action, Outcome: status, Method: r.Method, Path: r.URL.Path,
		Query: r.URL.RawQuery, Agent: p.FHIRUser, AgentName: p.Name, AgentRole: string(p.Role), AgentRoleVI: vi, AgentOrg: p.Organization,
		User: p.Subject, Client: p.ClientID, Address: r.RemoteAddr, Patients: patients, Resources: resources, BreakGlass: breakGlass, Reason: reason}
	switch {
	case breakGlass:
		e.Purpose = []string{"BTG", "ETREAT"}
	case p.Role == RoleResearcher:
		e.Purpose = []string{"HRESCH"}
	case p.Role == RolePatient || p.Role == RoleCaregiver:
		e.Purpose = []string{"PATRQT"}
	case p.Role == RoleSystem || p.Role == RoleAdmin:
		e.Purpose = []string{"HOPERAT"}
	default:
		e.Purpose = []string{"TREAT"}
	}
	if breakGlass && reason == "" && a.cfg.BreakGlass != nil {
		for _, id := range patients {
			if g, ok := a.cfg.BreakGlass.Active(p.Subject, id); ok {
				e.Reason = g.Reason
				break
			}
		}
	}
	return e
}

// classify names the FHIR interaction of a request for the audit record.
func classify(method, path string) (audit.Action, string) {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(path, "/fhir"), "/"), "/")
	n := len(segs)
	if segs[0] == "" {
		n = 0
	}
	last := ""
	if n > 0 {
		last = segs[n-1]
	}
	switch method {
	case http.MethodGet, http.MethodHead:
		switch {
		case strings.HasPrefix(last, "$"):
			return audit.ActionExecute, "operation"
		case last == "_history":
			return audit.ActionRead, "history"
		case n == 4 && segs[2] == "_history":
			return audit.ActionRead, "vread"
		case n == 2:
			return audit.ActionRead, "read"
		}
		return audit.ActionExecute, "search"
	case http.MethodPost:
		switch {
		case n == 0:
			return audit.ActionExecute, "transaction"
		case last == "_search":
			return audit.ActionExecute, "search"
		case strings.HasPrefix(last, "$"):
			return audit.ActionExecute, "operation"
		}
		return audit.ActionCreate, "create"
	case http.MethodPut:
		return audit.ActionUpdate, "update"
	case http.MethodPatch:
		return audit.ActionUpdate, "patch"
	case http.MethodDelete:
		return audit.ActionDelete, "delete"
	}
	return audit.ActionExecute, strings.ToLower(method)
}

// statusWriter remembers the response status for the audit record.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
