package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/postgres"
)

// TestBackupRestorePostgres is TestBackupRestoreSQLite on PostgreSQL: sen
// backup (pg_dump) while a writer keeps writing, sen restore (pg_restore)
// into a fresh empty database, sen check, and every restored version
// byte-identical to the source's oldest versions (the snapshot is a
// prefix of the single writer's history).
func TestBackupRestorePostgres(t *testing.T) {
	ctx := context.Background()
	srcURL, dstURL := freshPostgresDB(t), freshPostgresDB(t)
	st, err := postgres.Open(ctx, srcURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	put := func(typ, id, body string) {
		t.Helper()
		err := st.Update(ctx, func(tx store.Tx) error {
			_, err := tx.Put(ctx, store.Write{Type: typ, ID: id, JSON: []byte(body)})
			return err
		})
		if err != nil {
			t.Error(err)
		}
	}
	for i := range 50 {
		put("Patient", fmt.Sprintf("p%d", i), fmt.Sprintf(`{"resourceType":"Patient","id":"p%d","name":[{"family":"Trần","given":["Thị %d"]}]}`, i, i))
	}
	put("Patient", "p1", `{"resourceType":"Patient","id":"p1","active":false}`)
	if err := st.Update(ctx, func(tx store.Tx) error { _, err := tx.Delete(ctx, "Patient", "p2", 0); return err }); err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			put("Observation", fmt.Sprintf("o%d", i), fmt.Sprintf(`{"resourceType":"Observation","id":"o%d","status":"final","code":{"text":"x"}}`, i))
		}
	}()
	file := filepath.Join(t.TempDir(), "sen-backup.pgdump")
	out, err := runCmd(t, "backup", "--db", srcURL, "--to", file)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("sen backup: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "restore", "--from", file, "--db", dstURL); err != nil {
		t.Fatalf("sen restore: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "check", "--db", dstURL); err != nil {
		t.Fatalf("sen check of the restored store: %v\n%s", err, out)
	}
	if _, err := runCmd(t, "restore", "--from", file, "--db", dstURL); err == nil {
		t.Error("restore over a non-empty database succeeded")
	}

	rst, err := postgres.Open(ctx, dstURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rst.Close()
	got, want := allVersions(t, rst), allVersions(t, st)
	if len(got) < 52 || len(got) > len(want) {
		t.Fatalf("restored %d versions; the source has %d (52 before the backup began)", len(got), len(want))
	}
	tail := want[len(want)-len(got):]
	for i := range got {
		if got[i] != tail[i] {
			t.Fatalf("version %d differs:\n got %.200s\nwant %.200s", i, got[i], tail[i])
		}
	}
	t.Logf("restored %d of %d versions (the rest were written after the snapshot)", len(got), len(want))
}

// freshPostgresDB creates an empty database on the server of
// SEN_TEST_POSTGRES (pg_dump and pg_restore work on whole databases, not
// schemas) and drops it when the test ends. A missing server or missing
// pg_dump skips, or fails under SEN_REQUIRE_ALL=1.
func freshPostgresDB(tb testing.TB) string {
	tb.Helper()
	for _, bin := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("SEN_REQUIRE_ALL") == "1" {
				tb.Fatalf("%s is required (SEN_REQUIRE_ALL=1): %v", bin, err)
			}
			tb.Skipf("%s not on PATH: %v", bin, err)
		}
	}
	admin := os.Getenv("SEN_TEST_POSTGRES")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("PostgreSQL is required (SEN_REQUIRE_ALL=1): %v", err)
		}
		tb.Skipf("PostgreSQL unreachable: %v", err)
	}
	name := fmt.Sprintf("sen_backup_%08x", rand.Uint32())
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
