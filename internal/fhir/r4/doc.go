// Package r4 provides the FHIR R4 (4.0.1) definitions Sen is built on: resource,
// complex and primitive types with their snapshot elements, search parameters,
// the Patient compartment and the value sets behind required bindings.
//
// The data is generated from the official hl7.fhir.r4.core#4.0.1 definitions by
// the program in ./gen and embedded as r4.gen.json.gz (types, elements, search
// parameters, compartments) and r4.valuesets.gen.json.gz (value sets, decoded
// on first use), so a fresh clone builds without the definitions at hand.
// Regenerate with `go generate` in this directory (the shared folder is a flag
// of the generator); gen's tests fail when the committed files are stale.
//
// Load returns the one shared, immutable *Model; every method is safe for
// concurrent use and returned slices and pointers must not be modified.
//
// Spec: https://hl7.org/fhir/R4/downloads.html (definitions), https://hl7.org/fhir/R4/elementdefinition.html
//
// This package owns the read-only R4 model and nothing else. It must not import
// any other Sen package: everything (fhirpath, search, store, validation) builds
// on it, never the other way round.
package r4

//go:generate go run ./gen -shared ../../../../shared/fhir/r4 -out .
