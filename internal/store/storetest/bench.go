package storetest

import (
	"context"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/store"
)

var (
	benchOnce sync.Once
	benchData []store.Write
)

// benchWrites returns the resources of four Synthea patients (about 3,000
// resources with their real index entries), indexed once per process.
func benchWrites(b *testing.B) []store.Write {
	b.Helper()
	RequireShared(b)
	benchOnce.Do(func() {
		for _, ws := range SyntheaBundles(b, 4) {
			benchData = append(benchData, ws...)
		}
	})
	if len(benchData) == 0 {
		b.Fatal("no benchmark data")
	}
	return benchData
}

// BenchIngest measures resources stored per second into a fresh store by
// `writers` goroutines, each committing perTx resources per transaction.
// Indexing is done beforehand: this is the store's share of an ingest.
func BenchIngest(b *testing.B, newStore NewStore, writers, perTx int) {
	ws := benchWrites(b)
	ctx := context.Background()
	var total, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := newStore(b)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				// Writer w takes every writers-th chunk of perTx resources.
				for lo := w * perTx; lo < len(ws); lo += writers * perTx {
					hi := min(lo+perTx, len(ws))
					err := s.Update(ctx, func(tx store.Tx) error {
						for _, x := range ws[lo:hi] {
							if _, err := tx.Put(ctx, x); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		total += time.Since(start)
		cpu += cpuTime() - cpu0
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(ws)*b.N)/total.Seconds(), "res/s")
	if cpu > 0 {
		// CPU of this process only: for PostgreSQL the server's share is
		// not in it.
		b.ReportMetric(float64(len(ws)*b.N)/cpu.Seconds(), "res/cpu-s")
	}
}

// BenchRead measures the latency of Read of a random current resource.
func BenchRead(b *testing.B, newStore NewStore) {
	ws := benchWrites(b)
	s := newStore(b)
	ctx := context.Background()
	for lo := 0; lo < len(ws); lo += 500 {
		load(b, s, ws[lo:min(lo+500, len(ws))])
	}
	rng := rand.New(rand.NewSource(1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := ws[rng.Intn(len(ws))]
		if _, err := s.Read(ctx, w.Type, w.ID); err != nil {
			b.Fatal(err)
		}
	}
}
