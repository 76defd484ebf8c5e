// Package subscription delivers FHIR R4 Subscriptions over the rest-hook
// channel (https://hl7.org/fhir/R4/subscription.html).
//
// It owns four things: the checks on a Subscription when it is written
// (criteria parse as a search, channel is a rest-hook to an http(s)
// endpoint; status requested becomes active); a store decorator that,
// after each committed transaction, queues a match job for every resource
// version of a subscribed type; the job handlers that match a version
// against each active Subscription's criteria (the criteria search
// restricted with _id) and deliver the notification with retries and
// backoff; and the delivery log (its own SQLite file).
//
// Delivery is at least once. Each notification carries an Idempotency-Key
// header that is the same on every attempt for one Subscription and one
// resource version, so a receiver can drop repeats. Jobs live in a
// persistent internal/job queue, so a restart neither loses nor repeats a
// delivered notification; a receiver that stays unavailable for all
// attempts puts the Subscription in status error.
//
// It imports the store contract, search and job; it must not import a
// store backend, rest or web (cmd/sen wires them).
package subscription
