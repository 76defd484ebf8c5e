package sqlstore

import (
	"context"
)

// Rows is the subset of database/sql.Rows and pgx.Rows the engine uses.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Stmt is one statement of a batch.
type Stmt struct {
	SQL  string
	Args []any
}

// Querier runs SQL on a connection or inside a transaction. Values passed
// and scanned are int64, float64, string and []byte only, so that both
// drivers agree on them.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) error
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	// ExecBatch runs the statements in order, stopping at the first error.
	// PostgreSQL pipelines them in one round trip.
	ExecBatch(ctx context.Context, stmts []Stmt) error
}

// Backend is what a database supplies to the engine.
type Backend interface {
	Dialect() Dialect
	// Reader runs reads outside a write transaction.
	Reader() Querier
	// InTx runs fn in one read-write transaction, committing iff fn returns nil.
	InTx(ctx context.Context, fn func(q Querier) error) error
}

// queryRow runs a query expected to return at most one row and scans it.
// found is false when there was no row.
func queryRow(ctx context.Context, q Querier, sql string, args []any, dest ...any) (found bool, err error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(dest...); err != nil {
		return false, err
	}
	return true, rows.Err()
}
