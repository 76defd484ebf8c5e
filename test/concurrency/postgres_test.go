package concurrency

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
	"github.com/sen-emr/sen/internal/store/postgres"
)

// defaultPostgres is used when SEN_TEST_POSTGRES is unset: the local
// "test" database with trust authentication, as in CI.
const defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// openPostgres returns a store in a fresh schema, dropped when the test
// ends. An unreachable server skips the test, or fails it under
// SEN_REQUIRE_ALL=1. The pool is larger than the 16 clients so that
// reads outside the writers' transactions never wait for a connection.
func openPostgres(tb testing.TB) store.Store {
	tb.Helper()
	base := os.Getenv("SEN_TEST_POSTGRES")
	if base == "" {
		base = defaultPostgres
	}
	ctx := context.Background()
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	admin, err := pgx.Connect(cctx, base)
	cancel()
	if err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("PostgreSQL at %s is required (SEN_REQUIRE_ALL=1): %v", base, err)
		}
		tb.Skipf("PostgreSQL at %s unreachable: %v", base, err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "sen_conc_" + hex.EncodeToString(rnd[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(context.Background())
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("SEN_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := postgres.Open(ctx, u.String(), postgres.Options{MaxConns: 40})
	if err != nil {
		tb.Fatalf("open PostgreSQL store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
