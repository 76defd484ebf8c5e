// Package client tests Sen against a real FHIR client library:
// client_test.go serves the REST handler on a loopback port and runs
// client.js (fhir-kit-client from npm) against it.
package client
