// Package searchtest is the FHIR search conformance suite run against every
// storage backend: it loads Synthea bundles through the bulk import path,
// runs a table of searches (GET and POST _search, type, system and
// compartment level) through the REST handler, and compares every answer
// with the one it computes itself from the raw bundles in plain Go — never
// from Sen's index, parser or store.
//
// Backends call Run from their tests (see sqlite_test.go). It imports the
// store contract, rest, operation and search; it must not import a backend
// (its own tests do).
package searchtest
