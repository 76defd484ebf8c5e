package sqlite

import (
	"fmt"
	"testing"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/storetest"
)

// BenchmarkIngest compares the two drivers (the DefaultDriver choice) on
// Synthea resources: 1 and 4 writers, one resource per transaction (REST
// creates) and 100 per transaction (bundles, bulk loads).
func BenchmarkIngest(b *testing.B) {
	for _, drv := range []string{"mattn", "modernc"} {
		for _, writers := range []int{1, 4} {
			for _, perTx := range []int{1, 100} {
				b.Run(fmt.Sprintf("%s/writers=%d/perTx=%d", drv, writers, perTx), func(b *testing.B) {
					storetest.BenchIngest(b, func(tb testing.TB) store.Store { return openTest(tb, drv) }, writers, perTx)
				})
			}
		}
	}
}

func BenchmarkRead(b *testing.B) {
	for _, drv := range []string{"mattn", "modernc"} {
		b.Run(drv, func(b *testing.B) {
			storetest.BenchRead(b, func(tb testing.TB) store.Store { return openTest(tb, drv) })
		})
	}
}
