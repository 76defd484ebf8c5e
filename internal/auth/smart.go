package auth

import (
	"encoding/json"
	"net/http"
)

// smartConfiguration serves the SMART discovery document.
//
// https://build.fhir.org/ig/HL7/smart-app-launch/conformance.html
func (a *Authorizer) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.SMARTConfiguration(a.base(r)))
}

// SMARTConfiguration is the discovery document for the server at base.
func (a *Authorizer) SMARTConfiguration(base string) map[string]any {
	return map[string]any{
		"issuer":                                base,
		"jwks_uri":                              base + "/auth/jwks",
		"authorization_endpoint":                base + "/auth/authorize",
		"token_endpoint":                        base + "/auth/token",
		"revocation_endpoint":                   base + "/auth/revoke",
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt", "none"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS384", "ES384", "RS256", "ES256"},
		"response_types_supported":                         []string{"code"},
		"scopes_supported": []string{"openid", "fhirUser", "launch", "launch/patient", "offline_access", "online_access",
			"patient/*.cruds", "user/*.cruds", "system/*.cruds", "patient/*.rs", "user/*.rs", "system/*.rs"},
		"code_challenge_methods_supported": []string{"S256"},
		// OpenID Connect clients assume RS256 unless told otherwise.
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"capabilities": []string{"launch-ehr", "launch-standalone", "client-public", "client-confidential-asymmetric",
			"context-ehr-patient", "context-standalone-patient", "sso-openid-connect", "permission-offline", "permission-online",
			"permission-patient", "permission-user", "permission-v1", "permission-v2", "authorize-post"},
	}
}

// SecurityExtension is the CapabilityStatement rest.security element that
// points clients at the SMART endpoints of the server at base.
func (a *Authorizer) SecurityExtension(base string) map[string]any {
	return map[string]any{
		"cors": true,
		"service": []map[string]any{{"coding": []map[string]any{{
			"system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "SMART-on-FHIR"}},
			"text": "OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)"}},
		"extension": []map[string]any{{
			"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
			"extension": []map[string]any{
				{"url": "token", "valueUri": base + "/auth/token"},
				{"url": "authorize", "valueUri": base + "/auth/authorize"},
				{"url": "revoke", "valueUri": base + "/auth/revoke"},
			},
		}},
	}
}

func (a *Authorizer) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.cfg.Keys.Public())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// oauthError writes an RFC 6749 §5.2 error response.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
