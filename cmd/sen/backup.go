package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newBackupCmd() *cobra.Command {
	var f storeFlags
	var to string
	cmd := &cobra.Command{
		Use:   "backup --to FILE",
		Short: "Write a consistent backup of a running or stopped store / Sao lưu kho dữ liệu (kể cả khi đang chạy)",
		Long: `Write a consistent backup while Sen keeps serving. SQLite: VACUUM INTO,
a compact copy of one read snapshot (writers are not blocked). PostgreSQL:
pg_dump's custom format, also one snapshot. Restore with sen restore. The
file is written beside FILE and renamed into place only when complete.

Sao lưu nhất quán trong khi Sen vẫn phục vụ. SQLite: VACUUM INTO (một ảnh
chụp đọc). PostgreSQL: pg_dump định dạng custom. Khôi phục bằng sen restore.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return errors.New("--to FILE is required / cần --to TỆP")
			}
			if _, err := os.Stat(to); err == nil {
				return fmt.Errorf("%s exists; backup will not overwrite it / %s đã tồn tại, không ghi đè", to, to)
			}
			var n int64
			var err error
			if f.sqlite() {
				n, err = backupSQLite(cmd.Context(), &f, to)
			} else {
				n, err = backupPostgres(cmd.Context(), f.db, to)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backup written / đã sao lưu: %s (%d bytes)\n", to, n)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&to, "to", "", "backup file to write (must not exist)")
	return cmd
}

// backupSQLite copies the database with VACUUM INTO on a read-only
// connection: one read transaction, so the copy is a consistent snapshot
// even while sen serve writes (WAL lets readers and the writer proceed).
func backupSQLite(ctx context.Context, f *storeFlags, to string) (int64, error) {
	path, err := f.sqlitePath()
	if err != nil {
		return 0, err
	}
	tmp := to + ".partial"
	_ = os.Remove(tmp)
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	abs, err := filepath.Abs(tmp)
	if err != nil {
		return 0, fmt.Errorf("backup file: %w", err)
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("backup %s: %w", path, err)
	}
	return finish(tmp, to)
}

// backupPostgres runs pg_dump (custom format: compressed, restorable table
// by table). pg_dump reads one REPEATABLE READ snapshot, so the dump is
// consistent while Sen writes.
func backupPostgres(ctx context.Context, dbURL, to string) (int64, error) {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return 0, errors.New("PostgreSQL backup needs pg_dump on PATH (install the postgresql-client package) / cần pg_dump")
	}
	tmp := to + ".partial"
	_ = os.Remove(tmp)
	c := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--no-privileges", "--file="+tmp, "--dbname="+dbURL)
	if out, err := c.CombinedOutput(); err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("pg_dump: %w: %s", err, redact("", string(out)))
	}
	return finish(tmp, to)
}

// finish makes the completed backup durable and gives it its name.
func finish(tmp, to string) (int64, error) {
	fh, err := os.Open(tmp)
	if err != nil {
		return 0, fmt.Errorf("backup file: %w", err)
	}
	st, err := fh.Stat()
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("backup file: %w", err)
	}
	if err := os.Rename(tmp, to); err != nil {
		return 0, fmt.Errorf("backup file: %w", err)
	}
	return st.Size(), nil
}
