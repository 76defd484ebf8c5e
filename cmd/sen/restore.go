package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newRestoreCmd() *cobra.Command {
	var f storeFlags
	var from string
	cmd := &cobra.Command{
		Use:   "restore --from FILE --data-dir DIR",
		Short: "Restore a backup into a fresh store / Khôi phục bản sao lưu vào kho dữ liệu mới",
		Long: `Restore a file written by sen backup. A SQLite backup goes into
--data-dir, which must not already hold a database; a PostgreSQL backup
(pg_dump custom format) goes into the empty database named by --db. The
restored store is migrated to the current schema and checked (sen check)
before the command reports success.

Khôi phục tệp do sen backup tạo. Bản SQLite vào thư mục --data-dir (chưa có
cơ sở dữ liệu); bản PostgreSQL vào cơ sở dữ liệu rỗng --db. Kho được nâng cấp
lược đồ và kiểm tra trước khi báo thành công.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" {
				return errors.New("--from FILE is required / cần --from TỆP")
			}
			kind, err := backupKind(from)
			if err != nil {
				return err
			}
			switch {
			case kind == "sqlite" && f.sqlite():
				err = restoreSQLite(cmd.Context(), from, f.dataDir)
			case kind == "postgres" && !f.sqlite():
				err = restorePostgres(cmd.Context(), from, f.db)
			default:
				return fmt.Errorf("%s is a %s backup; it cannot be restored into --db %s", from, kind, redact("", f.db))
			}
			if err != nil {
				return err
			}
			problems, err := runCheck(cmd.Context(), &f)
			if err != nil {
				return fmt.Errorf("check the restored store: %w", err)
			}
			if len(problems) > 0 {
				return fmt.Errorf("the restored store is inconsistent / kho khôi phục không nhất quán: %v", problems)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "restored and checked / đã khôi phục và kiểm tra:", from)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&from, "from", "", "backup file written by sen backup")
	return cmd
}

// backupKind tells a SQLite database from a pg_dump archive by their magic
// bytes.
func backupKind(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("backup file: %w", err)
	}
	defer fh.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(fh, head)
	head = head[:n]
	switch {
	case bytes.Equal(head, []byte("SQLite format 3\x00")):
		return "sqlite", nil
	case bytes.HasPrefix(head, []byte("PGDMP")):
		return "postgres", nil
	}
	return "", fmt.Errorf("%s is not a Sen backup (neither a SQLite database nor a pg_dump archive) / không phải bản sao lưu Sen", path)
}

// restoreSQLite copies the backup into dataDir/sen.db through a temporary
// name, so that an interrupted restore leaves no half database behind.
func restoreSQLite(ctx context.Context, from, dataDir string) error {
	dst := filepath.Join(dataDir, "sen.db")
	for _, p := range []string{dst, dst + "-wal"} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s already holds a database; restore into a fresh directory / thư mục đã có cơ sở dữ liệu", dataDir)
		}
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if p, err := sqliteIntegrity(ctx, from); err != nil {
		return err
	} else if p != "" {
		return fmt.Errorf("the backup %s is damaged / bản sao lưu bị hỏng: %s", from, p)
	}
	tmp := dst + ".restoring"
	if err := copyFile(from, tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return syncDir(dataDir)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: copy %s: %w", from, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("restore: sync %s: %w", dir, err)
	}
	return nil
}

// restorePostgres loads a pg_dump archive with pg_restore, in one
// transaction, into the database named by dbURL (which should be empty).
func restorePostgres(ctx context.Context, from, dbURL string) error {
	bin, err := exec.LookPath("pg_restore")
	if err != nil {
		return errors.New("PostgreSQL restore needs pg_restore on PATH (install the postgresql-client package) / cần pg_restore")
	}
	c := exec.CommandContext(ctx, bin, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname="+dbURL, from)
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_restore: %w: %s", err, redact("", string(out)))
	}
	return nil
}
