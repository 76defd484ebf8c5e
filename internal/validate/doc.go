// Package validate checks that a FHIR R4 resource, given as JSON, conforms to
// the base specification: the JSON representation rules
// (https://hl7.org/fhir/R4/json.html), element names, types and cardinality
// from the StructureDefinitions, primitive formats
// (https://hl7.org/fhir/R4/datatypes.html#primitive), required terminology
// bindings whose value sets can be enumerated, reference syntax and target
// types (https://hl7.org/fhir/R4/references.html), contained resources and
// Bundle entries, and the invariants (constraints) of the core definitions
// evaluated with FHIRPath (https://hl7.org/fhir/R4/conformance-rules.html).
//
// It reports every problem it finds as a fhir.Issue with a FHIRPath location,
// and never fails with an error or panic on bad input. Profiles other than the
// base definitions and terminology servers are out of scope.
//
// It owns the validation rules only. It imports internal/fhir (the issue
// vocabulary), internal/fhir/r4 (the definitions) and internal/fhirpath
// (invariants); it must not import storage, search, HTTP or clinical packages,
// so that any of them may validate.
package validate
