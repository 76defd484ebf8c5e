// Package storetest is the conformance suite of the store contract: every
// backend's tests call Run with a constructor of fresh, empty stores, so that
// SQLite and PostgreSQL are held to exactly the same behaviour (CRUD,
// versions, deletes, history, If-Match, create-only, rollback, concurrency,
// and every search parameter type and modifier).
//
// Fixtures are hand-built search.Indexed values, so the suite does not depend
// on the FHIRPath extraction in package search. It imports only the store
// contract, fhir and search, never a backend.
package storetest
