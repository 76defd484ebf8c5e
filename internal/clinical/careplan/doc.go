// Package careplan is Sen's integrated and community care logic: the
// people around a patient (CareTeam members from hospitals, commune health
// stations, community health workers, social services and the family as
// RelatedPerson, each with a role and sector), the plan (CarePlan goals and
// their progress computed from the record's Observations), the work passed
// between organisations (ServiceRequest + Task: discharge follow-up,
// referral, reminders) under the FHIR R4 Task state machine, and home-visit
// worklists for commune health stations and community health workers,
// prioritised by risk and grouped by village.
//
// It owns the Task transition table (taskstate.go), goal evaluation
// (goal.go), the worklist scoring (worklist.go, frailty.go) and the FHIR
// resources it builds (careteam.go, workflow.go, visit.go). It reads and
// writes FHIR JSON that the caller passes in and gets back; it must not
// import the store, REST, web or a backend, so that the same rules serve
// the API, the apps and batch jobs. It may import clinical/risk (adherence
// risk), ucum (unit conversion for goal targets) and fhir (error kinds).
package careplan
