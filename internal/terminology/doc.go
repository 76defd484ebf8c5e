// Package terminology is Sen's terminology service for Vietnam: the code
// systems Sen ships (ICD-10 with the Vietnamese Ministry of Health titles,
// WHO ATC with Vietnamese generic names, a LOINC subset with Vietnamese
// names), the value sets built on them, and the enumerable R4 core value
// sets of internal/fhir/r4. It answers the FHIR terminology operations
// $lookup, $validate-code, $expand and $subsumes
// (https://hl7.org/fhir/R4/terminology-service.html) as Go calls and as
// FHIR JSON (CodeSystem, ValueSet, Parameters), and gives other packages
// MemberOf, Subsumes, Descendants and Ancestors for search modifiers
// (:in, :not-in, :below, :above) and FHIRPath memberOf().
//
// It owns the embedded tables in data/ (sources and licences in
// docs/terminology.md). A Terminology is immutable once built and safe for
// concurrent use.
//
// It may import internal/fhir, internal/fhir/r4, internal/fhirpath and
// internal/vn. It must not import storage (internal/store/...), HTTP
// (internal/rest) or anything under cmd/.
package terminology
