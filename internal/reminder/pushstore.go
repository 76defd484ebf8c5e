package reminder

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver the store and the job queue use
)

// PushStore keeps patients' push subscriptions in their own SQLite file
// (push.db in the data directory), outside the FHIR record: they are
// device addresses with an encryption secret, not clinical facts, and
// must not travel with $everything, exports or backups of the record.
// A browser that several patients use (a caregiver's phone) has one row
// per patient. Its methods are safe for concurrent use.
type PushStore struct {
	db     *sql.DB
	policy PushPolicy
	now    func() time.Time
}

// MaxPushSubscriptions per patient; the oldest goes when a new one comes.
const MaxPushSubscriptions = 10

const pushSchema = `
CREATE TABLE IF NOT EXISTS push_subscriptions (
	patient  TEXT    NOT NULL,
	endpoint TEXT    NOT NULL,
	p256dh   TEXT    NOT NULL,
	auth     TEXT    NOT NULL,
	created  INTEGER NOT NULL, -- unix milliseconds
	PRIMARY KEY (patient, endpoint)
);
`

// OpenPushStore opens (creating if needed) the file at path. Subscribe
// checks new subscriptions against policy.
func OpenPushStore(ctx context.Context, path string, policy PushPolicy) (*PushStore, error) {
	if path == "" {
		return nil, errors.New("push store: empty path")
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000")
	if err != nil {
		return nil, fmt.Errorf("push store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, pushSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("push store: create schema in %s: %w", path, err)
	}
	return &PushStore{db: db, policy: policy, now: time.Now}, nil
}

// Close closes the file.
func (s *PushStore) Close() error { return s.db.Close() }

// Subscribe stores a patient's subscription after checking it (an error
// for a bad one, in Vietnamese and English, wrapping ErrBadSubscription).
// Subscribing again with the same endpoint replaces its keys.
func (s *PushStore) Subscribe(ctx context.Context, patient string, sub Subscription) error {
	if patient == "" {
		return fmt.Errorf("%w: no patient", ErrBadSubscription)
	}
	if err := s.policy.Validate(sub); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSubscription, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("push store: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, `INSERT INTO push_subscriptions(patient, endpoint, p256dh, auth, created) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(patient, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, created = excluded.created`,
		patient, sub.Endpoint, sub.Keys.P256dh, sub.Keys.Auth, s.now().UnixMilli()); err != nil {
		return fmt.Errorf("push store: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE patient = ? AND endpoint NOT IN
		(SELECT endpoint FROM push_subscriptions WHERE patient = ? ORDER BY created DESC, endpoint LIMIT ?)`,
		patient, patient, MaxPushSubscriptions); err != nil {
		return fmt.Errorf("push store: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("push store: %w", err)
	}
	return nil
}

// ErrBadSubscription is wrapped by Subscribe's errors for a subscription
// that cannot be used (the caller's fault: HTTP 400).
var ErrBadSubscription = errors.New("invalid push subscription / đăng ký nhận thông báo không hợp lệ")

// List returns a patient's subscriptions, oldest first.
func (s *PushStore) List(ctx context.Context, patient string) ([]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE patient = ? ORDER BY created, endpoint`, patient)
	if err != nil {
		return nil, fmt.Errorf("push store: %w", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		var sub Subscription
		if err := rows.Scan(&sub.Endpoint, &sub.Keys.P256dh, &sub.Keys.Auth); err != nil {
			return nil, fmt.Errorf("push store: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("push store: %w", err)
	}
	return out, nil
}

// Remove forgets one subscription of a patient; removing one that is not
// there is not an error.
func (s *PushStore) Remove(ctx context.Context, patient, endpoint string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE patient = ? AND endpoint = ?`, patient, endpoint); err != nil {
		return fmt.Errorf("push store: %w", err)
	}
	return nil
}

var _ Subscriptions = (*PushStore)(nil)
