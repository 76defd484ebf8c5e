// Package operation implements Sen's FHIR operations and bulk data paths,
// one file per operation with the specification it follows:
//
//   - everything.go: Patient $everything (https://hl7.org/fhir/R4/patient-operation-everything.html)
//   - export.go, exportjob.go: Bulk Data Access IG v2 $export
//     (https://hl7.org/fhir/uv/bulkdata/STU2/export.html), asynchronous
//     jobs persisted under the data directory
//   - bulkimport.go, rewrite.go, source.go: loading Synthea transaction
//     bundles and NDJSON files through internal/ingest (sen import)
//
// It talks to storage only through the store.Store contract and knows no
// HTTP: internal/rest mounts the operations and turns their results and
// errors into responses. It must not import a storage backend, internal/rest
// or anything under cmd/.
package operation
