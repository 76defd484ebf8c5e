// Package job is Sen's small persistent background job runner: a queue
// kept in its own SQLite file (jobs.db in the data directory), workers
// that claim due jobs under a lease, retries with exponential backoff,
// recurring schedules, and Prometheus metrics for queue depth and
// outcomes.
//
// Delivery is at least once: a job whose worker dies (crash, restart,
// lease expired) is handed out again, so handlers must be idempotent.
// Enqueue is idempotent by key: a second job with the same key is not
// added while the first exists (in any state), which is how reminders
// and periodic scans survive re-planning and restarts without
// duplicates.
//
// The package owns the jobs.db schema and opens it with the same SQLite
// driver the store uses by default (github.com/mattn/go-sqlite3). It
// knows nothing about FHIR: payloads are bytes. It must not import the
// store, REST, or any clinical package; those register handlers with a
// Runner.
package job
