package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlstore"
	"github.com/sen-emr/sen/internal/store/storetest"
)

const defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testURL returns the server to test against, skipping (or failing under
// SEN_REQUIRE_ALL=1) when it cannot be reached.
func testURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("SEN_TEST_POSTGRES")
	if u == "" {
		u = defaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("PostgreSQL at %s is required (SEN_REQUIRE_ALL=1): %v", u, err)
		}
		tb.Skipf("PostgreSQL at %s unreachable: %v", u, err)
	}
	c.Close(ctx)
	return u
}

// openTest opens a store in a fresh schema that is dropped afterwards.
func openTest(tb testing.TB) *DB {
	tb.Helper()
	return openTestWith(tb, Options{})
}

// openTestWith is openTest with options.
func openTestWith(tb testing.TB, opts Options) *DB {
	tb.Helper()
	base := testURL(tb)
	ctx := context.Background()
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := "sen_test_" + hex.EncodeToString(rnd[:])
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	qv := u.Query()
	qv.Set("search_path", schema)
	u.RawQuery = qv.Encode()
	db, err := Open(ctx, u.String(), opts)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store { return openTest(tb) })
}

func TestSynthea(t *testing.T) {
	storetest.Synthea(t, func(tb testing.TB) store.Store { return openTest(tb) })
}

func TestTerminology(t *testing.T) {
	storetest.Terminology(t, func(tb testing.TB) store.Store {
		return openTestWith(tb, Options{Options: sqlstore.Options{Terminology: storetest.FakeTerminology{}}})
	})
}
