package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/consent"
	"github.com/sen-emr/sen/internal/fhir"
)

// launchCtx is an EHR launch: a signed-in user opened an app from Sen with
// a patient in context.
type launchCtx struct {
	user, patient string
	expires       time.Time
}

// withToken runs h with the principal of the request's bearer token.
func (a *Authorizer) withToken(h func(http.ResponseWriter, *http.Request, *Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := a.authenticate(r)
		if err != nil {
			writeOutcome(w, err)
			return
		}
		h(w, r, p)
	}
}

func writeOutcome(w http.ResponseWriter, err error) {
	kind := fhir.KindOf(err)
	w.Header().Set("Content-Type", "application/fhir+json")
	if kind == fhir.KindUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sen"`)
	}
	w.WriteHeader(kind.Status())
	_, _ = w.Write(fhir.OutcomeOf(err).JSON())
}

// createLaunch registers an EHR launch: POST {"patient": "id"} by a
// signed-in clinician returns {"launch": "..."} to pass to the app with
// iss=<FHIR base>.
func (a *Authorizer) createLaunch(w http.ResponseWriter, r *http.Request, p *Principal) {
	var body struct {
		Patient string `json:"patient"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil || !fhir.ValidID(body.Patient) {
		writeOutcome(w, fhir.Errorf(fhir.KindInvalid, "cần mã người bệnh / want {\"patient\": \"<id>\"}"))
		return
	}
	if p.Role == RoleSystem {
		writeOutcome(w, fhir.Errorf(fhir.KindForbidden, "a launch needs a signed-in user"))
		return
	}
	id := randomToken(16)
	a.mu.Lock()
	a.purgeLocked()
	a.launches[id] = &launchCtx{user: p.Subject, patient: body.Patient, expires: a.now().Add(10 * time.Minute)}
	a.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]string{"launch": id, "iss": a.fhirBase(r)})
}

// openBreakGlass grants emergency access: POST {"patient": "id", "reason":
// "..."}. The grant is time-limited, audited with purpose BTG and flagged
// for review.
func (a *Authorizer) openBreakGlass(w http.ResponseWriter, r *http.Request, p *Principal) {
	if a.cfg.BreakGlass == nil {
		writeOutcome(w, fhir.Errorf(fhir.KindUnsupported, "break-glass is not enabled on this server"))
		return
	}
	if !p.Role.clinical() && p.Role != RoleAdmin {
		writeOutcome(w, fhir.Errorf(fhir.KindForbidden, "chỉ nhân viên y tế được truy cập khẩn cấp / only clinical staff may break the glass"))
		return
	}
	var body struct {
		Patient string `json:"patient"`
		Reason  string `json:"reason"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8192)).Decode(&body); err != nil || !fhir.ValidID(body.Patient) {
		writeOutcome(w, fhir.Errorf(fhir.KindInvalid, `want {"patient": "<id>", "reason": "<why>"}`))
		return
	}
	if _, err := a.cfg.Store.Read(r.Context(), "Patient", body.Patient); err != nil {
		writeOutcome(w, fhir.Errorf(fhir.KindNotFound, "không tìm thấy người bệnh / no such patient"))
		return
	}
	g, err := a.cfg.BreakGlass.Open(r.Context(), p.Subject, body.Patient, body.Reason)
	if err != nil {
		if errors.Is(err, consent.ErrReason) {
			writeOutcome(w, fhir.Errorf(fhir.KindInvalid, "%s", err.Error()))
			return
		}
		a.log.Error("open break-glass", "err", err)
		writeOutcome(w, &fhir.Error{Kind: fhir.KindInternal, Msg: "internal error", Err: err})
		return
	}
	a.record(a.event(r, p, http.StatusCreated, "break-glass", audit.ActionExecute, []string{body.Patient}, nil, true, body.Reason))
	a.log.Warn("break-glass opened", "user", p.Subject, "patient", body.Patient, "reason", body.Reason, "expires", g.Expires)
	writeJSON(w, http.StatusCreated, grantJSON(g))
}

func grantJSON(g consent.Grant) map[string]any {
	return map[string]any{"id": g.ID, "user": g.User, "patient": g.Patient, "reason": g.Reason,
		"opened": g.Opened.UTC().Format(time.RFC3339), "expires": g.Expires.UTC().Format(time.RFC3339), "reviewedBy": g.ReviewedBy}
}

// listBreakGlass lists grants awaiting review (administrators).
func (a *Authorizer) listBreakGlass(w http.ResponseWriter, r *http.Request, p *Principal) {
	if p.Role != RoleAdmin || a.cfg.BreakGlass == nil {
		writeOutcome(w, fhir.Errorf(fhir.KindForbidden, "chỉ quản trị viên / administrators only"))
		return
	}
	out := []map[string]any{}
	for _, g := range a.cfg.BreakGlass.Pending() {
		out = append(out, grantJSON(g))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *Authorizer) reviewBreakGlass(w http.ResponseWriter, r *http.Request, p *Principal) {
	if p.Role != RoleAdmin || a.cfg.BreakGlass == nil {
		writeOutcome(w, fhir.Errorf(fhir.KindForbidden, "chỉ quản trị viên / administrators only"))
		return
	}
	if err := a.cfg.BreakGlass.Review(r.Context(), r.PathValue("id"), p.Subject); err != nil {
		if errors.Is(err, consent.ErrNoGrant) {
			writeOutcome(w, fhir.Errorf(fhir.KindNotFound, "%s", err.Error()))
			return
		}
		a.log.Error("review break-glass", "err", err)
		writeOutcome(w, &fhir.Error{Kind: fhir.KindInternal, Msg: "internal error", Err: err})
		return
	}
	a.record(a.event(r, p, http.StatusOK, "break-glass-review", audit.ActionExecute, nil, nil, false, ""))
	w.WriteHeader(http.StatusNoContent)
}

// accessLog answers "who looked at my record": GET
// /auth/access-log?patient=<id>&lang=vi|en for a patient (their own record)
// or a caregiver (a linked patient).
func (a *Authorizer) accessLog(w http.ResponseWriter, r *http.Request, p *Principal) {
	patient := r.URL.Query().Get("patient")
	if patient == "" && len(p.Patients) > 0 {
		patient = p.Patients[0]
	}
	if !(p.Role == RolePatient || p.Role == RoleCaregiver) || !contains(p.Patients, patient) {
		writeOutcome(w, fhir.Errorf(fhir.KindForbidden, "chỉ người bệnh và người chăm sóc xem được nhật ký truy cập của hồ sơ mình / only the patient and their caregivers see this access log"))
		return
	}
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = "vi"
	}
	entries, err := audit.AccessLog(r.Context(), a.cfg.Store, patient, lang, 200)
	if err != nil {
		a.log.Error("access log", "err", err)
		writeOutcome(w, &fhir.Error{Kind: fhir.KindInternal, Msg: "internal error", Err: err})
		return
	}
	a.record(a.event(r, p, http.StatusOK, "access-log", audit.ActionRead, []string{patient}, nil, false, ""))
	writeJSON(w, http.StatusOK, map[string]any{"patient": patient, "lang": lang, "entries": entries})
}
