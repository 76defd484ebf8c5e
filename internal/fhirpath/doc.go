// Package fhirpath parses and evaluates FHIRPath expressions
// (https://hl7.org/fhirpath/N1/, with the FHIR R4 additions of
// https://hl7.org/fhir/R4/fhirpath.html) over FHIR resources held as
// decoded JSON.
//
// An expression is parsed once (Parse) and evaluated many times
// (Expression.Evaluate); evaluation is safe for concurrent use because the
// parsed tree is never mutated. Resources are never decoded into per-type Go
// structs: DecodeJSON keeps the generic JSON tree and evaluation navigates
// it, asking an optional Model for element types (choice types, is/as/ofType,
// the type hierarchy). Without a Model evaluation is untyped but still works
// for paths, functions and operators.
//
// It owns: the lexer, parser, the value model (FHIR nodes and System values:
// String, Integer, Decimal, Date, DateTime, Time, Quantity), the function
// library, and the small UCUM conversion table used by quantity comparison.
//
// It must not import the store, search, rest or any backend package; the
// only FHIR package it knows is internal/fhir/r4 (type information), through
// the R4 adapter.
package fhirpath
