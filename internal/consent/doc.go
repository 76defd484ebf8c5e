// Package consent decides whether a patient's FHIR Consent resources permit
// an actor (an organisation, practitioner or practitioner role) to see the
// patient's record (consent.go), and keeps break-glass grants: emergency
// access with a stated reason, limited in time and flagged for review
// (breakglass.go).
//
// It reads Consent JSON given to it and holds no policy beyond the Consent
// semantics; package auth asks it. It must not import internal/auth,
// internal/rest, a storage backend or cmd/.
package consent
