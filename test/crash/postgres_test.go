package crash

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestCrashPostgres(t *testing.T) {
	gate(t)
	dbURL := freshDatabase(t)
	bin := buildSen(t)
	if out, err := runSen(bin, "check", "--db", dbURL); err != nil && strings.Contains(out, "not wired") {
		need(t, fmt.Errorf("%s", strings.TrimSpace(out)), "the PostgreSQL backend")
	}
	h := &harness{t: t, bin: bin, serveArgs: []string{"--db", dbURL}, checkArgs: []string{"--db", dbURL}}
	h.run(cycles(t))
}

// freshDatabase creates an empty database sen_crash_<random> on the server
// of SEN_TEST_POSTGRES and drops it when the test ends.
func freshDatabase(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv("SEN_TEST_POSTGRES")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	need(tb, err, "PostgreSQL at SEN_TEST_POSTGRES")
	name := fmt.Sprintf("sen_crash_%08x", rand.Uint32())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		tb.Fatalf("create database %s: %v", name, err)
	}
	conn.Close(ctx)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Logf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("SEN_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
