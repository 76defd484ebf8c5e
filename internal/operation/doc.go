// Package operation implements Sen's FHIR operations and bulk data paths,
// one file per operation with the specification it follows:
//
//   - everything.go: Patient $everything (https://hl7.org/fhir/R4/patient-operation-everything.html)
//   - export.go: Bulk Data Access IG v2 $export
//     (https://hl7.org/fhir/uv/bulkdata/STU2/export.html), asynchronous
//     jobs persisted under the data directory; ndjson.go is its offline
//     sibling (sen export)
//   - bulkimport.go: loading Synthea transaction bundles and NDJSON files
//     through internal/ingest (sen import), with rewrite.go (urn:uuid and
//     conditional references to final ids), header.go (cheap resourceType/id
//     extraction), source.go (files, folders, bzip2/gzip) and journal.go
//     (resuming an interrupted import)
//
// It talks to storage only through the store.Store contract and knows no
// HTTP: internal/rest mounts the operations and turns their results and
// errors into responses. It must not import a storage backend, internal/rest
// or anything under cmd/.
package operation
