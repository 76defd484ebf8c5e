package subscription

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Job kinds on the queue.
const (
	KindMatch   = "subscription-match"
	KindDeliver = "subscription-deliver"
)

// QueryParser parses a search for a resource type (strict: unknown
// parameters are errors, so a misspelt criterion is refused rather than
// matching everything).
type QueryParser func(typ string, params url.Values) (*search.Query, error)

// Indexer computes a resource's search-index entries.
type Indexer interface {
	Index(typ string, body []byte) (search.Indexed, error)
}

// Config holds a Hub's dependencies. Store, Parser, Indexer, Queue and Log
// are required.
type Config struct {
	// Store is read with system rights (every active Subscription, the
	// changed resources) and written to put a failing Subscription in
	// status error. Pass the store beneath the access guard and beneath
	// Hub.Wrap.
	Store   store.Store
	Parser  QueryParser
	Indexer Indexer
	Queue   *job.Queue
	Log     *Log
	// KnownType says whether a name is a resource type (nil: any name).
	KnownType func(string) bool
	// Client sends the notifications (default: 10 s timeout).
	Client *http.Client
	Now    func() time.Time
	Logger *slog.Logger
	// MaxAttempts per notification before the Subscription goes to error
	// (default 6: with the runner's 30 s backoff doubling, about 15 min).
	MaxAttempts int
	// TypesTTL bounds how long the set of subscribed types is cached
	// (default 30 s); a Subscription written through Wrap refreshes it at
	// once, this only matters for other processes sharing the database.
	TypesTTL time.Duration
}

// Hub matches changes against Subscriptions and delivers notifications.
// Safe for concurrent use.
type Hub struct {
	cfg Config

	mu       sync.Mutex
	types    map[string]bool // resource types some active Subscription follows
	loadedAt time.Time
}

// New checks cfg and returns a Hub.
func New(cfg Config) (*Hub, error) {
	if cfg.Store == nil || cfg.Parser == nil || cfg.Indexer == nil || cfg.Queue == nil || cfg.Log == nil {
		return nil, errors.New("subscription: Store, Parser, Indexer, Queue and Log are required")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.TypesTTL <= 0 {
		cfg.TypesTTL = 30 * time.Second
	}
	return &Hub{cfg: cfg}, nil
}

// Register installs the match and delivery handlers on r, which must run
// over cfg.Queue.
func (h *Hub) Register(r *job.Runner) {
	r.Handle(KindMatch, h.match)
	r.Handle(KindDeliver, h.deliver)
}

// active lists the active Subscriptions.
func (h *Hub) active(ctx context.Context) ([]Subscription, error) {
	q, err := h.cfg.Parser("Subscription", url.Values{"status": {"active"}, "_count": {"500"}})
	if err != nil {
		return nil, fmt.Errorf("subscription: list active: %w", err)
	}
	var out []Subscription
	for {
		page, err := h.cfg.Store.Search(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("subscription: list active: %w", err)
		}
		for _, r := range page.Resources {
			s, err := Parse(r.JSON)
			if err != nil {
				h.cfg.Logger.Warn("skipping unreadable Subscription", "id", r.ID, "err", err)
				continue
			}
			s.ID = r.ID
			if s.Status == "active" {
				out = append(out, s)
			}
		}
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// subscribed reports whether some active Subscription follows typ, from a
// cache refreshed every TypesTTL or after a Subscription was written.
func (h *Hub) subscribed(ctx context.Context, typ string) bool {
	h.mu.Lock()
	fresh := h.types != nil && h.cfg.Now().Sub(h.loadedAt) < h.cfg.TypesTTL
	if fresh {
		ok := h.types[typ]
		h.mu.Unlock()
		return ok
	}
	h.mu.Unlock()
	subs, err := h.active(ctx)
	if err != nil {
		// Better a needless match job than a lost notification.
		h.cfg.Logger.Warn("subscribed types unknown", "err", err)
		return true
	}
	types := map[string]bool{}
	for _, s := range subs {
		types[s.CriteriaType()] = true
	}
	h.mu.Lock()
	h.types, h.loadedAt = types, h.cfg.Now()
	h.mu.Unlock()
	return types[typ]
}

func (h *Hub) forgetTypes() {
	h.mu.Lock()
	h.types = nil
	h.mu.Unlock()
}

// checkCriteria parses s's criteria as a strict search.
func (h *Hub) checkCriteria(s Subscription) error {
	params, err := s.CriteriaParams()
	if err != nil {
		return err
	}
	if _, err := h.cfg.Parser(s.CriteriaType(), params); err != nil {
		return fhir.Errorf(fhir.KindUnprocessable, "tiêu chí không hợp lệ / Subscription.criteria %q: %v", s.Criteria, err).At("Subscription.criteria")
	}
	return nil
}
