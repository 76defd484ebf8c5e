// Package search owns FHIR search semantics that do not depend on a
// database: extracting typed index entries from a resource by evaluating the
// official SearchParameter FHIRPath expressions (index.go and one file per
// parameter type), parsing a search request into a Query, and the string
// normalisation that makes search case- and diacritic-insensitive.
//
// Storage backends translate a Query into their own SQL; this package must
// not import any storage, HTTP or clinical package.
package search
