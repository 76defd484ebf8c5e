// Package patch applies the two patch formats FHIR R4 accepts on the patch
// interaction: JSON Patch (RFC 6902, application/json-patch+json) and
// FHIRPath Patch (a Parameters resource, https://hl7.org/fhir/R4/fhirpatch.html).
//
// It works on resource JSON only and knows nothing of HTTP or storage; the
// caller supplies element cardinality (IsList) from the R4 model so that this
// package need not import it. It must not import any Sen package other than
// internal/fhir.
package patch
