package subscription

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/sen-emr/sen/internal/job"
)

// Service is a Hub with its own files in a data directory: the job queue
// (subscription-jobs.db) and the delivery log (subscription-log.db).
type Service struct {
	*Hub
	runner *job.Runner
}

// Open opens the queue and log under dir and builds the Hub; cfg.Queue and
// cfg.Log are filled in. metrics may be nil.
func Open(ctx context.Context, dir string, cfg Config, metrics *job.Metrics) (*Service, error) {
	q, err := job.Open(ctx, filepath.Join(dir, "subscription-jobs.db"))
	if err != nil {
		return nil, fmt.Errorf("subscription: %w", err)
	}
	l, err := OpenLog(ctx, filepath.Join(dir, "subscription-log.db"))
	if err != nil {
		q.Close()
		return nil, err
	}
	cfg.Queue, cfg.Log = q, l
	h, err := New(cfg)
	if err != nil {
		q.Close()
		l.Close()
		return nil, err
	}
	r := &job.Runner{Queue: q, Now: h.cfg.Now, Log: h.cfg.Logger, Metrics: metrics,
		Poll: 500 * time.Millisecond, Backoff: 30 * time.Second, MaxBackoff: 30 * time.Minute}
	h.Register(r)
	return &Service{Hub: h, runner: r}, nil
}

// Run delivers until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.runner.Run(ctx) }

// RunOnce runs the jobs due now (tests, sen commands).
func (s *Service) RunOnce(ctx context.Context) (int, error) { return s.runner.RunOnce(ctx) }

// Close closes the queue and the log; stop Run first.
func (s *Service) Close() error {
	return errors.Join(s.cfg.Queue.Close(), s.cfg.Log.Close())
}
