package job

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver the store uses by default
)

// State is where a job is in its life.
type State string

// Job states. Queued jobs wait for RunAt; Running jobs hold a lease; Done
// and Failed are final.
const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// Job is one unit of background work.
type Job struct {
	ID          int64
	Kind        string // selects the Handler
	Key         string // idempotency key, unique across the queue
	Payload     []byte
	RunAt       time.Time // not before
	Attempts    int       // claims so far, including the current one
	MaxAttempts int
	State       State
	LastError   string
}

// NewJob is what Enqueue adds.
type NewJob struct {
	Kind string
	// Key makes Enqueue idempotent: a job whose key is already in the
	// queue (whatever its state) is not added again. Empty means
	// Kind + RunAt, i.e. one job of a kind per instant.
	Key     string
	Payload []byte
	RunAt   time.Time
	// MaxAttempts before the job fails (0 means DefaultMaxAttempts).
	MaxAttempts int
}

// DefaultMaxAttempts is used when NewJob.MaxAttempts is 0.
const DefaultMaxAttempts = 5

// ErrNotFound is returned by Get for an unknown key.
var ErrNotFound = errors.New("job: not found")

// Queue is a persistent job queue in one SQLite file. Its methods are safe
// for concurrent use; one process owns the file at a time.
type Queue struct {
	db *sql.DB
}

const schema = `
CREATE TABLE IF NOT EXISTS jobs (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	kind         TEXT    NOT NULL,
	key          TEXT    NOT NULL UNIQUE,
	payload      BLOB,
	run_at       INTEGER NOT NULL, -- unix milliseconds
	attempts     INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	state        TEXT    NOT NULL,
	lease_until  INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT    NOT NULL DEFAULT '',
	updated      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs(state, run_at);
`

// Open opens (creating if needed) the queue file at path.
func Open(ctx context.Context, path string) (*Queue, error) {
	if path == "" {
		return nil, errors.New("job: open: empty path")
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000")
	if err != nil {
		return nil, fmt.Errorf("job: open %s: %w", path, err)
	}
	// One connection serialises claims, so two workers never take the
	// same job and SQLite never answers "database is locked".
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("job: create schema in %s: %w", path, err)
	}
	return &Queue{db: db}, nil
}

// Close closes the file. Calls after Close fail.
func (q *Queue) Close() error { return q.db.Close() }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// Enqueue adds a job unless one with the same key exists; added reports
// which. A zero RunAt means due at once.
func (q *Queue) Enqueue(ctx context.Context, n NewJob) (bool, error) {
	added, err := q.EnqueueBatch(ctx, []NewJob{n})
	if err != nil {
		return false, err
	}
	return added[0], nil
}

// EnqueueBatch adds jobs in one transaction (one disk sync for a whole
// patient's reminders), skipping those whose key exists, and reports
// which it added. On error nothing is added.
func (q *Queue) EnqueueBatch(ctx context.Context, jobs []NewJob) (added []bool, err error) {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("job: enqueue: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO jobs(kind, key, payload, run_at, max_attempts, state, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING`)
	if err != nil {
		return nil, fmt.Errorf("job: enqueue: %w", err)
	}
	defer stmt.Close()
	for _, n := range jobs {
		if n.Kind == "" {
			return nil, errors.New("job: enqueue: empty kind")
		}
		if n.MaxAttempts <= 0 {
			n.MaxAttempts = DefaultMaxAttempts
		}
		var runAt int64
		if !n.RunAt.IsZero() {
			runAt = ms(n.RunAt)
		}
		if n.Key == "" {
			n.Key = fmt.Sprintf("%s@%d", n.Kind, runAt)
		}
		res, err := stmt.ExecContext(ctx, n.Kind, n.Key, n.Payload, runAt, n.MaxAttempts, Queued, runAt)
		if err != nil {
			return nil, fmt.Errorf("job: enqueue %s: %w", n.Key, err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return nil, fmt.Errorf("job: enqueue %s: %w", n.Key, err)
		}
		added = append(added, k == 1)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("job: enqueue: %w", err)
	}
	return added, nil
}

// Claim takes the earliest due job — a queued one whose RunAt has come,
// or a running one whose lease expired (its worker died) — marks it
// running until now+lease and counts the attempt. ok is false when
// nothing is due. A job whose lease expired on its last attempt fails
// instead of running again.
func (q *Queue) Claim(ctx context.Context, now time.Time, lease time.Duration) (j Job, ok bool, err error) {
	t := ms(now)
	if _, err := q.db.ExecContext(ctx, `UPDATE jobs SET state = ?, last_error = 'lease expired on the last attempt', updated = ?
		WHERE state = ? AND lease_until <= ? AND attempts >= max_attempts`, Failed, t, Running, t); err != nil {
		return Job{}, false, fmt.Errorf("job: claim: %w", err)
	}
	row := q.db.QueryRowContext(ctx, `UPDATE jobs SET state = ?, attempts = attempts + 1, lease_until = ?, updated = ?
		WHERE id = (SELECT id FROM jobs
			WHERE (state = ? AND run_at <= ?) OR (state = ? AND lease_until <= ?)
			ORDER BY run_at, id LIMIT 1)
		RETURNING id, kind, key, payload, run_at, attempts, max_attempts, last_error`,
		Running, ms(now.Add(lease)), t, Queued, t, Running, t)
	var runAt int64
	err = row.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &runAt, &j.Attempts, &j.MaxAttempts, &j.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, fmt.Errorf("job: claim: %w", err)
	}
	j.RunAt, j.State = fromMS(runAt), Running
	return j, true, nil
}

// Complete marks a claimed job done.
func (q *Queue) Complete(ctx context.Context, id int64, now time.Time) error {
	if _, err := q.db.ExecContext(ctx, `UPDATE jobs SET state = ?, lease_until = 0, last_error = '', updated = ? WHERE id = ?`,
		Done, ms(now), id); err != nil {
		return fmt.Errorf("job: complete %d: %w", id, err)
	}
	return nil
}

// Retry records a failed attempt: the job is queued again at now+delay,
// or fails for good when it has used its attempts or permanent is set.
// It returns the job's new state.
func (q *Queue) Retry(ctx context.Context, j Job, now time.Time, delay time.Duration, cause error, permanent bool) (State, error) {
	st := Queued
	if permanent || j.Attempts >= j.MaxAttempts {
		st = Failed
	}
	msg := ""
	if cause != nil {
		msg = cause.Error()
	}
	if _, err := q.db.ExecContext(ctx, `UPDATE jobs SET state = ?, run_at = ?, lease_until = 0, last_error = ?, updated = ? WHERE id = ?`,
		st, ms(now.Add(delay)), msg, ms(now), j.ID); err != nil {
		return "", fmt.Errorf("job: retry %d: %w", j.ID, err)
	}
	return st, nil
}

// Get returns the job with key, or ErrNotFound.
func (q *Queue) Get(ctx context.Context, key string) (Job, error) {
	var j Job
	var runAt int64
	err := q.db.QueryRowContext(ctx, `SELECT id, kind, key, payload, run_at, attempts, max_attempts, state, last_error FROM jobs WHERE key = ?`, key).
		Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &runAt, &j.Attempts, &j.MaxAttempts, &j.State, &j.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("job %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("job: get %q: %w", key, err)
	}
	j.RunAt = fromMS(runAt)
	return j, nil
}

// Depth counts the jobs in each state.
func (q *Queue) Depth(ctx context.Context) (map[State]int, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT state, count(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("job: depth: %w", err)
	}
	defer rows.Close()
	out := map[State]int{Queued: 0, Running: 0, Done: 0, Failed: 0}
	for rows.Next() {
		var s State
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("job: depth: %w", err)
		}
		out[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("job: depth: %w", err)
	}
	return out, nil
}

// Purge deletes done and failed jobs last updated before cutoff and
// returns how many. Their keys become free again: purge only what can no
// longer be re-planned (reminders are planned for the future only).
func (q *Queue) Purge(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := q.db.ExecContext(ctx, `DELETE FROM jobs WHERE state IN (?, ?) AND updated < ?`, Done, Failed, ms(cutoff))
	if err != nil {
		return 0, fmt.Errorf("job: purge: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
