package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sen-emr/sen/internal/consent"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Relation says why a principal may reach a patient's record.
type Relation string

const (
	RelNone         Relation = ""
	RelSelf         Relation = "self"         // the patient themself
	RelLinked       Relation = "linked"       // a caregiver linked to the patient
	RelOrganization Relation = "organization" // the patient is managed by the user's organisation
	RelCareTeam     Relation = "care-team"    // the user (or their organisation) is on the patient's care team
	RelConsent      Relation = "consent"      // the patient consented to sharing with the user's organisation
	RelBreakGlass   Relation = "break-glass"  // emergency access, audited and flagged
	RelService      Relation = "service"      // a backend service within its system/ scopes
	RelResearch     Relation = "research"     // de-identified access for research
)

// Access is the decision for one principal and one patient.
type Access struct {
	Relation   Relation
	DeIdentify bool // serve de-identified copies only
}

// Allowed reports whether there is any relation.
func (a Access) Allowed() bool { return a.Relation != RelNone }

// Policy decides access to patients' records from the principal, the
// patient's data (organisation, care teams, consents) and break-glass grants.
// It reads through the store.Reader it is given and never writes.
type Policy struct {
	BreakGlass *consent.BreakGlass // nil: no break-glass
	Now        func() time.Time
}

func (pol *Policy) now() time.Time {
	if pol.Now == nil {
		return time.Now()
	}
	return pol.Now()
}

// PatientAccess decides whether p may reach the record of patient id.
// write asks for changing it rather than reading. Results are memoised on
// p for the rest of the request.
func (pol *Policy) PatientAccess(ctx context.Context, r store.Reader, p *Principal, id string, write bool) (Access, error) {
	key := id
	if write {
		key = "w:" + id
	}
	p.mu.Lock()
	if a, ok := p.cache[key]; ok {
		p.mu.Unlock()
		return a, nil
	}
	p.mu.Unlock()
	a, err := pol.decide(ctx, r, p, id, write)
	if err != nil {
		return Access{}, err
	}
	p.mu.Lock()
	if p.cache == nil {
		p.cache = map[string]Access{}
	}
	p.cache[key] = a
	if a.Relation == RelBreakGlass && !contains(p.breakGlass, id) {
		p.breakGlass = append(p.breakGlass, id)
	}
	p.mu.Unlock()
	return a, nil
}

func (pol *Policy) decide(ctx context.Context, r store.Reader, p *Principal, id string, write bool) (Access, error) {
	// SMART patient/ scopes with a launch context limit everything to that
	// patient, whatever the user's role would allow.
	if p.LaunchPatient != "" && p.LaunchPatient != id && !p.hasUserOrSystemScopes() {
		return Access{}, nil
	}
	switch p.Role {
	case RoleSystem:
		return Access{Relation: RelService}, nil
	case RolePatient:
		if contains(p.Patients, id) {
			return Access{Relation: RelSelf}, nil
		}
		return Access{}, nil
	case RoleCaregiver:
		if contains(p.Patients, id) {
			return Access{Relation: RelLinked}, nil
		}
		return Access{}, nil
	case RoleResearcher:
		if write {
			return Access{}, nil
		}
		return Access{Relation: RelResearch, DeIdentify: true}, nil
	}
	if p.Role.clinical() {
		rel, err := pol.clinicalRelation(ctx, r, p, id)
		if err != nil {
			return Access{}, err
		}
		if rel != RelNone {
			return Access{Relation: rel}, nil
		}
	}
	if pol.BreakGlass != nil && (p.Role.clinical() || p.Role == RoleAdmin) {
		if _, ok := pol.BreakGlass.Active(p.Subject, id); ok {
			return Access{Relation: RelBreakGlass}, nil
		}
	}
	return Access{}, nil
}

func (p *Principal) hasUserOrSystemScopes() bool {
	for _, rs := range p.Scopes.Resource {
		if rs.Context != "patient" {
			return true
		}
	}
	return false
}

// clinicalRelation finds why a clinician's organisation may see the
// patient: an explicit Consent decision first (a patient's "deny" to an
// organisation overrides its managing the patient), then the patient's
// organisation, care teams, and a permitting Consent.
func (pol *Policy) clinicalRelation(ctx context.Context, r store.Reader, p *Principal, id string) (Relation, error) {
	actors := p.actors()
	if len(actors) == 0 {
		return RelNone, nil
	}
	consents, err := findByPatient(ctx, r, "Consent", "patient", id)
	if err != nil {
		return RelNone, err
	}
	var parsed []*consent.Consent
	for _, b := range consents {
		if c, err := consent.Parse(b); err == nil {
			parsed = append(parsed, c)
		}
	}
	decision := consent.Evaluate(parsed, actors, pol.now())
	if decision == consent.Deny {
		return RelNone, nil
	}
	pat, err := r.Read(ctx, "Patient", id)
	switch {
	case err == nil:
		var body struct {
			ManagingOrganization *struct{ Reference string }  `json:"managingOrganization"`
			GeneralPractitioner  []struct{ Reference string } `json:"generalPractitioner"`
		}
		_ = json.Unmarshal(pat.JSON, &body)
		if body.ManagingOrganization != nil && contains(actors, body.ManagingOrganization.Reference) {
			return RelOrganization, nil
		}
		for _, g := range body.GeneralPractitioner {
			if contains(actors, g.Reference) {
				return RelOrganization, nil
			}
		}
	case fhir.KindOf(err) == fhir.KindNotFound || fhir.KindOf(err) == fhir.KindGone:
	default:
		return RelNone, fmt.Errorf("read Patient/%s for access decision: %w", id, err)
	}
	teams, err := findByPatient(ctx, r, "CareTeam", "patient", id)
	if err != nil {
		return RelNone, err
	}
	for _, b := range teams {
		var t struct {
			Status      string `json:"status"`
			Participant []struct {
				Member     *struct{ Reference string } `json:"member"`
				OnBehalfOf *struct{ Reference string } `json:"onBehalfOf"`
			} `json:"participant"`
			ManagingOrganization []struct{ Reference string } `json:"managingOrganization"`
		}
		if json.Unmarshal(b, &t) != nil || t.Status == "inactive" || t.Status == "entered-in-error" {
			continue
		}
		for _, m := range t.Participant {
			if m.Member != nil && contains(actors, m.Member.Reference) || m.OnBehalfOf != nil && contains(actors, m.OnBehalfOf.Reference) {
				return RelCareTeam, nil
			}
		}
		for _, o := range t.ManagingOrganization {
			if contains(actors, o.Reference) {
				return RelCareTeam, nil
			}
		}
	}
	if decision == consent.Permit {
		return RelConsent, nil
	}
	return RelNone, nil
}

// findByPatient returns the bodies of resources of typ whose reference
// parameter param points at Patient/id (at most 200: care teams and
// consents per patient are few).
func findByPatient(ctx context.Context, r store.Reader, typ, param, id string) ([][]byte, error) {
	q := &search.Query{Type: typ, Count: 200, Total: "none", Clauses: []search.Clause{{Param: param, Type: search.TypeReference,
		Values: []search.Value{{Raw: "Patient/" + id, RefType: "Patient", RefID: id}}}}}
	page, err := r.Search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("find %s of Patient/%s: %w", typ, id, err)
	}
	out := make([][]byte, 0, len(page.Resources))
	for _, res := range page.Resources {
		out = append(out, res.JSON)
	}
	return out, nil
}

// managedBy reports whether a Patient body names one of actors as its
// managing organisation or general practitioner.
func managedBy(body []byte, actors []string) bool {
	var pat struct {
		ManagingOrganization *struct{ Reference string }  `json:"managingOrganization"`
		GeneralPractitioner  []struct{ Reference string } `json:"generalPractitioner"`
	}
	if json.Unmarshal(body, &pat) != nil {
		return false
	}
	if pat.ManagingOrganization != nil && contains(actors, pat.ManagingOrganization.Reference) {
		return true
	}
	for _, g := range pat.GeneralPractitioner {
		if contains(actors, g.Reference) {
			return true
		}
	}
	return false
}
