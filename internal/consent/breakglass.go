package consent

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// MinReasonLength is the shortest accepted break-glass reason: a word or
// two is not a reason a reviewer can check.
const MinReasonLength = 10

// DefaultBreakGlassTTL is how long emergency access lasts when the caller
// does not say.
const DefaultBreakGlassTTL = time.Hour

// Grant is one break-glass opening: user may access patient's record until
// Expires, for Reason. Every grant is flagged for review until a reviewer
// marks it.
type Grant struct {
	ID         string
	User       string // the account's subject
	Patient    string // patient id
	Reason     string
	Opened     time.Time
	Expires    time.Time
	ReviewedBy string
	ReviewedAt time.Time
}

// BreakGlass holds the break-glass grants. With OpenBreakGlass they are
// kept in a SQL table (auth.db) as well as in memory, so that an open grant
// and the review queue survive a restart; NewBreakGlass keeps them in
// memory only (tests, tools). Lookups (Active, Pending) never touch the
// database: the guard asks on every request. The zero value is not usable.
// Safe for concurrent use within one process; two processes sharing one
// database do not see each other's grants until restart.
type BreakGlass struct {
	mu     sync.Mutex
	grants map[string]*Grant // by ID
	now    func() time.Time
	ttl    time.Duration
	db     *sql.DB // nil: memory only
}

// NewBreakGlass returns an empty, memory-only grant register. now may be
// nil (time.Now); ttl <= 0 means DefaultBreakGlassTTL.
func NewBreakGlass(now func() time.Time, ttl time.Duration) *BreakGlass {
	if now == nil {
		now = time.Now
	}
	if ttl <= 0 {
		ttl = DefaultBreakGlassTTL
	}
	return &BreakGlass{grants: map[string]*Grant{}, now: now, ttl: ttl}
}

const breakGlassSchema = `CREATE TABLE IF NOT EXISTS break_glass (
	id TEXT PRIMARY KEY, user_id TEXT NOT NULL, patient TEXT NOT NULL, reason TEXT NOT NULL,
	opened TEXT NOT NULL, expires TEXT NOT NULL, reviewed_by TEXT NOT NULL, reviewed_at TEXT NOT NULL)`

// OpenBreakGlass returns a grant register stored in db (a SQLite database
// opened by the caller, e.g. auth.db), creating its table if needed and
// loading the grants that still matter: those unexpired or not yet
// reviewed. Reviewed, expired grants stay in the table as history.
func OpenBreakGlass(ctx context.Context, db *sql.DB, now func() time.Time, ttl time.Duration) (*BreakGlass, error) {
	b := NewBreakGlass(now, ttl)
	b.db = db
	if _, err := db.ExecContext(ctx, breakGlassSchema); err != nil {
		return nil, fmt.Errorf("break-glass table: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT id, user_id, patient, reason, opened, expires, reviewed_by, reviewed_at
		FROM break_glass WHERE reviewed_by = '' OR expires > ?`, stamp(b.now()))
	if err != nil {
		return nil, fmt.Errorf("load break-glass grants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g Grant
		var opened, expires, reviewedAt string
		if err := rows.Scan(&g.ID, &g.User, &g.Patient, &g.Reason, &opened, &expires, &g.ReviewedBy, &reviewedAt); err != nil {
			return nil, fmt.Errorf("load break-glass grants: %w", err)
		}
		if g.Opened, err = time.Parse(time.RFC3339Nano, opened); err != nil {
			return nil, fmt.Errorf("break-glass grant %s opened: %w", g.ID, err)
		}
		if g.Expires, err = time.Parse(time.RFC3339Nano, expires); err != nil {
			return nil, fmt.Errorf("break-glass grant %s expires: %w", g.ID, err)
		}
		if reviewedAt != "" {
			g.ReviewedAt, _ = time.Parse(time.RFC3339Nano, reviewedAt)
		}
		b.grants[g.ID] = &g
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load break-glass grants: %w", err)
	}
	return b, nil
}

// stamp formats times so that text order is time order (fixed width).
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") }

// ErrReason is returned when the reason is missing or too short.
var ErrReason = errors.New("break-glass needs a reason of at least 10 characters / cần ghi rõ lý do (ít nhất 10 ký tự)")

// ErrNoGrant is returned by Review for an unknown grant id.
var ErrNoGrant = errors.New("no such break-glass grant / không có lần truy cập khẩn cấp này")

// Open records emergency access by user to patient. A missing or too short
// reason is refused with ErrReason. With a database, the grant is stored
// before it takes effect: a grant that could not be recorded is refused.
func (b *BreakGlass) Open(ctx context.Context, user, patient, reason string) (Grant, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < MinReasonLength {
		return Grant{}, ErrReason
	}
	if user == "" || patient == "" {
		return Grant{}, errors.New("break-glass needs a user and a patient / cần người dùng và người bệnh")
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	now := b.now()
	g := &Grant{ID: hex.EncodeToString(id[:]), User: user, Patient: patient, Reason: reason, Opened: now, Expires: now.Add(b.ttl)}
	if b.db != nil {
		_, err := b.db.ExecContext(ctx, `INSERT INTO break_glass VALUES (?,?,?,?,?,?,'','')`,
			g.ID, g.User, g.Patient, g.Reason, stamp(g.Opened), stamp(g.Expires))
		if err != nil {
			return Grant{}, fmt.Errorf("record break-glass grant: %w", err)
		}
	}
	b.mu.Lock()
	b.grants[g.ID] = g
	b.mu.Unlock()
	return *g, nil
}

// Active returns the newest unexpired grant of user for patient.
func (b *BreakGlass) Active(user, patient string) (Grant, bool) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var best *Grant
	for _, g := range b.grants {
		if g.User == user && g.Patient == patient && now.Before(g.Expires) && (best == nil || g.Opened.After(best.Opened)) {
			best = g
		}
	}
	if best == nil {
		return Grant{}, false
	}
	return *best, true
}

// Pending lists the grants not yet reviewed, oldest first.
func (b *BreakGlass) Pending() []Grant {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Grant
	for _, g := range b.grants {
		if g.ReviewedBy == "" {
			out = append(out, *g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Opened.Before(out[j].Opened) })
	return out
}

// Review marks a grant as reviewed by reviewer. It fails with ErrNoGrant
// for an unknown id. Reviewing does not end the grant: it still expires at
// its time.
func (b *BreakGlass) Review(ctx context.Context, id, reviewer string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.grants[id]
	if !ok {
		return ErrNoGrant
	}
	at := b.now()
	if b.db != nil {
		if _, err := b.db.ExecContext(ctx, `UPDATE break_glass SET reviewed_by = ?, reviewed_at = ? WHERE id = ?`, reviewer, stamp(at), id); err != nil {
			return fmt.Errorf("review break-glass grant %s: %w", id, err)
		}
	}
	g.ReviewedBy, g.ReviewedAt = reviewer, at
	b.purgeLocked(at)
	return nil
}

// purgeLocked forgets, in memory, reviewed grants that have expired: they
// no longer open anything or wait for anyone (the table keeps them).
func (b *BreakGlass) purgeLocked(now time.Time) {
	for id, g := range b.grants {
		if g.ReviewedBy != "" && !now.Before(g.Expires) {
			delete(b.grants, id)
		}
	}
}
