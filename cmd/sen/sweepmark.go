package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// sweepMark keeps, in a small file in the data directory, when a periodic
// sweep of recent writes (BHYT claims, e-prescriptions and health book)
// last started and finished without error, so that the next sweep reads
// what was written since then, not its whole safety window again after
// every start (after an import, that window holds the whole store).
type sweepMark struct{ path string }

// sweepOverlap is how far before the last sweep's start the next one
// reads: a write is stamped before it commits, so one stamped just
// before a sweep may commit after it.
const sweepOverlap = 10 * time.Minute

// since is where a sweep at now reads from: the last successful sweep's
// start less sweepOverlap, never earlier than now-window (the window
// alone when there is no mark, or it is unreadable or in the future).
func (m sweepMark) since(now time.Time, window time.Duration) time.Time {
	from := now.Add(-window)
	b, err := os.ReadFile(m.path)
	if err != nil {
		return from
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil || t.After(now) || t.Add(-sweepOverlap).Before(from) {
		return from
	}
	return t.Add(-sweepOverlap)
}

// done records a successful sweep that started at started.
func (m sweepMark) done(started time.Time) error {
	tmp, err := os.CreateTemp(filepath.Dir(m.path), filepath.Base(m.path)+".*")
	if err != nil {
		return fmt.Errorf("sweep mark: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	_, err = tmp.WriteString(started.UTC().Format(time.RFC3339Nano) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), m.path)
	}
	if err != nil {
		return fmt.Errorf("sweep mark: %w", err)
	}
	return nil
}
