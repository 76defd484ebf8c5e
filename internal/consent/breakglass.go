package consent

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
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

// BreakGlass holds the break-glass grants. Grants are kept in memory: they
// last an hour by default, and the permanent record of each is the
// AuditEvent written when it is opened (purposeOfUse BTG). The zero value
// is not usable; use NewBreakGlass. Safe for concurrent use.
type BreakGlass struct {
	mu     sync.Mutex
	grants map[string]*Grant // by ID
	now    func() time.Time
	ttl    time.Duration
}

// NewBreakGlass returns an empty grant register. now may be nil (time.Now);
// ttl <= 0 means DefaultBreakGlassTTL.
func NewBreakGlass(now func() time.Time, ttl time.Duration) *BreakGlass {
	if now == nil {
		now = time.Now
	}
	if ttl <= 0 {
		ttl = DefaultBreakGlassTTL
	}
	return &BreakGlass{grants: map[string]*Grant{}, now: now, ttl: ttl}
}

// ErrReason is returned when the reason is missing or too short.
var ErrReason = errors.New("break-glass needs a reason of at least 10 characters / cần ghi rõ lý do (ít nhất 10 ký tự)")

// Open records emergency access by user to patient. A missing or too short
// reason is refused with ErrReason.
func (b *BreakGlass) Open(user, patient, reason string) (Grant, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < MinReasonLength {
		return Grant{}, ErrReason
	}
	if user == "" || patient == "" {
		return Grant{}, errors.New("break-glass needs a user and a patient")
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	now := b.now()
	g := &Grant{ID: hex.EncodeToString(id[:]), User: user, Patient: patient, Reason: reason, Opened: now, Expires: now.Add(b.ttl)}
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

// Review marks a grant as reviewed by reviewer. It fails for an unknown id.
func (b *BreakGlass) Review(id, reviewer string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.grants[id]
	if !ok {
		return errors.New("no such break-glass grant")
	}
	g.ReviewedBy, g.ReviewedAt = reviewer, b.now()
	return nil
}
