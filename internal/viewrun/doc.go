// Package viewrun runs SQL-on-FHIR v2 ViewDefinitions against Sen's data:
// it implements the $run operation
// (https://sql-on-fhir.org/ig/latest/OperationDefinition-ViewDefinitionRun.html)
// — parsing its Parameters, resolving viewResource / viewReference,
// choosing the data (inline resource parameters or the store, filtered by
// patient, group and _since), limiting rows and picking the output format —
// and the asynchronous $viewdefinition-export, which writes one file per
// view under a directory and reports them in a status manifest.
//
// It owns the store-backed view.Source (paging store.Search over one
// type), the NDJSON and in-memory sources, and the export job table. The
// ViewDefinition language itself lives in internal/view.
//
// It talks to storage only through the store.Reader contract and knows no
// HTTP routing: internal/rest mounts the operations. It must not import a
// storage backend, internal/rest or anything under cmd/.
package viewrun
