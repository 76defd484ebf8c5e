// Package bhyt provides Vietnam's health-insurance (BHYT) claim XML under
// Decision 130/QĐ-BYT as amended by 4750, 3176 and 1931: the table
// definitions (XML0 check-in, XML1–XML5, XML7 discharge paper, XML13
// referral, XML14 follow-up appointment) with field lengths, required
// fields and code lists; the generation of those tables from FHIR
// (Patient, Coverage, Encounter, Condition, MedicationRequest,
// ChargeItem, Observation, Procedure, Composition); decimal money
// arithmetic with the published rounding; field-by-field validation that
// reports one error per field; and the GIAMDINHHS envelope (each table
// base64-encoded) with a pluggable facility signature.
//
// Facts come from /work/shared/vn/REGULATIONS.md §2; which are verified
// and which are assumed is listed in docs/regulations.md. The FHIR
// conventions Sen uses to carry claim-only data (catalogue codes, groups,
// coverage percentages) are in fhir.go.
//
// The package is pure (no I/O, no state) and imports only internal/vn; it
// must not import the store, HTTP or any backend.
package bhyt
