package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// storeFlags name a store for the maintenance subcommands (check, backup).
// The names are sen serve's, so one configuration serves all.
type storeFlags struct {
	dataDir string
	db      string
}

func (f *storeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dataDir, "data-dir", "./sen-data", "data directory (holds the SQLite database)")
	cmd.Flags().StringVar(&f.db, "db", "sqlite", `database: "sqlite" (a file in --data-dir) or a postgres:// URL`)
}

func (f *storeFlags) sqlite() bool { return f.db == "" || f.db == "sqlite" }

// sqlitePath is the database file of an existing SQLite data directory.
func (f *storeFlags) sqlitePath() (string, error) {
	path := filepath.Join(f.dataDir, "sen.db")
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("no Sen database in %s / không có cơ sở dữ liệu Sen trong %s: %w", f.dataDir, f.dataDir, err)
	}
	return path, nil
}

// checker is the consistency check a store may offer (sqlstore.Engine does).
type checker interface {
	Check(ctx context.Context) error
}

func newCheckCmd() *cobra.Command {
	var f storeFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify a store: file integrity and index ↔ resource consistency / Kiểm tra tính toàn vẹn của kho dữ liệu",
		Long: `Verify that a store is sound: for SQLite, the database file's own
integrity check; for every backend, that each index and compartment row
belongs to a live current resource, each resource has its current version
and version numbers have no gaps. Exit status 1 when anything is wrong.

Kiểm tra kho dữ liệu: tính toàn vẹn của tệp SQLite, và chỉ mục khớp với tài
nguyên (không có dòng chỉ mục mồ côi, không thiếu phiên bản). Mã thoát 1 nếu
có lỗi.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			problems, err := runCheck(cmd.Context(), &f)
			if err != nil {
				return err
			}
			if len(problems) > 0 {
				for _, p := range problems {
					fmt.Fprintln(out, "PROBLEM / LỖI:", p)
				}
				return exitError{1}
			}
			fmt.Fprintln(out, "ok: the store is consistent / kho dữ liệu nhất quán")
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

// runCheck returns the problems found; err is for failures to check at all.
func runCheck(ctx context.Context, f *storeFlags) (problems []string, err error) {
	dir := f.dataDir
	if f.sqlite() {
		path, err := f.sqlitePath()
		if err != nil {
			return nil, err
		}
		if p, err := sqliteIntegrity(ctx, path); err != nil {
			return nil, err
		} else if p != "" {
			return []string{"SQLite integrity: " + p}, nil
		}
		dir = filepath.Dir(path)
	}
	st, err := openStore(ctx, f.db, dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	c, ok := st.(checker)
	if !ok {
		return nil, errors.New("this backend has no consistency check")
	}
	if err := c.Check(ctx); err != nil {
		return []string{err.Error()}, nil
	}
	return nil, nil
}

// sqliteIntegrity runs PRAGMA integrity_check on a database file, read-only.
// It returns "" when the file is sound, else SQLite's report.
func sqliteIntegrity(ctx context.Context, path string) (string, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", fmt.Errorf("integrity check of %s: %w", path, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", fmt.Errorf("integrity check of %s: %w", path, err)
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("integrity check of %s: %w", path, err)
	}
	if len(lines) == 1 && lines[0] == "ok" {
		return "", nil
	}
	return strings.Join(lines, "; "), nil
}
