// Package smart tests Sen's SMART App Launch authorization server against
// a real OAuth 2.0 / OpenID Connect client library: smart_test.go serves
// Sen (authorization server, store guard, audit, FHIR API) on a loopback
// port and runs smart.mjs, which uses openid-client from npm for the
// authorization code flow with PKCE S256, the token exchange, a FHIR read
// with the access token and refresh-token rotation.
//
// It may import any internal package, as cmd/sen does; nothing imports it.
package smart
