package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/consent"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/record"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// The record rules of Vietnamese law that sen serve enforces on every
// request (docs/regulations.md): retention (no deletion before the period
// of Circular 33/2025 has run) and the time-of-day access windows per role
// of technical guidance 365/TTYQG-GPQLCL function (g).

// recordRuleFlags configure them.
type recordRuleFlags struct {
	accessWindows []string // role=HH:MM-HH:MM [days]; …
	bhyt          bhytSendFlags
}

func (f *recordRuleFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.accessWindows, "access-window", nil,
		`time-of-day access window of a role, Vietnam time (repeatable; ";" separates entries): `+
			`"researcher=08:00-17:00 mon-fri", "nurse=19:00-07:00", "student=never"; a role named nowhere is unrestricted`)
	f.bhyt.register(cmd)
}

// parseAccessWindows checks the configured windows against the user roles.
func (f *recordRuleFlags) parseAccessWindows() (record.AccessWindows, error) {
	w, err := record.ParseAccessWindows(f.accessWindows, func(role string) error {
		_, err := auth.ParseRole(role)
		return err
	})
	if err != nil {
		return record.AccessWindows{}, fmt.Errorf("--access-window: %w", err)
	}
	return w, nil
}

// retentionGuard wraps st so that a clinical record cannot be deleted
// before its retention period has run; the guard reads the episode's
// Conditions by search.
func retentionGuard(st store.Store, model *r4.Model, now func() time.Time) *record.Guard {
	g := record.NewGuard(st, now)
	g.Conditions = func(ctx context.Context, r store.Reader, encounterID string) ([][]byte, error) {
		return encounterConditions(ctx, r, model, encounterID)
	}
	return g
}

// encounterConditions lists the Conditions recorded in an encounter.
func encounterConditions(ctx context.Context, r store.Reader, model *r4.Model, encounterID string) ([][]byte, error) {
	q, err := search.ParseQuery(model, "Condition", url.Values{"encounter": {"Encounter/" + encounterID}, "_count": {"200"}}, false)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for {
		page, err := r.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Resources {
			out = append(out, c.JSON)
		}
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// breakGlassHeader carries the reason of an emergency access outside the
// user's access window, on any /fhir request.
const breakGlassHeader = "X-Sen-Break-Glass"

type windowOverrideKey struct{}

// windowUser is the WindowGuard's Who: the signed-in user's role, and
// whether this request broke the glass.
func windowUser(ctx context.Context) (role string, override, ok bool) {
	p := auth.PrincipalFrom(ctx)
	if p == nil {
		return "", false, false
	}
	o, _ := ctx.Value(windowOverrideKey{}).(bool)
	return string(p.Role), o, true
}

// mayBreakGlass is who may open emergency access: clinical staff and
// administrators, as for a patient's record (auth's break-glass).
func mayBreakGlass(r auth.Role) bool {
	switch r {
	case auth.RoleDoctor, auth.RoleNurse, auth.RolePharmacist, auth.RoleStationStaff, auth.RoleHealthWorker,
		auth.RoleSocialWorker, auth.RoleAdmin:
		return true
	}
	return false
}

// windowBreakGlass runs inside the token check. A request that carries a
// break-glass reason while its user is outside the access window is let
// through the window (and only the window: the patient relationship is
// still checked), after the reason is checked and an AuditEvent flagged
// for review is written with it. A short reason is refused (400); a role
// that may not break the glass is refused (403).
func (s *security) windowBreakGlass(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reason := strings.TrimSpace(r.Header.Get(breakGlassHeader))
		p := auth.PrincipalFrom(r.Context())
		if reason == "" || p == nil || len(s.windows.Roles) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		now := s.clock()
		if s.windows.Allow(string(p.Role), now) == nil {
			next.ServeHTTP(w, r) // inside the window: nothing to override
			return
		}
		if !mayBreakGlass(p.Role) {
			writeFHIRError(w, fhir.Errorf(fhir.KindForbidden, "chỉ nhân viên y tế được truy cập khẩn cấp / only clinical staff may break the glass"))
			return
		}
		if len([]rune(reason)) < consent.MinReasonLength {
			writeFHIRError(w, fhir.Errorf(fhir.KindInvalid, "%s: %s", breakGlassHeader, consent.ErrReason.Error()))
			return
		}
		ev := windowEvent(p, r, now, "break-glass-window", http.StatusOK, reason)
		ev.BreakGlass, ev.Purpose = true, []string{"BTG", "ETREAT"}
		s.audit.Record(ev)
		s.log.Warn("access window overridden (break-glass) / vượt khung giờ truy cập (khẩn cấp)", "user", p.Subject, "role", p.Role,
			"path", r.URL.Path, "reason", reason, "windows", s.windows.Describe(string(p.Role)))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), windowOverrideKey{}, true)))
	})
}

// windowDenied audits a refusal by the access windows.
func (s *security) windowDenied(ctx context.Context, e *record.OutsideWindowError) {
	p := auth.PrincipalFrom(ctx)
	if p == nil {
		return
	}
	s.audit.Record(windowEvent(p, nil, s.clock(), "access-window", http.StatusForbidden, e.English()))
	s.log.Warn("outside the access window / ngoài khung giờ truy cập", "user", p.Subject, "role", p.Role, "windows", e.Windows)
}

// windowEvent is the AuditEvent of an access-window decision.
func windowEvent(p *auth.Principal, r *http.Request, now time.Time, interaction string, status int, reason string) audit.Event {
	vi, _ := p.Role.Label()
	e := audit.Event{Time: now, Interaction: interaction, Action: audit.ActionExecute, Outcome: status, Agent: p.FHIRUser,
		AgentName: p.Name, AgentRole: string(p.Role), AgentRoleVI: vi, AgentOrg: p.Organization, User: p.Subject,
		Client: p.ClientID, Address: p.Address, Reason: reason, Purpose: []string{"TREAT"}}
	if r != nil {
		e.Method, e.Path, e.Query = r.Method, r.URL.Path, r.URL.RawQuery
	}
	return e
}

// writeFHIRError answers with err's status and OperationOutcome.
func writeFHIRError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.WriteHeader(fhir.StatusOf(err))
	_, _ = w.Write(fhir.OutcomeOf(err).JSON())
}
