package searchtest_test

import (
	"testing"

	"github.com/sen-emr/sen/internal/searchtest"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/postgres/pgtest"
)

// openPostgres opens a store in a fresh schema of SEN_TEST_POSTGRES,
// dropped afterwards (see pgtest).
func openPostgres(tb testing.TB) store.Store { return pgtest.Open(tb, "sen_searchtest") }

func TestPostgres(t *testing.T) {
	shared := searchtest.SharedDir(t, "../..")
	searchtest.Run(t, shared, openPostgres)
}
