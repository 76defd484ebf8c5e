package postgres

import (
	"testing"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/storetest"
)

func TestExpunge(t *testing.T) {
	storetest.Expunge(t, func(tb testing.TB) store.Store { return openTest(tb) })
}
