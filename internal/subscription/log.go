package subscription

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver internal/job uses
)

// Outcomes of a delivery attempt in the log.
const (
	Delivered = "delivered" // the receiver answered 2xx
	Failed    = "failed"    // will be retried
	GaveUp    = "gave-up"   // last attempt failed: the Subscription is now in error
	Skipped   = "skipped"   // the Subscription was off, in error, ended or gone
)

// Entry is one delivery attempt.
type Entry struct {
	ID             int64
	Subscription   string // Subscription/{id}
	Resource       string // Type/id/_history/version
	IdempotencyKey string
	Attempt        int
	At             time.Time
	Outcome        string
	HTTPStatus     int // 0 when no answer came
	Error          string
	Duration       time.Duration
}

// Log is the delivery log, one SQLite file. Safe for concurrent use.
type Log struct{ db *sql.DB }

const logSchema = `
CREATE TABLE IF NOT EXISTS deliveries (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	subscription    TEXT    NOT NULL,
	resource        TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL,
	attempt         INTEGER NOT NULL,
	at              INTEGER NOT NULL, -- unix milliseconds
	outcome         TEXT    NOT NULL,
	http_status     INTEGER NOT NULL,
	error           TEXT    NOT NULL,
	millis          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_by_subscription ON deliveries(subscription, id);
`

// OpenLog opens (creating if needed) the log file at path.
func OpenLog(ctx context.Context, path string) (*Log, error) {
	if path == "" {
		return nil, errors.New("subscription: open log: empty path")
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000")
	if err != nil {
		return nil, fmt.Errorf("subscription: open log %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, logSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("subscription: create log schema in %s: %w", path, err)
	}
	return &Log{db: db}, nil
}

// Close closes the file.
func (l *Log) Close() error { return l.db.Close() }

// Record appends e.
func (l *Log) Record(ctx context.Context, e Entry) error {
	_, err := l.db.ExecContext(ctx, `INSERT INTO deliveries(subscription, resource, idempotency_key, attempt, at, outcome, http_status, error, millis)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Subscription, e.Resource, e.IdempotencyKey, e.Attempt, e.At.UnixMilli(), e.Outcome, e.HTTPStatus, e.Error, e.Duration.Milliseconds())
	if err != nil {
		return fmt.Errorf("subscription: record delivery of %s to %s: %w", e.Resource, e.Subscription, err)
	}
	return nil
}

// List returns the latest attempts for subscription ("Subscription/{id}"),
// newest first, at most limit (default 100).
func (l *Log) List(ctx context.Context, subscription string, limit int) ([]Entry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := l.db.QueryContext(ctx, `SELECT id, subscription, resource, idempotency_key, attempt, at, outcome, http_status, error, millis
		FROM deliveries WHERE subscription = ? ORDER BY id DESC LIMIT ?`, subscription, limit)
	if err != nil {
		return nil, fmt.Errorf("subscription: list deliveries of %s: %w", subscription, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at, millis int64
		if err := rows.Scan(&e.ID, &e.Subscription, &e.Resource, &e.IdempotencyKey, &e.Attempt, &at, &e.Outcome, &e.HTTPStatus, &e.Error, &millis); err != nil {
			return nil, fmt.Errorf("subscription: list deliveries of %s: %w", subscription, err)
		}
		e.At, e.Duration = time.UnixMilli(at).UTC(), time.Duration(millis)*time.Millisecond
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("subscription: list deliveries of %s: %w", subscription, err)
	}
	return out, nil
}
