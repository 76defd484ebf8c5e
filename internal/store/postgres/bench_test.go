package postgres

import (
	"fmt"
	"testing"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/storetest"
)

func BenchmarkIngest(b *testing.B) {
	for _, writers := range []int{1, 4} {
		for _, perTx := range []int{1, 100} {
			b.Run(fmt.Sprintf("writers=%d/perTx=%d", writers, perTx), func(b *testing.B) {
				storetest.BenchIngest(b, func(tb testing.TB) store.Store { return openTest(tb) }, writers, perTx)
			})
		}
	}
}

func BenchmarkRead(b *testing.B) {
	storetest.BenchRead(b, func(tb testing.TB) store.Store { return openTest(tb) })
}
