// Package view runs SQL-on-FHIR v2 ViewDefinitions
// (https://sql-on-fhir.org/ig/latest/StructureDefinition-ViewDefinition.html):
// it compiles a ViewDefinition into a tree of parsed FHIRPath expressions,
// evaluates it over FHIR resources to stream flat rows, and writes those
// rows as CSV, NDJSON, a JSON array or Parquet.
//
// It owns: the ViewDefinition model and its validation (column names,
// unionAll compatibility, constants), the row-producing algorithm of the
// specification (select, column, forEach, forEachOrNull, repeat, unionAll,
// where, %rowIndex), and the output writers. The FHIRPath language itself,
// including getResourceKey() and getReferenceKey(), lives in
// internal/fhirpath.
//
// A compiled View is immutable and safe for concurrent use; Eval keeps its
// per-resource state on the stack of the call.
//
// It must not import the store, search, rest or any backend package:
// resources arrive through the small Source interface declared here, so the
// HTTP operation ($run) and the command line can feed it from any store.
package view
