package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlstore"
)

// Options configure Open. The zero value is the production default.
type Options struct {
	sqlstore.Options
	// Driver is "mattn" (github.com/mattn/go-sqlite3, cgo) or "modernc"
	// (modernc.org/sqlite, pure Go); "" is DefaultDriver.
	Driver string
	// Readers is the size of the reader pool (default: 2 × GOMAXPROCS, at least 4).
	Readers int
	// Durable selects synchronous=FULL: an acknowledged write survives power
	// loss, not only a process crash, at the price of an fsync per commit.
	Durable bool
	// BulkMaxResources is the largest database on which BeginBulk sets the
	// search indexes aside (default 10,000 resources).
	BulkMaxResources int
}

// DB is a SQLite-backed store.Store. It is safe for concurrent use; writes
// are serialised on one connection.
type DB struct {
	*sqlstore.Engine
	w       *writer
	reader  *sql.DB
	rcache  *stmtCache
	bulkMax int
}

// Open opens (creating if needed) the database file at path and migrates
// its schema.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	drv, err := driverFor(opts.Driver)
	if err != nil {
		return nil, err
	}
	sync := "NORMAL"
	if opts.Durable {
		sync = "FULL"
	}
	writer, err := sql.Open(drv.name, drv.dsn(path, sync, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	reader, err := sql.Open(drv.name, drv.dsn(path, sync, false))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := opts.Readers
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	w, err := newWriter(ctx, writer)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, err
	}
	db := &DB{w: w, reader: reader, rcache: newStmtCache(reader), bulkMax: opts.BulkMaxResources}
	if db.bulkMax <= 0 {
		db.bulkMax = defaultBulkMaxResources
	}
	db.Engine = sqlstore.New(backend{db}, opts.Options)
	// A bulk load that died before building its indexes left them in
	// deferred_indexes: build them before anyone searches.
	var deferred bool
	if err := reader.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM deferred_indexes)").Scan(&deferred); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	if deferred {
		if err := db.buildDeferred(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// driver knows how one SQLite driver spells the connection settings.
type driver struct {
	name string
	dsn  func(path, sync string, writer bool) string
}

func driverFor(name string) (driver, error) {
	if name == "" {
		name = DefaultDriver
	}
	switch name {
	case "mattn":
		return driver{"sqlite3", func(path, sync string, writer bool) string {
			v := url.Values{}
			v.Set("_journal_mode", "WAL")
			v.Set("_synchronous", sync)
			v.Set("_busy_timeout", "10000")
			v.Set("_cache_size", "-32000")
			if !writer {
				v.Set("_query_only", "1")
			}
			return "file:" + path + "?" + v.Encode()
		}}, nil
	case "modernc":
		return driver{"sqlite", func(path, sync string, writer bool) string {
			v := url.Values{}
			v.Add("_pragma", "journal_mode(WAL)")
			v.Add("_pragma", "synchronous("+sync+")")
			v.Add("_pragma", "busy_timeout(10000)")
			v.Add("_pragma", "cache_size(-32000)")
			if !writer {
				v.Add("_pragma", "query_only(1)")
			}
			return "file:" + path + "?" + v.Encode()
		}}, nil
	}
	return driver{}, fmt.Errorf("sqlite: unknown driver %q (want mattn or modernc)", name)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close releases both pools. Calls after Close fail.
func (db *DB) Close() error {
	db.rcache.close()
	return errors.Join(db.reader.Close(), db.w.close())
}

// backend gives the engine its connections.
type backend struct{ db *DB }

func (b backend) Dialect() sqlstore.Dialect { return sqlstore.Dialect{Name: "sqlite"} }

func (b backend) Reader() sqlstore.Querier { return dbQuerier{b.db.rcache} }

func (b backend) InTx(ctx context.Context, fn func(q sqlstore.Querier) error) error {
	return b.db.w.inTx(ctx, fn)
}

var _ store.Store = (*DB)(nil)
