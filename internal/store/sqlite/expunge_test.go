package sqlite

import (
	"testing"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/storetest"
)

func TestExpunge(t *testing.T) {
	for _, drv := range []string{"mattn", "modernc"} {
		t.Run(drv, func(t *testing.T) {
			storetest.Expunge(t, func(tb testing.TB) store.Store { return openTest(tb, drv) })
		})
	}
}
