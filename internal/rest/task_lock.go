package rest

import (
	"context"

	"github.com/sen-emr/sen/internal/store"
)

// LockCondition forwards to the wrapped transaction, so that wrapping a
// store for the Task state machine does not hide the condition lock that
// a concurrent backend (PostgreSQL) needs for conditional interactions:
// without it two conditional creates with the same If-None-Exist could
// both create.
func (t taskWorkflowTx) LockCondition(ctx context.Context, key string) error {
	return store.LockCondition(ctx, t.Tx, key)
}

var _ conditionLocker = taskWorkflowTx{}
