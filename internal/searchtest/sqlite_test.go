package searchtest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sen-emr/sen/internal/searchtest"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

func TestSQLite(t *testing.T) {
	shared := searchtest.SharedDir(t, "../..")
	searchtest.Run(t, shared, openSQLite)
}

// openSQLite opens an empty SQLite store in a temporary file.
func openSQLite(tb testing.TB) store.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}
