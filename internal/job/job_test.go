package job

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

var t0 = time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func openQueue(tb testing.TB, path string) *Queue {
	tb.Helper()
	q, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { q.Close() })
	return q
}

func TestEnqueueIsIdempotentAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "jobs.db")
	q := openQueue(t, path)
	added, err := q.Enqueue(ctx, NewJob{Kind: "remind", Key: "r1", Payload: []byte("a"), RunAt: t0})
	if err != nil || !added {
		t.Fatalf("first enqueue: added=%v err=%v", added, err)
	}
	if added, _ := q.Enqueue(ctx, NewJob{Kind: "remind", Key: "r1", Payload: []byte("b"), RunAt: t0}); added {
		t.Error("duplicate key added")
	}
	q.Close()

	q = openQueue(t, path) // restart
	if added, _ := q.Enqueue(ctx, NewJob{Kind: "remind", Key: "r1", RunAt: t0}); added {
		t.Error("duplicate key added after restart")
	}
	j, err := q.Get(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(j.Payload), "a"; got != want || j.State != Queued {
		t.Errorf("after restart: payload %q state %s, want %q queued", got, j.State, want)
	}
	// Done jobs keep their key: re-planning a sent reminder adds nothing.
	c := &clock{t0}
	var runs int
	r := &Runner{Queue: q, Now: c.now}
	r.Handle("remind", func(context.Context, Job) error { runs++; return nil })
	if n, err := r.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if added, _ := q.Enqueue(ctx, NewJob{Kind: "remind", Key: "r1", RunAt: t0}); added || runs != 1 {
		t.Errorf("done job re-added=%v runs=%d", added, runs)
	}
	if _, err := q.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get unknown: %v", err)
	}
	if _, err := q.Enqueue(ctx, NewJob{}); err == nil {
		t.Error("empty kind: no error")
	}
	if _, err := Open(ctx, ""); err == nil {
		t.Error("empty path: no error")
	}
}

func TestRetryWithBackoffThenFail(t *testing.T) {
	ctx := context.Background()
	q := openQueue(t, filepath.Join(t.TempDir(), "jobs.db"))
	c := &clock{t0}
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	var attempts []time.Time
	r := &Runner{Queue: q, Now: c.now, Backoff: time.Minute, MaxBackoff: 3 * time.Minute, Metrics: m}
	r.Handle("flaky", func(context.Context, Job) error { attempts = append(attempts, c.t); return errors.New("gateway 503") })
	if _, err := q.Enqueue(ctx, NewJob{Kind: "flaky", Key: "k", RunAt: t0, MaxAttempts: 4}); err != nil {
		t.Fatal(err)
	}
	for range 20 { // tick a minute at a time for 20 minutes
		if _, err := r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		c.add(time.Minute)
	}
	// Delays 1, 2, then 3 (capped) minutes between the four attempts.
	want := []time.Time{t0, t0.Add(time.Minute), t0.Add(3 * time.Minute), t0.Add(6 * time.Minute)}
	if len(attempts) != len(want) {
		t.Fatalf("attempts at %v, want %v", attempts, want)
	}
	for i := range want {
		if !attempts[i].Equal(want[i]) {
			t.Errorf("attempt %d at %s, want %s", i+1, attempts[i].Format("15:04"), want[i].Format("15:04"))
		}
	}
	j, _ := q.Get(ctx, "k")
	if j.State != Failed || j.Attempts != 4 || j.LastError != "gateway 503" {
		t.Errorf("final job %+v", j)
	}
	tests := []struct {
		outcome string
		want    float64
	}{{"retry", 3}, {"failed", 1}, {"done", 0}}
	for _, tt := range tests {
		if got := value(t, m.runs.WithLabelValues("flaky", tt.outcome)); got != tt.want {
			t.Errorf("runs{outcome=%s} = %v, want %v", tt.outcome, got, tt.want)
		}
	}
	if got := value(t, m.depth.WithLabelValues("failed")); got != 1 {
		t.Errorf("depth{failed} = %v, want 1", got)
	}
}

func TestPermanentPanicAndUnknownKind(t *testing.T) {
	ctx := context.Background()
	q := openQueue(t, filepath.Join(t.TempDir(), "jobs.db"))
	r := &Runner{Queue: q, Now: func() time.Time { return t0 }}
	r.Handle("bad", func(context.Context, Job) error { return Permanent(errors.New("payload is not JSON")) })
	r.Handle("boom", func(context.Context, Job) error { panic("nil map") })
	for _, k := range []string{"bad", "boom", "nobody"} {
		if _, err := q.Enqueue(ctx, NewJob{Kind: k, Key: k, RunAt: t0, MaxAttempts: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ key, want string }{
		{"bad", "payload is not JSON"}, {"boom", "panicked: nil map"}, {"nobody", `no handler for job kind "nobody"`},
	}
	for _, tt := range tests {
		j, err := q.Get(ctx, tt.key)
		if err != nil || j.State != Failed || !strings.Contains(j.LastError, tt.want) {
			t.Errorf("%s: %+v %v, want failed with %q", tt.key, j, err, tt.want)
		}
	}
}

// A worker that dies holding a job (the process was killed) leaves it
// running; after the lease the job is handed out again: at least once.
func TestCrashedWorkerJobIsRedelivered(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "jobs.db")
	q := openQueue(t, path)
	if _, err := q.Enqueue(ctx, NewJob{Kind: "send", Key: "s", RunAt: t0, MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := q.Claim(ctx, t0, time.Minute); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	q.Close() // crash: never completed

	q = openQueue(t, path)
	if _, ok, _ := q.Claim(ctx, t0.Add(30*time.Second), time.Minute); ok {
		t.Fatal("claimed while the lease holds")
	}
	j, ok, err := q.Claim(ctx, t0.Add(time.Minute), time.Minute)
	if !ok || err != nil || j.Attempts != 2 {
		t.Fatalf("after lease: ok=%v err=%v attempts=%d", ok, err, j.Attempts)
	}
	// Dies again on its last attempt: it fails rather than looping.
	if _, ok, _ := q.Claim(ctx, t0.Add(3*time.Minute), time.Minute); ok {
		t.Error("job past max attempts claimed again")
	}
	if j, _ := q.Get(ctx, "s"); j.State != Failed {
		t.Errorf("state %s, want failed", j.State)
	}
}

func TestScheduleOncePerSlot(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "jobs.db")
	q := openQueue(t, path)
	c := &clock{t0.Add(5 * time.Minute)}
	runs := 0
	newRunner := func(q *Queue) *Runner {
		r := &Runner{Queue: q, Now: c.now}
		r.Handle("scan", func(context.Context, Job) error { runs++; return nil })
		if err := r.Every("scan", time.Hour, nil); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := newRunner(q)
	for range 3 {
		if _, err := r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		c.add(10 * time.Minute)
	}
	q.Close()
	r = newRunner(openQueue(t, path)) // restart in the same hour
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if runs != 1 {
		t.Errorf("runs in one hour across a restart = %d, want 1", runs)
	}
	c.add(time.Hour)
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("runs after the next hour = %d, want 2", runs)
	}
	if err := r.Every("x", 0, nil); err == nil {
		t.Error("zero period: no error")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	q := openQueue(t, filepath.Join(t.TempDir(), "jobs.db"))
	done := make(chan struct{})
	r := &Runner{Queue: q, Poll: 5 * time.Millisecond}
	r.Handle("k", func(context.Context, Job) error { close(done); return nil })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx) }()
	if _, err := q.Enqueue(ctx, NewJob{Kind: "k", Key: "k"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("job not run")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Run = %v", err)
	}
}

// value reads a counter or gauge.
func value(tb testing.TB, c prometheus.Metric) float64 {
	tb.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		tb.Fatal(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

func TestEnqueueBatchIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	q := openQueue(t, filepath.Join(t.TempDir(), "jobs.db"))
	got, err := q.EnqueueBatch(ctx, []NewJob{{Kind: "k", Key: "a"}, {Kind: "k", Key: "b"}, {Kind: "k", Key: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, true, false}; !slices.Equal(got, want) {
		t.Errorf("added = %v, want %v", got, want)
	}
	if _, err := q.EnqueueBatch(ctx, []NewJob{{Kind: "k", Key: "c"}, {Key: "no kind"}}); err == nil {
		t.Fatal("a job without kind: no error")
	}
	if _, err := q.Get(ctx, "c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("job c of a failed batch was added (%v)", err)
	}
	d, err := q.Depth(ctx)
	if err != nil || d[Queued] != 2 {
		t.Errorf("depth %v %v, want 2 queued", d, err)
	}
}
