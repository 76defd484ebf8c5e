// Package rest is Sen's FHIR R4 RESTful API (https://hl7.org/fhir/R4/http.html):
// the interactions read, vread, create, update, patch, delete, history,
// search, capabilities, batch and transaction, one file each, with the
// whole surface listed in routes.go. Handlers return errors; they become
// OperationOutcomes with the right HTTP status in one place (respond.go).
//
// It talks to storage only through the store.Store contract and to search,
// indexing and validation through the small interfaces in config.go. It must
// not import a storage backend (store/sqlite, store/postgres) or anything
// under cmd/.
package rest
