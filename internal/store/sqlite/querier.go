package sqlite

import (
	"context"
	"database/sql"
	"sync"

	"github.com/sen-emr/sen/internal/store/sqlstore"
)

// stmtCache keeps prepared statements per SQL text for one *sql.DB. The
// engine's SQL is built from a bounded set of shapes, but searches can
// produce many; past maxStmts new shapes run unprepared.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxStmts = 2048

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[query]; ok {
		return s, nil
	}
	if len(c.m) >= maxStmts {
		return nil, nil
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.m[query] = s
	return s, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, s := range c.m {
		s.Close()
		delete(c.m, k)
	}
}

// rows adapts *sql.Rows to sqlstore.Rows.
type rows struct{ *sql.Rows }

func (r rows) Close() { r.Rows.Close() }

// dbQuerier runs statements on the reader pool.
type dbQuerier struct{ c *stmtCache }

func (q dbQuerier) Exec(ctx context.Context, query string, args ...any) error {
	s, err := q.c.get(ctx, query)
	if err != nil {
		return err
	}
	if s == nil {
		_, err = q.c.db.ExecContext(ctx, query, args...)
		return err
	}
	_, err = s.ExecContext(ctx, args...)
	return err
}

func (q dbQuerier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	s, err := q.c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	var r *sql.Rows
	if s == nil {
		r, err = q.c.db.QueryContext(ctx, query, args...)
	} else {
		r, err = s.QueryContext(ctx, args...)
	}
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

func (q dbQuerier) ExecBatch(ctx context.Context, stmts []sqlstore.Stmt) error {
	for _, s := range stmts {
		if err := q.Exec(ctx, s.SQL, s.Args...); err != nil {
			return err
		}
	}
	return nil
}

// connQuerier runs statements on the writer's dedicated connection, inside
// the transaction InTx opened on it. Statements prepared on that connection
// stay prepared across transactions.
type connQuerier struct{ w *writer }

func (q connQuerier) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := q.w.stmts[query]; ok {
		return s, nil
	}
	if len(q.w.stmts) >= maxStmts {
		return nil, nil
	}
	s, err := q.w.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	q.w.stmts[query] = s
	return s, nil
}

// detach returns ctx without its cancellation once ctx is checked: the
// go-sqlite3 driver runs every statement on a goroutine of its own when the
// context can be cancelled (and database/sql watches every Rows with
// another), which cost a fifth of the writer's time in the ingest profile
// (docs/benchmarks.md §2e). A writer's statements are short; the
// transaction checks ctx between them instead.
func detach(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (q connQuerier) Exec(ctx context.Context, query string, args ...any) error {
	ctx, err := detach(ctx)
	if err != nil {
		return err
	}
	s, err := q.stmt(ctx, query)
	if err != nil {
		return err
	}
	if s == nil {
		_, err = q.w.conn.ExecContext(ctx, query, args...)
		return err
	}
	_, err = s.ExecContext(ctx, args...)
	return err
}

func (q connQuerier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	ctx, err := detach(ctx)
	if err != nil {
		return nil, err
	}
	s, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	var r *sql.Rows
	if s == nil {
		r, err = q.w.conn.QueryContext(ctx, query, args...)
	} else {
		r, err = s.QueryContext(ctx, args...)
	}
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

func (q connQuerier) ExecBatch(ctx context.Context, stmts []sqlstore.Stmt) error {
	for _, s := range stmts {
		if err := q.Exec(ctx, s.SQL, s.Args...); err != nil {
			return err
		}
	}
	return nil
}
