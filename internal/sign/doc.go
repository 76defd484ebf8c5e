// Package sign provides Sen's signed records: the canonical JSON form of a
// FHIR resource (RFC 8785 JSON Canonicalization Scheme, without
// meta.versionId and meta.lastUpdated), detached JWS signatures over it
// stored as FHIR Provenance resources (Provenance.signature.data, sigFormat
// application/jose), their verification with a clear account of what
// changed after signing, signing keys from PKCS#12 files and an adapter
// interface for the remote-signing services of Vietnamese certificate
// authorities, and patient confirmations (consent, receipt) by one-time
// code.
//
// It implements Circular 13/2025/TT-BYT Art. 3 (an EMR entry is signed by a
// lawful electronic signature or another e-confirmation) for Sen; see
// docs/regulations.md for what is verified and what is assumed.
//
// The package does no I/O and holds no state: keys, trust lists and clocks
// are passed in. It must not import the store, HTTP or any backend; callers
// (internal/rest, cmd/sen) fetch resources and hand their bytes in.
package sign
