// Package resttest holds acceptance checks of the FHIR REST handler that
// every storage backend must pass: loading the Synthea bundles as
// transactions and reading every resource back. Tests of store/sqlite,
// store/postgres and cmd/sen call it with their own handler.
//
// It also provides small test doubles (MemStore, IdentifierIndexer,
// ParseIdentifierQuery) so handler tests run without a database. It must
// never import a storage backend.
package resttest
