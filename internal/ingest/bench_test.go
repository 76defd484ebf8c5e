package ingest_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/ingest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/synth"
)

// BenchmarkLoadSQLite measures the bulk path of sen demo and sen import:
// index on every core, write to a fresh SQLite file in 2,000-resource
// transactions. It reports resources/s and the process CPU time per
// resource (user+system over both cores), which a loaded machine disturbs
// far less than wall time.
func BenchmarkLoadSQLite(b *testing.B) {
	ix, err := search.NewIndexer(r4.Load())
	if err != nil {
		b.Fatal(err)
	}
	gen := synth.New(synth.Config{Seed: 3, Patients: 150, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	var bodies [][]byte
	if err := gen.Run(func(p []byte) error { bodies = append(bodies, p); return nil }); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	total := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "sen.db"), sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n := 0
		l := ingest.Loader{Store: st, Indexer: ix, Batch: 2000}
		if _, err := l.Load(context.Background(), func() ([]byte, error) {
			if n == len(bodies) {
				return nil, nil
			}
			n++
			return bodies[n-1], nil
		}); err != nil {
			b.Fatal(err)
		}
		total += n
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "resources/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(total), "cpu-µs/resource")
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
