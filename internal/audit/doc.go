// Package audit writes Sen's audit trail: one FHIR AuditEvent for every
// access and change (event.go), chained by hash so that any altered or
// deleted event is detected (chain.go, verify.go). The writer batches events
// into the FHIR store (writer.go) and keeps the head of the chain outside it
// (anchor.go), so that removing the newest events is detected too.
// accesslog.go renders a patient's own audit trail as plain Vietnamese or
// English sentences ("who looked at my record").
//
// It writes through the store.Store contract and must not import
// internal/auth, internal/rest, a storage backend or cmd/.
package audit
