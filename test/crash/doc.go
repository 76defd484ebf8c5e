// Package crash is Sen's crash-safety harness: it builds the sen binary,
// serves a store, drives concurrent transactions and If-Match updates,
// kills the server with SIGKILL at random moments, restarts it and checks
// that every acknowledged write survived, that no unacknowledged
// transaction is half present, that version histories have no gaps, that
// `sen check` finds the index consistent, and that the server starts
// cleanly every time. It runs on SQLite and on PostgreSQL (SEN_TEST_POSTGRES).
//
// It is slow (minutes), so it runs only when SEN_CRASH=1 or
// SEN_REQUIRE_ALL=1 (CI) is set; SEN_CRASH_CYCLES overrides the 100 kills.
// It imports nothing from Sen: it tests the binary from outside.
package crash
