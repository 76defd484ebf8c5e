// Package alert raises and resolves care-team alerts about medication
// use: a FHIR Flag on the patient's record and a Task for their care team
// when the proportion of days covered (PDC, PQA definition) of a medicine
// falls below 80 %, when the non-adherence risk model scores the patient
// high, when the patient reports N or more doses of a medicine missed in a
// row (default 3), or when the patient reports a side effect in a chat
// check-in. All carry the reasons in Vietnamese and English and link
// their evidence (the last dispense of each under-covered medicine, the
// RiskAssessment, the not-done MedicationAdministrations, the side-effect
// Communication). Alerts are deduplicated by a business identifier per
// patient and kind, and per medicine for missed doses and side effects:
// while one is open no second is raised. PDC, risk and missed-dose alerts
// are resolved (Flag inactive, open Task cancelled) once the patient
// recovers; an event alert (missed doses, side effect) also ends when the
// care team completes or cancels its Task, and a new one needs reports no
// earlier alert linked.
//
// Evaluate is pure; Scanner reads and writes through the FHIR REST
// handler (an http.Handler called in-process), so writes are validated
// and indexed like any client's, and the package needs no store.
// Scanner.CheckIn records a parsed chat message (internal/chat) in one
// transaction and raises its alerts at once. Sweeper is the background
// sweep of a serving Sen: the patients whose record changed since its
// checkpoint (_lastUpdated searches), all patients every day, paced and
// in slices that resume after a restart. It uses
// internal/clinical/medication, internal/clinical/risk and internal/chat;
// it must not import the store, a backend, or internal/rest.
package alert
