// Package concurrency tests the FHIR API under concurrent clients on real
// stores: If-Match updates lose nothing and answer every conflict with
// 412, concurrent conditional creates and updates with the same condition
// make exactly one resource, and histories are gap-free. It serves
// internal/rest over a real backend on a loopback port.
package concurrency
