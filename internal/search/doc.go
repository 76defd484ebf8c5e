// Package search owns FHIR search semantics that do not depend on a
// database (https://hl7.org/fhir/R4/search.html):
//
//   - extraction (index.go, path.go and one file per parameter type:
//     token.go, string.go, reference.go, date.go, number.go, composite.go):
//     an Indexer evaluates the official R4 SearchParameter expressions on a
//     resource and turns the values into typed Entries plus the Patient
//     compartments the resource belongs to. Simple expressions run as
//     precompiled paths over the decoded JSON; the rest through fhirpath.
//     Not extracted: _lastUpdated (the store's own column) and the special
//     parameters near, _text, _content and _query (Indexer.Skipped);
//   - query parsing (parse.go, values.go, result.go, escape.go): ParseQuery
//     turns request parameters into a Query (entry.go and query.go hold the
//     shared types);
//   - the special parameters: _filter (filter.go, a parser of
//     search_filter.html that maps each comparison onto a Clause), the
//     basic _text/_content word matching (text.go), and Match (match.go),
//     the Go evaluation of a Clause over a resource's entries, for
//     resources that have no index rows (contained resources);
//   - Normalize, the case- and diacritic-folding used by string search.
//
// Storage backends translate a Query into their own SQL. This package may
// import internal/fhir, internal/fhir/r4, internal/fhirpath, internal/vn
// and internal/ucum; it must not import any storage, HTTP or clinical
// package.
package search
