package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

// TestBackupRestoreSQLite backs up a store while writers keep writing,
// restores into a fresh data directory, and compares every resource
// version byte for byte with the source as it was at the backup (a prefix
// of the source's history: the writes after the snapshot are absent).
func TestBackupRestoreSQLite(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(src, "sen.db"), sqlite.Options{})
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
			t.Fatal(err)
		}
	}
	for i := range 50 {
		put("Patient", fmt.Sprintf("p%d", i), fmt.Sprintf(`{"resourceType":"Patient","id":"p%d","name":[{"family":"Nguyễn","given":["Văn %d"]}]}`, i, i))
	}
	put("Patient", "p1", `{"resourceType":"Patient","id":"p1","active":false}`)
	if err := st.Update(ctx, func(tx store.Tx) error { _, err := tx.Delete(ctx, "Patient", "p2", 0); return err }); err != nil {
		t.Fatal(err)
	}

	// Writers keep going during the backup: it must not block them, and it
	// must hold one consistent snapshot.
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			put("Observation", fmt.Sprintf("o%d", i), fmt.Sprintf(`{"resourceType":"Observation","id":"o%d","status":"final","code":{"text":"x"}}`, i))
		}
	}()
	file := filepath.Join(t.TempDir(), "sen-backup.db")
	out, err := runCmd(t, "backup", "--data-dir", src, "--to", file)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("sen backup: %v\n%s", err, out)
	}
	if _, err := runCmd(t, "backup", "--data-dir", src, "--to", file); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("second backup to the same file: %v, want a refusal", err)
	}

	dst := filepath.Join(t.TempDir(), "restored")
	if out, err := runCmd(t, "restore", "--from", file, "--data-dir", dst); err != nil {
		t.Fatalf("sen restore: %v\n%s", err, out)
	}
	if _, err := runCmd(t, "restore", "--from", file, "--data-dir", dst); err == nil {
		t.Error("restore over an existing database succeeded")
	}
	if out, err := runCmd(t, "check", "--data-dir", dst); err != nil {
		t.Fatalf("sen check of the restored store: %v\n%s", err, out)
	}

	rst, err := sqlite.Open(ctx, filepath.Join(dst, "sen.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rst.Close()
	got, want := allVersions(t, rst), allVersions(t, st)
	if len(got) < 52 || len(got) > len(want) {
		t.Fatalf("restored %d versions; the source has %d (52 before the backup began)", len(got), len(want))
	}
	// History is newest first: the restored versions are the source's
	// oldest len(got), identical to the byte.
	tail := want[len(want)-len(got):]
	for i := range got {
		if got[i] != tail[i] {
			t.Fatalf("version %d differs:\n got %.200s\nwant %.200s", i, got[i], tail[i])
		}
	}
	t.Logf("restored %d of %d versions (the rest were written after the snapshot)", len(got), len(want))
}

func TestRestoreRefusesOtherFiles(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "not-a-backup")
	if err := os.WriteFile(bad, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no --from", []string{"restore", "--data-dir", t.TempDir()}, "--from"},
		{"missing file", []string{"restore", "--from", bad + "-absent", "--data-dir", t.TempDir()}, "no such file"},
		{"not a backup", []string{"restore", "--from", bad, "--data-dir", t.TempDir()}, "not a Sen backup"},
		{"backup of a missing store", []string{"backup", "--data-dir", t.TempDir(), "--to", bad + ".db"}, "no Sen database"},
		{"check of a missing store", []string{"check", "--data-dir", t.TempDir()}, "no Sen database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCmd(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
