package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// NewStore returns a fresh, empty store that the suite may write to. The
// constructor registers its own cleanup (tb.Cleanup).
type NewStore func(tb testing.TB) store.Store

// Checker is implemented by backends that can verify index consistency.
type Checker interface {
	Check(ctx context.Context) error
}

// Run runs the whole conformance suite against stores from newStore.
func Run(t *testing.T, newStore NewStore) {
	t.Run("CRUD", func(t *testing.T) { testCRUD(t, newStore(t)) })
	t.Run("Meta", func(t *testing.T) { testMeta(t, newStore(t)) })
	t.Run("Invalid", func(t *testing.T) { testInvalid(t, newStore(t)) })
	t.Run("IfMatch", func(t *testing.T) { testIfMatch(t, newStore(t)) })
	t.Run("CreateOnly", func(t *testing.T) { testCreateOnly(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, newStore(t)) })
	t.Run("TxReadsOwnWrites", func(t *testing.T) { testTxReads(t, newStore(t)) })
	t.Run("ConcurrentUpdates", func(t *testing.T) { testConcurrentUpdates(t, newStore(t)) })
	t.Run("ConcurrentCreates", func(t *testing.T) { testConcurrentCreates(t, newStore(t)) })
	t.Run("History", func(t *testing.T) { testHistory(t, newStore(t)) })
	t.Run("Search", func(t *testing.T) { testSearch(t, newStore(t)) })
	t.Run("SearchPaging", func(t *testing.T) { testPaging(t, newStore(t)) })
	t.Run("SearchAfterWrites", func(t *testing.T) { testSearchAfterWrites(t, newStore(t)) })
	t.Run("ScanType", func(t *testing.T) { testScanType(t, newStore(t)) })
	t.Run("BundleWrites", func(t *testing.T) { testBundleWrites(t, newStore(t)) })
}

// put stores one resource in its own transaction.
func put(tb testing.TB, s store.Store, w store.Write) *fhir.Resource {
	tb.Helper()
	var got *fhir.Resource
	err := s.Update(context.Background(), func(tx store.Tx) error {
		var err error
		got, err = tx.Put(context.Background(), w)
		return err
	})
	if err != nil {
		tb.Fatalf("put %s/%s: %v", w.Type, w.ID, err)
	}
	return got
}

// tryPut is put returning the error.
func tryPut(s store.Store, w store.Write) (*fhir.Resource, error) {
	var got *fhir.Resource
	err := s.Update(context.Background(), func(tx store.Tx) error {
		var err error
		got, err = tx.Put(context.Background(), w)
		return err
	})
	return got, err
}

func del(s store.Store, typ, id string, ifMatch int64) (*fhir.Resource, error) {
	var got *fhir.Resource
	err := s.Update(context.Background(), func(tx store.Tx) error {
		var err error
		got, err = tx.Delete(context.Background(), typ, id, ifMatch)
		return err
	})
	return got, err
}

func wantKind(tb testing.TB, err error, want fhir.Kind) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want kind %d", want)
	}
	var fe *fhir.Error
	if !errors.As(err, &fe) || fe.Kind != want {
		tb.Fatalf("got error %v (kind %d), want kind %d", err, fhir.KindOf(err), want)
	}
}

func check(tb testing.TB, s store.Store) {
	tb.Helper()
	if c, ok := s.(Checker); ok {
		if err := c.Check(context.Background()); err != nil {
			tb.Fatalf("Check: %v", err)
		}
	}
}
