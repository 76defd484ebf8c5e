// Package medication provides the core of Sen's medication-use loop: it
// turns a prescription (FHIR R4 MedicationRequest.dosageInstruction) into
// concrete dose times and human sentences in Vietnamese and English, turns
// dispensing records (MedicationDispense) into supply episodes and refill
// due dates, and measures adherence: PDC as defined by the Pharmacy Quality
// Alliance, CMA1–CMA9 with treatment episodes, per-episode and
// sliding-window CMAs as defined by AdhereR (Dima & Dediu 2017), and dose
// timing from dose confirmations (MedicationAdministration or app events).
//
// The package owns the arithmetic and the conventions (meal times, the
// Vietnamese defaults, how FHIR when-codes map to clock times); the
// definitions and sources are written up in docs/adherence.md.
//
// It is pure computation over the parts of FHIR JSON it decodes with
// encoding/json into its own small structs: it holds no package state,
// does no I/O, and must not import HTTP, database or storage packages nor
// any other Sen package. Callers fetch resources and pass them in.
package medication
