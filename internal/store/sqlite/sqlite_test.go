package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlstore"
	"github.com/sen-emr/sen/internal/store/storetest"
)

func openTest(tb testing.TB, driver string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"), Options{Driver: driver})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	for _, drv := range []string{"mattn", "modernc"} {
		t.Run(drv, func(t *testing.T) {
			storetest.Run(t, func(tb testing.TB) store.Store { return openTest(tb, drv) })
		})
	}
}

func TestSynthea(t *testing.T) {
	storetest.Synthea(t, func(tb testing.TB) store.Store { return openTest(tb, "") })
}

func TestTerminology(t *testing.T) {
	storetest.Terminology(t, func(tb testing.TB) store.Store {
		db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"),
			Options{Options: sqlstore.Options{Terminology: storetest.FakeTerminology{}}})
		if err != nil {
			tb.Fatalf("open: %v", err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	})
}
