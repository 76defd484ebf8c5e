// Package pgtest opens PostgreSQL stores for tests: each in a fresh schema
// of the server named by SEN_TEST_POSTGRES (default: the local "test"
// database with trust auth), dropped when the test ends. An unreachable
// server skips the test, or fails it when SEN_REQUIRE_ALL=1.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sen-emr/sen/internal/store/postgres"
)

// DefaultURL is used when SEN_TEST_POSTGRES is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Open returns a store in a new schema named prefix_<random>. params are
// added to the connection URL (e.g. options=-c enable_seqscan=off).
func Open(tb testing.TB, prefix string, params ...string) *postgres.DB {
	tb.Helper()
	base := os.Getenv("SEN_TEST_POSTGRES")
	if base == "" {
		base = DefaultURL
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
	schema := prefix + "_" + hex.EncodeToString(rnd[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		_, _ = admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("SEN_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	// libpq URLs take %20, not +, for a space (options=-c a=b).
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	db, err := postgres.Open(ctx, u.String(), postgres.Options{})
	if err != nil {
		tb.Fatalf("open PostgreSQL store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
