package auth

import (
	"context"
	"sync"
)

// Principal is who is making a request, as established from a verified
// access token: the account, its role and FHIR identity, the granted scopes
// and the SMART launch context. One Principal serves one request; it
// memoises relationship look-ups for that request only, so a change in the
// data (a new Consent, a new care team) counts from the next request.
type Principal struct {
	Subject          string // account id (user) or client id (backend service)
	Name             string // display name
	Role             Role
	FHIRUser         string   // Practitioner/1, Patient/2, RelatedPerson/3
	Organization     string   // Organization/4: the organisation the user works for
	PractitionerRole string   // PractitionerRole/5
	Patients         []string // patient ids: the patient themself, or those a caregiver is linked to
	LaunchPatient    string   // SMART launch context: the patient in context
	Scopes           Scopes
	ClientID         string
	TokenID          string
	Address          string // remote address of the request

	mu    sync.Mutex
	cache map[string]Access
	// touched collects, for the audit record, the patients and resources this
	// request read or changed.
	touchedPatients  []string
	touchedResources []string
	breakGlass       []string // patients reached through break-glass
	denied           bool
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p. When ctx belongs to a web page
// request that the Middleware audits (webaudit.go), p is also handed back
// to the Middleware, which records what the page showed once it is served.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	if s, ok := ctx.Value(slotKey{}).(*principalSlot); ok {
		s.set(p)
	}
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of the request, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// actors are the references consents and care teams may name for p.
func (p *Principal) actors() []string {
	var out []string
	for _, r := range []string{p.Organization, p.FHIRUser, p.PractitionerRole} {
		if r != "" {
			out = append(out, r)
		}
	}
	return out
}

const maxTouched = 50

func (p *Principal) touch(patients []string, resource string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range patients {
		if !contains(p.touchedPatients, id) && len(p.touchedPatients) < maxTouched {
			p.touchedPatients = append(p.touchedPatients, id)
		}
	}
	if resource != "" && len(p.touchedResources) < maxTouched && !contains(p.touchedResources, resource) {
		p.touchedResources = append(p.touchedResources, resource)
	}
}

// Touched returns the patients and resources the request reached.
func (p *Principal) Touched() (patients, resources, breakGlass []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.touchedPatients...), append([]string(nil), p.touchedResources...), append([]string(nil), p.breakGlass...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
