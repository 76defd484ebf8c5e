// Package record provides the medical record as Vietnamese law sees it:
// retention classes and periods (Circular 33/2025/TT-BYT) with a guard
// that refuses deletion before expiry and a report of what is due; the
// main record forms (outpatient record, inpatient record, discharge paper,
// prescription) rendered from FHIR as printable HTML; the export of a
// patient's record in the HoSoBenhAn schema of technical guidance
// 365/TTYQG-GPQLCL (XML or JSON); the national e-prescription payload and
// prescription code (assigned to finalised MedicationRequests in
// groupIdentifier); the per-episode VNeID health-book summary, signed by
// the facility; both built from the store by Source and sent through an
// adapter interface (fakes for tests, plain HTTP clients for the national
// systems); and the physical purge of expired records (Guard.Judge,
// Guard.Purge through a backend's Expunger).
//
// Facts and their sources are in /work/shared/vn/REGULATIONS.md §1 and §3;
// docs/regulations.md lists which article each feature meets and which
// details are assumed.
//
// It imports internal/fhir (errors), internal/store (the contract, for the
// deletion guard) and internal/vn; it must not import a storage backend or
// HTTP server code (its only HTTP is the clients of national_http.go).
package record
