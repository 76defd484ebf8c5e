package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

// openStore opens the backend named by db: "sqlite" (or "") for a file in
// dataDir, or a postgres:// URL.
func openStore(ctx context.Context, db, dataDir string) (store.Store, error) {
	switch {
	case db == "" || db == "sqlite":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		return sqlite.Open(ctx, filepath.Join(dataDir, "sen.db"), sqlite.Options{})
	case strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://"):
		return openPostgres(ctx, db)
	}
	return nil, fmt.Errorf(`--db: want "sqlite" or a postgres:// URL, got %q`, db)
}
