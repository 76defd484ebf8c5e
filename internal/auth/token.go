package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
)

// AccessTokenTTL is how long an access token lives; apps refresh after it.
const AccessTokenTTL = 15 * time.Minute

// accessClaims are the claims of Sen's access tokens (JWT, ES256).
type accessClaims struct {
	jwt.Claims
	Scope            string   `json:"scope"`
	ClientID         string   `json:"client_id"`
	Role             Role     `json:"sen_role"`
	Name             string   `json:"name,omitempty"`
	FHIRUser         string   `json:"fhirUser,omitempty"`
	Organization     string   `json:"sen_org,omitempty"`
	PractitionerRole string   `json:"sen_practitioner_role,omitempty"`
	Patients         []string `json:"sen_patients,omitempty"`
	Patient          string   `json:"patient,omitempty"` // SMART launch context
}

// issueAccess signs an access token for p, valid for AccessTokenTTL.
func (k *Keys) issueAccess(issuer, audience string, p *Principal, now time.Time) (string, error) {
	sig, err := k.signer()
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	c := accessClaims{
		Claims: jwt.Claims{Issuer: issuer, Subject: p.Subject, Audience: jwt.Audience{audience},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			Expiry: jwt.NewNumericDate(now.Add(AccessTokenTTL)), ID: uuid.NewString()},
		Scope: p.Scopes.String(), ClientID: p.ClientID, Role: p.Role, Name: p.Name, FHIRUser: p.FHIRUser,
		Organization: p.Organization, PractitionerRole: p.PractitionerRole, Patients: p.Patients, Patient: p.LaunchPatient,
	}
	return jwt.Signed(sig).Claims(c).Serialize()
}

// verifyAccess checks an access token's signature, issuer, audience and
// lifetime and returns its principal.
func (k *Keys) verifyAccess(raw, issuer, audience string, now time.Time) (*Principal, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("parse token: %w", err)
	}
	if len(tok.Headers) != 1 {
		return nil, errors.New("token must have one signature")
	}
	key, ok := k.verificationKey(tok.Headers[0].KeyID)
	if !ok {
		return nil, errors.New("token signed by an unknown or retired key")
	}
	var c accessClaims
	if err := tok.Claims(key, &c); err != nil {
		return nil, fmt.Errorf("token signature: %w", err)
	}
	if err := c.Claims.ValidateWithLeeway(jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{audience}, Time: now}, 30*time.Second); err != nil {
		return nil, fmt.Errorf("token claims: %w", err)
	}
	scopes, err := ParseScopes(c.Scope)
	if err != nil {
		return nil, err
	}
	return &Principal{Subject: c.Subject, Name: c.Name, Role: c.Role, FHIRUser: c.FHIRUser, Organization: c.Organization,
		PractitionerRole: c.PractitionerRole, Patients: c.Patients, LaunchPatient: c.Patient, Scopes: scopes,
		ClientID: c.ClientID, TokenID: c.ID}, nil
}

// idClaims are the OpenID Connect ID token claims SMART apps read.
type idClaims struct {
	jwt.Claims
	FHIRUser string `json:"fhirUser,omitempty"`
	Name     string `json:"name,omitempty"`
	Nonce    string `json:"nonce,omitempty"`
}

func (k *Keys) issueID(issuer, clientID string, u *User, nonce string, now time.Time) (string, error) {
	sig, err := k.signer()
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	c := idClaims{Claims: jwt.Claims{Issuer: issuer, Subject: u.ID, Audience: jwt.Audience{clientID},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}, FHIRUser: u.FHIRUser, Name: u.Name, Nonce: nonce}
	return jwt.Signed(sig).Claims(c).Serialize()
}
