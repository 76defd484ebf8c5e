// Package store defines Sen's storage contract: versioned FHIR resources with
// their search-index entries, written together in one database transaction.
// Backends (store/sqlite, store/postgres) implement it and must pass the
// conformance suite in store/storetest.
//
// The contract knows FHIR resources and search queries, never HTTP. Only
// cmd/sen chooses a concrete backend; everything else takes a Store.
package store
