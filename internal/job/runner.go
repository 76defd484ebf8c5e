package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Handler does one job. Returning nil completes it; an error retries it
// with backoff (or fails it after MaxAttempts); an error wrapped with
// Permanent fails it at once. Handlers must be idempotent: a job may run
// again after a crash.
type Handler func(ctx context.Context, j Job) error

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying (bad payload, unknown patient).
func Permanent(err error) error { return permanentError{err} }

type schedule struct {
	kind    string
	every   time.Duration
	payload []byte
}

// Runner claims due jobs from a Queue and runs their handlers, one at a
// time, and enqueues recurring jobs. Configure it, register handlers and
// schedules, then call Run (or RunOnce in tests); do not register after
// Run has started.
type Runner struct {
	Queue *Queue
	Now   func() time.Time // default time.Now
	// Poll is the pause between empty polls (default 1 s).
	Poll time.Duration
	// Lease is how long a claimed job is held before another worker may
	// take it (default 5 min): longer than any handler should run.
	Lease time.Duration
	// Backoff is the first retry delay, doubled per attempt up to
	// MaxBackoff (defaults 30 s and 1 h).
	Backoff, MaxBackoff time.Duration
	// Keep is how long done and failed jobs stay (default 14 days), so
	// that their idempotency keys still block duplicates.
	Keep    time.Duration
	Log     *slog.Logger
	Metrics *Metrics

	mu        sync.Mutex
	handlers  map[string]Handler
	schedules []schedule
	lastPurge time.Time
}

// Handle registers h for jobs of kind.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]Handler{}
	}
	r.handlers[kind] = h
}

// Every enqueues a job of kind once per period, aligned to multiples of
// period since the Unix epoch (UTC). Its key names the slot, so a restart
// inside a slot does not run it twice, and a slot missed while the
// process was down runs once when it comes back.
func (r *Runner) Every(kind string, period time.Duration, payload []byte) error {
	if period <= 0 {
		return fmt.Errorf("job: schedule %s: period must be positive", kind)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.schedules = append(r.schedules, schedule{kind, period, payload})
	return nil
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// delay is the backoff before attempt n+1 after n failed attempts.
func (r *Runner) delay(attempts int) time.Duration {
	d := orDefault(r.Backoff, 30*time.Second)
	limit := orDefault(r.MaxBackoff, time.Hour)
	for i := 1; i < attempts && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// RunOnce enqueues due schedule slots, then runs due jobs until none is
// left (or ctx ends) and returns how many attempts it made. Handler
// failures are recorded on the job, not returned; only queue errors are.
func (r *Runner) RunOnce(ctx context.Context) (int, error) {
	now := r.now()
	r.mu.Lock()
	scheds := append([]schedule(nil), r.schedules...)
	r.mu.Unlock()
	for _, s := range scheds {
		slot := now.UTC().Truncate(s.every)
		key := s.kind + "@" + slot.Format(time.RFC3339)
		if _, err := r.Queue.Enqueue(ctx, NewJob{Kind: s.kind, Key: key, Payload: s.payload, RunAt: slot, MaxAttempts: 3}); err != nil {
			return 0, err
		}
	}
	keep := orDefault(r.Keep, 14*24*time.Hour)
	if now.Sub(r.lastPurge) > time.Hour {
		if _, err := r.Queue.Purge(ctx, now.Add(-keep)); err != nil {
			return 0, err
		}
		r.lastPurge = now
	}
	n := 0
	for ctx.Err() == nil {
		j, ok, err := r.Queue.Claim(ctx, r.now(), orDefault(r.Lease, 5*time.Minute))
		if err != nil {
			return n, err
		}
		if !ok {
			break
		}
		n++
		if err := r.run(ctx, j); err != nil {
			return n, err
		}
	}
	if d, err := r.Queue.Depth(ctx); err == nil {
		r.Metrics.setDepth(d)
	}
	return n, nil
}

func (r *Runner) run(ctx context.Context, j Job) error {
	r.mu.Lock()
	h := r.handlers[j.Kind]
	r.mu.Unlock()
	var err error
	if h == nil {
		err = Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	} else {
		err = call(ctx, h, j)
	}
	now := r.now()
	if err == nil {
		r.Metrics.ran(j.Kind, "done")
		return r.Queue.Complete(ctx, j.ID, now)
	}
	var perm permanentError
	st, qerr := r.Queue.Retry(ctx, j, now, r.delay(j.Attempts), err, errors.As(err, &perm))
	if qerr != nil {
		return qerr
	}
	outcome := "retry"
	if st == Failed {
		outcome = "failed"
	}
	r.Metrics.ran(j.Kind, outcome)
	r.log().Warn("job attempt failed", "kind", j.Kind, "key", j.Key, "attempt", j.Attempts, "outcome", outcome, "err", err)
	return nil
}

// call runs h, turning a panic into an error so that one bad job cannot
// stop the runner.
func call(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %s panicked: %v", j.Key, p)
		}
	}()
	return h(ctx, j)
}

// Run calls RunOnce every Poll until ctx ends. Queue errors are logged
// and retried after Poll; Run returns nil when ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	poll := orDefault(r.Poll, time.Second)
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.log().Error("job runner", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
