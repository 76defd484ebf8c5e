// Package vn provides the Vietnamese localisation core of Sen: diacritic
// folding and tone-mark normalisation, the administrative units in force
// since 1 July 2025 (34 provinces, 3,321 communes, no districts) together
// with the 63 pre-reform provinces and the 54 ethnic groups, parsers and
// generators for the national identifiers (CCCD personal ID, BHYT card,
// mobile phone numbers), FHIR Address and HumanName conventions for
// Vietnam, and the FHIR identifier-system URIs the rest of Sen uses.
//
// The facts it encodes come from /work/shared/vn/REGULATIONS.md §3–§6 and
// the data from /work/shared/vn (see data/SOURCE.md); docs/identifiers.md
// and docs/addresses.md describe the conventions for callers.
//
// The package is pure: it does no I/O besides reading its embedded data,
// holds no mutable package state (the parsed tables are built once and are
// immutable afterwards), and must not import any other Sen package, HTTP,
// or database code. FHIR resources are exchanged as map[string]any so that
// the package does not depend on Sen's FHIR model.
package vn
