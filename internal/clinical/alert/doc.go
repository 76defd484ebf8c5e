// Package alert raises and resolves care-team alerts about medication
// use: a FHIR Flag on the patient's record and a Task for their care team
// when the proportion of days covered (PDC, PQA definition) of a medicine
// falls below 80 %, or when the non-adherence risk model scores the
// patient high; both carry the reasons in Vietnamese and English and link
// their evidence (the last dispense of each under-covered medicine, the
// RiskAssessment). Alerts are deduplicated by a business identifier per
// patient and kind — while one is active no second is raised — and are
// resolved (Flag inactive, open Task cancelled) once the patient
// recovers.
//
// Evaluate is pure; Scanner reads and writes through the FHIR REST
// handler (an http.Handler called in-process), so writes are validated
// and indexed like any client's, and the package needs no store. It uses
// internal/clinical/medication and internal/clinical/risk for the
// measures; it must not import the store, a backend, or internal/rest.
package alert
