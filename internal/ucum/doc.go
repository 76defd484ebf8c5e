// Package ucum converts quantities written in UCUM (the Unified Code for
// Units of Measure, https://ucum.org/ucum) to a canonical form in base
// units, so that quantity search can compare 5.4 mg with 5400 ug
// (FHIR R4 search.html#quantity, "canonical units").
//
// The unit table is the official ucum-essence.xml, embedded and parsed once
// into an immutable table on first use. The package understands prefixes,
// base and derived units, products, quotients, exponents, integer factors,
// parentheses and annotations ({...}, which count as 1). Special (non-ratio)
// units are converted only where it is unambiguous and useful for clinical
// search: Cel, [degF] and [degRe] alone (to K); other special units (pH,
// decibels, ...) are reported as ErrNotCanonical. Arbitrary units ([IU],
// [arb'U], ...) are kept as their own dimension.
//
// The package is pure and must not import any other Sen package.
package ucum
