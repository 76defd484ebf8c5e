package sign

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Role says what a signature attests; it selects the Provenance
// signature type from urn:iso-astm:E1762-95:2013
// (https://hl7.org/fhir/R4/valueset-signature-type.html).
type Role string

const (
	// RoleAuthor: the author finalises a note, discharge summary, order
	// or result (Author's Signature).
	RoleAuthor Role = "author"
	// RoleVerifier: a second clinician verifies (Verification Signature).
	RoleVerifier Role = "verifier"
	// RoleConsent: the patient consents, confirmed by one-time code
	// (Consent Signature).
	RoleConsent Role = "consent"
	// RoleReceipt: the patient acknowledges receiving a document, confirmed
	// by one-time code (Co-participant's Signature: the standard list has
	// no "receipt" code).
	RoleReceipt Role = "receipt"
)

// SignatureTypeSystem is the code system of Provenance.signature.type.
const SignatureTypeSystem = "urn:iso-astm:E1762-95:2013"

var roleCodes = map[Role][2]string{
	RoleAuthor:   {"1.2.840.10065.1.12.1.1", "Author's Signature"},
	RoleVerifier: {"1.2.840.10065.1.12.1.5", "Verification Signature"},
	RoleConsent:  {"1.2.840.10065.1.12.1.7", "Consent Signature"},
	RoleReceipt:  {"1.2.840.10065.1.12.1.3", "Co-participant's Signature"},
}

// Request is one signature to make.
type Request struct {
	// Target is the versioned reference of what is signed,
	// "Composition/abc/_history/3"; the version lets a verifier show what
	// changed since.
	Target string
	// Resource is the body of that version.
	Resource []byte
	// Who signs: "Practitioner/p1", or "Patient/x" for a confirmation.
	Who string
	// OnBehalfOf is the facility, "Organization/o1" (optional).
	OnBehalfOf string
	Role       Role
	// Confirmation is the one-time-code evidence of a patient
	// confirmation (RoleConsent, RoleReceipt); nil otherwise.
	Confirmation *Confirmation
	// Now is the signing time.
	Now time.Time
}

// Header names Sen adds to the JWS protected header. The target, signer
// and digest are inside the signature so a Provenance cannot be moved to
// another resource or signer, and a failed check can tell "the record
// changed" from "the signature is wrong".
const (
	hdrSigningTime = "sigT" // RFC 3339 UTC (the JAdES claimed signing time)
	hdrDigest      = "sen.dig"
	hdrTarget      = "sen.tgt"
	hdrWho         = "sen.who"
	hdrRole        = "sen.role"
	hdrConfirm     = "sen.cnf"
	hdrX5C         = "x5c"
)

// Sign signs the canonical form of req.Resource with key and returns the
// Provenance (JSON, without id) that records it: target, recorded, the
// signer as agent, and one signature whose data is the base64 of a
// detached compact JWS (sigFormat application/jose).
func Sign(ctx context.Context, key Key, req Request) ([]byte, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	payload, err := Canonical(req.Resource)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", req.Target, err)
	}
	jws, err := signDetached(ctx, key, payload, req)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", req.Target, err)
	}
	return json.Marshal(provenance(req, jws))
}

func (r Request) check() error {
	if _, _, _, err := splitRef(r.Target); err != nil {
		return fmt.Errorf("sign: target %q: want Type/id/_history/version: %w", r.Target, err)
	}
	if !strings.Contains(r.Who, "/") {
		return fmt.Errorf("sign: signer %q: want a reference such as Practitioner/id", r.Who)
	}
	if _, ok := roleCodes[r.Role]; !ok {
		return fmt.Errorf("sign: unknown role %q", r.Role)
	}
	if (r.Role == RoleConsent || r.Role == RoleReceipt) && r.Confirmation == nil {
		return fmt.Errorf("sign: a patient %s needs a one-time-code confirmation", r.Role)
	}
	if r.Now.IsZero() {
		return errors.New("sign: no signing time")
	}
	return nil
}

func signDetached(ctx context.Context, key Key, payload []byte, req Request) (string, error) {
	chain := key.Certificates()
	if len(chain) == 0 {
		return "", errors.New("the key has no certificate")
	}
	x5c := make([]string, len(chain))
	for i, c := range chain {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	dig := sha256.Sum256(payload)
	opts := (&jose.SignerOptions{}).
		WithHeader(hdrX5C, x5c).
		WithHeader(hdrSigningTime, req.Now.UTC().Format(time.RFC3339)).
		WithHeader(hdrDigest, base64.RawURLEncoding.EncodeToString(dig[:])).
		WithHeader(hdrTarget, req.Target).
		WithHeader(hdrWho, req.Who).
		WithHeader(hdrRole, string(req.Role))
	if req.Confirmation != nil {
		opts = opts.WithHeader(hdrConfirm, req.Confirmation)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: key.Algorithm(), Key: key.joseKey(ctx)}, opts)
	if err != nil {
		return "", fmt.Errorf("JWS signer: %w", err)
	}
	obj, err := s.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("JWS: %w", err)
	}
	return obj.DetachedCompactSerialize()
}

// Provenance is the part of a FHIR Provenance that signing uses.
type Provenance struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id,omitempty"`
	Meta         *meta       `json:"meta,omitempty"`
	Target       []reference `json:"target"`
	Recorded     string      `json:"recorded"`
	Activity     *concept    `json:"activity,omitempty"`
	Agent        []agent     `json:"agent"`
	Signature    []signature `json:"signature"`
}

type meta struct {
	VersionID   string `json:"versionId,omitempty"`
	LastUpdated string `json:"lastUpdated,omitempty"`
}

type reference struct {
	Reference string `json:"reference"`
}

type coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding"`
}

type agent struct {
	Type       *concept   `json:"type,omitempty"`
	Who        reference  `json:"who"`
	OnBehalfOf *reference `json:"onBehalfOf,omitempty"`
}

type signature struct {
	Type         []coding   `json:"type"`
	When         string     `json:"when"`
	Who          reference  `json:"who"`
	OnBehalfOf   *reference `json:"onBehalfOf,omitempty"`
	TargetFormat string     `json:"targetFormat,omitempty"`
	SigFormat    string     `json:"sigFormat,omitempty"`
	Data         string     `json:"data,omitempty"`
}

// SigFormat is the media type of a detached JWS signature.
const SigFormat = "application/jose"

func provenance(req Request, jws string) Provenance {
	rc := roleCodes[req.Role]
	when := req.Now.UTC().Format(time.RFC3339)
	agentType := "author"
	switch req.Role {
	case RoleVerifier:
		agentType = "verifier"
	case RoleConsent, RoleReceipt:
		agentType = "informant"
	}
	a := agent{
		Type: &concept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/provenance-participant-type", Code: agentType}}},
		Who:  reference{req.Who},
	}
	sig := signature{
		Type:         []coding{{System: SignatureTypeSystem, Code: rc[0], Display: rc[1]}},
		When:         when,
		Who:          reference{req.Who},
		TargetFormat: "application/fhir+json",
		SigFormat:    SigFormat,
		Data:         base64.StdEncoding.EncodeToString([]byte(jws)),
	}
	if req.OnBehalfOf != "" {
		a.OnBehalfOf = &reference{req.OnBehalfOf}
		sig.OnBehalfOf = &reference{req.OnBehalfOf}
	}
	return Provenance{
		ResourceType: "Provenance",
		Target:       []reference{{req.Target}},
		Recorded:     when,
		Activity: &concept{Coding: []coding{{
			System: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", Code: "AUTHEN", Display: "authenticator"}}},
		Agent:     []agent{a},
		Signature: []signature{sig},
	}
}

// ParseProvenance decodes a Provenance.
func ParseProvenance(body []byte) (*Provenance, error) {
	var p Provenance
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("provenance: %v: %w", err, ErrMalformed)
	}
	if p.ResourceType != "Provenance" {
		return nil, fmt.Errorf("provenance: resourceType is %q: %w", p.ResourceType, ErrMalformed)
	}
	return &p, nil
}

// Targets returns the Provenance's target references.
func (p *Provenance) Targets() []string {
	out := make([]string, 0, len(p.Target))
	for _, t := range p.Target {
		out = append(out, t.Reference)
	}
	return out
}

// Signed reports whether the Provenance carries a JWS signature Sen can check.
func (p *Provenance) Signed() bool {
	for _, s := range p.Signature {
		if s.SigFormat == SigFormat && s.Data != "" {
			return true
		}
	}
	return false
}

// splitRef splits "Type/id/_history/v" (version optional).
func splitRef(ref string) (typ, id, version string, err error) {
	parts := strings.Split(ref, "/")
	switch {
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return parts[0], parts[1], "", nil
	case len(parts) == 4 && parts[0] != "" && parts[1] != "" && parts[2] == "_history" && parts[3] != "":
		return parts[0], parts[1], parts[3], nil
	}
	return "", "", "", errors.New("not a relative reference")
}

// SplitTarget splits a target reference "Type/id/_history/v" into its
// type, id and version ("" when unversioned).
func SplitTarget(ref string) (typ, id, version string, err error) {
	typ, id, version, err = splitRef(ref)
	if err != nil {
		return "", "", "", fmt.Errorf("target %q: %w", ref, err)
	}
	return typ, id, version, nil
}
