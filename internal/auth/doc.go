// Package auth decides who may do what in Sen: user accounts and OAuth
// clients (accounts.go, password.go, totp.go), the SMART App Launch 2.0
// authorization server (smart.go, authorize.go, token.go, backend.go,
// keys.go), SMART v2 scopes (scope.go), roles and the access policy
// (role.go, policy.go, relation.go), and the enforcement points: the HTTP
// middleware that turns a bearer token into a Principal (middleware.go) and
// the store decorator that checks every read, search, history and write
// against that Principal (guard.go, deid.go).
//
// Policy lives here and in package consent, never in REST handlers: the
// handlers see a store.Store that answers 403 (KindForbidden) or filters
// results. Accounts, clients, keys and refresh tokens live in a small SQL
// database of their own (auth.db in the data directory), not in the FHIR
// store, whose contract holds FHIR resources only; users point at their FHIR
// identity (Practitioner, Patient, RelatedPerson) by reference.
//
// It may import internal/fhir, internal/store (the contract), internal/search,
// internal/consent and internal/audit. It must not import a storage backend,
// internal/rest or cmd/.
package auth
