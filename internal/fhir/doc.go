// Package fhir holds the small vocabulary every other Sen package shares:
// the resource envelope (type, id, version, last-updated, raw JSON), the
// error kinds and their single mapping to HTTP status and OperationOutcome
// issue codes.
//
// It knows nothing about storage, HTTP routing or search, and must not import
// any other Sen package; the generated R4 tables live in the sub-package r4.
package fhir
