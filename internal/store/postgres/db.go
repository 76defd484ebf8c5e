package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlstore"
)

// Options configure Open. The zero value is the production default.
type Options struct {
	sqlstore.Options
	// MaxConns caps the pool (16 when 0). Reads outside a transaction
	// while Update's fn runs need a second connection, so keep it well
	// above the number of concurrent writers.
	MaxConns int32
}

// DB is a PostgreSQL-backed store.Store, safe for concurrent use.
type DB struct {
	*sqlstore.Engine
	pool *pgxpool.Pool
}

// Open connects to url (a libpq URL or DSN; a search_path parameter selects
// the schema) and migrates the schema.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	cfg.MaxConns = 16
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := &DB{pool: pool}
	db.Engine = sqlstore.New(backend{pool}, opts.Options)
	return db, nil
}

// Ping checks that the server answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close releases the pool. Calls after Close fail.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

type backend struct{ pool *pgxpool.Pool }

func (b backend) Dialect() sqlstore.Dialect { return sqlstore.Dialect{Name: "postgres", Dollar: true} }

func (b backend) Reader() sqlstore.Querier { return querier{b.pool} }

func (b backend) InTx(ctx context.Context, fn func(q sqlstore.Querier) error) (err error) {
	tx, err := b.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback(context.Background())
			panic(p)
		}
	}()
	if err := fn(querier{tx}); err != nil {
		if rerr := tx.Rollback(context.Background()); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) {
			return errors.Join(err, fmt.Errorf("postgres: rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return classify(fmt.Errorf("postgres: commit: %w", err))
	}
	return nil
}

// classify turns serialisation failures and deadlocks, which a client can
// retry, into KindConflict.
func classify(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01") {
		return &fhir.Error{Kind: fhir.KindConflict, Msg: "concurrent update; retry", Err: err}
	}
	return err
}

// conn is what both the pool and a transaction offer.
type conn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
}

// querier adapts a pgx connection to sqlstore.Querier.
type querier struct{ c conn }

func (q querier) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := q.c.Exec(ctx, sql, args...)
	return classify(err)
}

func (q querier) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.c.Query(ctx, sql, args...)
	if err != nil {
		return nil, classify(err)
	}
	return rows, nil
}

// ExecBatch pipelines the statements in one round trip.
func (q querier) ExecBatch(ctx context.Context, stmts []sqlstore.Stmt) error {
	if len(stmts) == 1 {
		return q.Exec(ctx, stmts[0].SQL, stmts[0].Args...)
	}
	b := &pgx.Batch{}
	for _, s := range stmts {
		b.Queue(s.SQL, s.Args...)
	}
	br := q.c.SendBatch(ctx, b)
	var first error
	for range stmts {
		if _, err := br.Exec(); err != nil && first == nil {
			first = err
		}
	}
	return classify(errors.Join(first, br.Close()))
}

// CopyRows implements sqlstore.Copier: the index rows of a large
// transaction go in with COPY, one stream per table.
func (q querier) CopyRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	_, err := q.c.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
	return classify(err)
}

var (
	_ store.Store     = (*DB)(nil)
	_ sqlstore.Copier = querier{}
)
