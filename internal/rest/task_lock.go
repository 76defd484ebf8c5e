package rest

import "context"

// LockCondition forwards to the wrapped transaction, so that wrapping a
// store for the Task state machine does not hide the condition lock that
// a concurrent backend (PostgreSQL) needs for conditional interactions:
// without it two conditional creates with the same If-None-Exist could
// both create.
func (t taskWorkflowTx) LockCondition(ctx context.Context, key string) error {
	if l, ok := t.Tx.(conditionLocker); ok {
		return l.LockCondition(ctx, key)
	}
	return nil
}

var _ conditionLocker = taskWorkflowTx{}
