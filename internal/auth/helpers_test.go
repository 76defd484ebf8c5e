package auth

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

var (
	modelOnce sync.Once
	model     *r4.Model
	indexer   *search.Indexer
)

func testModel(tb testing.TB) (*r4.Model, *search.Indexer) {
	tb.Helper()
	modelOnce.Do(func() {
		model = r4.Load()
		var err error
		indexer, err = search.NewIndexer(model)
		if err != nil {
			panic(err)
		}
	})
	return model, indexer
}

func openStore(tb testing.TB) store.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// load writes resource bodies (JSON with resourceType and id) to st.
func load(tb testing.TB, st store.Store, bodies ...string) {
	tb.Helper()
	_, ix := testModel(tb)
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for _, b := range bodies {
			typ, id := headerOf(tb, b)
			idx, err := ix.Index(typ, []byte(b))
			if err != nil {
				return err
			}
			if _, err := tx.Put(context.Background(), store.Write{Type: typ, ID: id, JSON: []byte(b), Index: idx}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// requireShared returns the shared data directory, skipping the test when
// it is absent unless SEN_REQUIRE_ALL=1.
func requireShared(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared data %s is required: %v", dir, err)
		}
		tb.Skipf("shared data %s absent", dir)
	}
	return dir
}

// auditStore returns the stack's unguarded store, for reading the audit
// trail directly.
func (s *stack) auditStore(tb testing.TB) store.Reader {
	tb.Helper()
	return s.raw
}
