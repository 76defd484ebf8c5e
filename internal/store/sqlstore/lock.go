package sqlstore

import (
	"context"
	"fmt"
)

// Locker is implemented by a transaction's Querier whose database runs
// write transactions concurrently (PostgreSQL), so that conditional
// interactions can be serialised on a key. SQLite serialises writers
// itself and does not implement it.
type Locker interface {
	// Lock blocks until no other transaction holds key and keeps it until
	// the current transaction commits or rolls back.
	Lock(ctx context.Context, key string) error
}

// LockCondition serialises transactions that evaluate the same condition
// (e.g. "Patient?identifier=x|1" of an If-None-Exist): without it two
// READ COMMITTED transactions can both find no match and both create. The
// REST layer calls it, through a one-method interface of its own, before
// evaluating a conditional create, update or delete. On a backend without
// a Locker it does nothing.
func (t *tx) LockCondition(ctx context.Context, key string) error {
	if t.done {
		return errTxDone
	}
	l, ok := t.q.(Locker)
	if !ok {
		return nil
	}
	if err := l.Lock(ctx, key); err != nil {
		return fmt.Errorf("sqlstore: lock condition %q: %w", key, err)
	}
	return nil
}
