// Package reminder turns dose schedules into reminders and delivers them.
//
// It owns the reminder policy (lead time, quiet hours, refill reminders
// before supply runs out), the delivery state machine (pending → sent, or
// retried with exponential backoff → failed), the channel adapters behind
// one interface (SMS gateway, Zalo ZNS template messages, Web Push, and a
// log adapter) over an injected Transport (Fake records deliveries for
// tests; there is no network code here), and escalation to the care team
// (a FHIR Task) after N consecutive missed doses when the patient
// consented. Time comes in as Now func() time.Time; reminder ids are
// derived from patient, medicine and dose time, so re-planning never
// duplicates a reminder.
//
// Dispatch keeps state in the caller's hands; Scheduler (scheduler.go)
// instead persists every reminder as a job in internal/job's queue, so a
// running server survives restarts without losing or repeating one. The
// package must not import the store, REST or a backend; it uses
// internal/clinical/medication for dose confirmations and internal/job.
package reminder
