package job

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkEnqueueRun measures one job's whole life: enqueue, claim, run
// (a no-op handler) and complete, each a durable SQLite write.
func BenchmarkEnqueueRun(b *testing.B) {
	ctx := context.Background()
	q := openQueue(b, filepath.Join(b.TempDir(), "jobs.db"))
	r := &Runner{Queue: q, Now: func() time.Time { return t0 }}
	r.Handle("k", func(context.Context, Job) error { return nil })
	b.ResetTimer()
	for i := range b.N {
		if _, err := q.Enqueue(ctx, NewJob{Kind: "k", Key: fmt.Sprint(i), RunAt: t0}); err != nil {
			b.Fatal(err)
		}
		if i%100 == 99 {
			if _, err := r.RunOnce(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := r.RunOnce(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkEnqueueBatch measures queuing a patient-day of reminders (10)
// in one transaction, per job.
func BenchmarkEnqueueBatch(b *testing.B) {
	ctx := context.Background()
	q := openQueue(b, filepath.Join(b.TempDir(), "jobs.db"))
	batch := make([]NewJob, 10)
	b.ResetTimer()
	for i := 0; i < b.N; i += len(batch) {
		for j := range batch {
			batch[j] = NewJob{Kind: "k", Key: fmt.Sprint(i + j), RunAt: t0}
		}
		if _, err := q.EnqueueBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
