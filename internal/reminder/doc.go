// Package reminder turns dose schedules into reminders and delivers them.
//
// It owns the reminder policy (lead time, quiet hours, refill reminders
// before supply runs out), the delivery state machine (pending → sent, or
// retried with exponential backoff → failed), the channels behind one
// interface, and escalation to the care team (a FHIR Task) after N
// consecutive missed doses when the patient consented. Time comes in as
// Now func() time.Time; reminder ids are derived from patient, medicine
// and dose time, so re-planning never duplicates a reminder.
//
// Channels (channel.go, gateway.go, webpush.go, router.go): SMS through a
// generic HTTP gateway and Zalo ZNS template messages over the HTTP
// Transport (time-outs, key headers, the gateway's answer read into a
// receipt or a *GatewayError: 4xx and refusals are permanent, time-outs
// and 5xx temporary); Web Push encrypted and VAPID-signed with
// github.com/SherClockHolmes/webpush-go to the subscriptions kept in
// PushStore (push.db, outside the record); Log for development. Router
// tries the patient's preferred channel, then push → zalo → sms. Fake
// records deliveries for tests.
//
// Dispatch keeps state in the caller's hands; Scheduler (scheduler.go)
// instead persists every reminder as a job in internal/job's queue, so a
// running server survives restarts without losing or repeating one;
// permanent errors fail the job at once. The package must not import the
// store, REST or a backend; it uses internal/clinical/medication for dose
// confirmations, internal/vn for phone numbers and internal/job.
package reminder
