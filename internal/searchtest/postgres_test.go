package searchtest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sen-emr/sen/internal/searchtest"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/postgres"
)

// openPostgres opens a store in a fresh schema of the server named by
// SEN_TEST_POSTGRES (default: local "test" database), dropped afterwards.
// An unreachable server skips the test, or fails it under SEN_REQUIRE_ALL=1.
func openPostgres(tb testing.TB) store.Store {
	tb.Helper()
	base := os.Getenv("SEN_TEST_POSTGRES")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
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
	schema := "sen_searchtest_" + hex.EncodeToString(rnd[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_, _ = admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	qv := u.Query()
	qv.Set("search_path", schema)
	u.RawQuery = qv.Encode()
	db, err := postgres.Open(ctx, u.String(), postgres.Options{})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestPostgres(t *testing.T) {
	shared := searchtest.SharedDir(t, "../..")
	searchtest.Run(t, shared, openPostgres)
}
