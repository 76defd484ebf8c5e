// Package sendqueue provides the BHYT claim sending queue: claims are
// enqueued when their encounter closes, sent through a bhyt.Gateway by a
// job.Runner (XML0 check-in first when present, then the GIAMDINHHS
// envelope), retried with backoff after temporary failures, given up on a
// final rejection, and every gateway receipt is kept. Each claim carries
// its deadline (a configurable time after the encounter ends: Circular
// 48/2017 says "right after the encounter ends", a draft says 3 hours);
// a claim sent or still pending past it is reported as late.
//
// It owns the "bhyt-claim" job kind and the receipts directory. It
// imports internal/job and internal/vn/bhyt only; it must not import the
// store, REST or FHIR packages (callers build the envelope).
package sendqueue
