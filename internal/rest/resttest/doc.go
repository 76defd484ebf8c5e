// Package resttest holds acceptance checks of the FHIR REST handler that
// every storage backend must pass: loading the Synthea bundles as
// transactions and reading every resource back. Tests of store/sqlite,
// store/postgres and cmd/sen call it with their own handler.
//
// It imports only net/http and test helpers, never a backend.
package resttest
