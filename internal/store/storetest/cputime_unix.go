//go:build unix

package storetest

import (
	"syscall"
	"time"
)

// cpuTime is the user+system CPU time of this process so far: benchmarks
// report throughput per CPU-second too, which a machine shared with other
// work distorts far less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
