// Package web serves Sen's two human faces, server-rendered in Vietnamese
// first and English on request:
//
//   - /app, the clinician app: sign in (or the demo picker), find a patient
//     (name without diacritics, CCCD, BHYT, phone, date of birth), the
//     patient summary on one screen, recording notes, vitals and problems,
//     prescribing with a schedule preview, dispensing, and worklists;
//   - /me, the patient app (an installable PWA): today's doses with one-tap
//     confirmation, missed doses, my medicines in plain words, my results,
//     and who accessed my record.
//
// Templates and static files are embedded; the only JavaScript is a few
// hand-written lines (schedule preview, service worker). Charts are inline
// SVG drawn on the server.
//
// The package reads FHIR resources through the store.Reader contract and
// writes through the FHIR REST handler it is given (so writes are validated,
// indexed and audited like any API write). It declares the small Identity
// interface it needs from authentication (webauth.Identity adapts
// auth.Principal) and runs without one in demo (no-auth) mode. Clinical
// arithmetic comes from clinical/medication, Vietnamese names and
// identifiers from vn, messages from i18n.
//
// It may import store (the contract), search, fhir, i18n, vn, audit (the
// patient's access log), clinical/medication and chat (the conversation's
// FHIR vocabulary; Config.Chat does the recording). It must not import a storage backend, rest or cmd/sen;
// webtest (test doubles) may import rest.
package web
