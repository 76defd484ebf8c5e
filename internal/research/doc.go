// Package research governs de-identified research extracts: a researcher
// requests a dataset (resource types and a cohort, for a stated purpose),
// a data custodian who is not the researcher approves or rejects it, and
// only then is the extract produced, once, through
// clinical/population's de-identification (keyed pseudonyms, shifted
// dates, province-only places) after a k-anonymity check on the
// quasi-identifiers (birth year, sex, province) that refuses when a class
// is smaller than k. Every step, allowed or refused, is written to the
// audit trail as an AuditEvent with purpose of use HRESCH.
//
// request.go holds the request and its state machine, service.go the
// operations and their audit, kanon.go the release check. Requests are
// kept through the small Requests interface declared here (memory.go is
// the in-memory one used by tests and single-node deployments).
//
// It imports internal/clinical/population, internal/audit (the Event type
// only) and internal/fhir (error kinds); it must not import a storage
// backend, internal/rest or cmd/.
package research
