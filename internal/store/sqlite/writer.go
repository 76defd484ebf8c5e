package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/sen-emr/sen/internal/store/sqlstore"
)

// writer owns the one connection that writes. Transactions are opened with
// BEGIN IMMEDIATE on it directly (not through database/sql's Tx) so that the
// statements prepared on the connection are reused by every transaction.
type writer struct {
	mu    sync.Mutex // held for the whole of a transaction
	db    *sql.DB
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

func newWriter(ctx context.Context, db *sql.DB) (*writer, error) {
	w := &writer{db: db}
	if err := w.reconnect(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// reconnect replaces the connection (after it failed) and forgets the
// statements prepared on it.
func (w *writer) reconnect(ctx context.Context) error {
	for _, s := range w.stmts {
		s.Close()
	}
	w.stmts = map[string]*sql.Stmt{}
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
	c, err := w.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: writer connection: %w", err)
	}
	w.conn = c
	return nil
}

func (w *writer) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.stmts {
		s.Close()
	}
	w.stmts = nil
	var err error
	if w.conn != nil {
		err = w.conn.Close()
		w.conn = nil
	}
	return errors.Join(err, w.db.Close())
}

// inTx runs fn between BEGIN IMMEDIATE and COMMIT, rolling back on error
// or panic.
func (w *writer) inTx(ctx context.Context, fn func(q sqlstore.Querier) error) (err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		if w.stmts == nil {
			return errors.New("sqlite: database is closed")
		}
		if err := w.reconnect(ctx); err != nil {
			return err
		}
	}
	if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		w.recover(err)
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		// Roll back even when ctx is done: the connection must be left clean.
		if _, rerr := w.conn.ExecContext(context.Background(), "ROLLBACK"); rerr != nil {
			w.recover(rerr)
			err = errors.Join(err, fmt.Errorf("sqlite: rollback: %w", rerr))
		}
	}()
	if err := fn(connQuerier{w}); err != nil {
		return err
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	committed = true
	return nil
}

// pragma runs a statement on the writer connection outside any
// transaction (connection settings such as wal_autocheckpoint).
func (w *writer) pragma(ctx context.Context, stmt string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		if err := w.reconnect(ctx); err != nil {
			return err
		}
	}
	if _, err := w.conn.ExecContext(ctx, stmt); err != nil {
		w.recover(err)
		return fmt.Errorf("sqlite: %s: %w", stmt, err)
	}
	return nil
}

// recover drops a connection that database/sql reports as unusable, so the
// next transaction gets a fresh one.
func (w *writer) recover(err error) {
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		for _, s := range w.stmts {
			s.Close()
		}
		w.stmts = map[string]*sql.Stmt{}
		if w.conn != nil {
			w.conn.Close()
			w.conn = nil
		}
	}
}
