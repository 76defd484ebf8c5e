package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/store/sqlstore"
	"github.com/sen-emr/sen/internal/terminology"
)

// openStore opens the backend named by db: "sqlite" (or "") for a file in
// dataDir, or a postgres:// URL.
func openStore(ctx context.Context, db, dataDir string) (store.Store, error) {
	switch {
	case db == "" || db == "sqlite":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		return sqlite.Open(ctx, filepath.Join(dataDir, "sen.db"), sqlite.Options{Options: storeOptions()})
	case strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://"):
		return openPostgres(ctx, db)
	}
	return nil, fmt.Errorf(`--db: want "sqlite" or a postgres:// URL, got %q`, db)
}

// storeOptions are the engine options of both backends: the built-in
// terminology answers the token modifiers :in, :not-in, :above, :below.
func storeOptions() sqlstore.Options {
	return sqlstore.Options{Terminology: storeTerminology{}}
}

// storeTerminology adapts terminology.Default() to sqlstore.Terminology. It
// loads the tables on the first search that needs them, not at startup.
type storeTerminology struct{}

func (storeTerminology) EachValueSetCode(url string, fn func(system, code string)) error {
	codes, err := terminology.Default().Codes(url)
	if err != nil {
		return err
	}
	for _, c := range codes {
		fn(c.System, c.Code)
	}
	return nil
}

func (storeTerminology) Descendants(system, code string) ([]string, error) {
	return terminology.Default().Descendants(system, code)
}

func (storeTerminology) Ancestors(system, code string) ([]string, error) {
	return terminology.Default().Ancestors(system, code)
}
