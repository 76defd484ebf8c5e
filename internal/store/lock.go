package store

import "context"

// ConditionLocker is an optional Tx capability: LockCondition serialises
// the transactions that evaluate the same conditional interaction (the key
// names it, e.g. a conditional create's If-None-Exist query) until they
// commit. Backends that run writers concurrently (PostgreSQL) implement it;
// SQLite, whose writers are already serial, need not.
//
// A decorator that wraps a Tx must forward it with LockCondition below, or
// concurrent conditional creates could both create.
type ConditionLocker interface {
	LockCondition(ctx context.Context, key string) error
}

// LockCondition calls tx's LockCondition when it has one, and does nothing
// otherwise.
func LockCondition(ctx context.Context, tx Tx, key string) error {
	if l, ok := tx.(ConditionLocker); ok {
		return l.LockCondition(ctx, key)
	}
	return nil
}
