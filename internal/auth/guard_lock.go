package auth

import (
	"context"

	"github.com/sen-emr/sen/internal/store"
)

// LockCondition forwards the condition lock of the wrapped transaction
// (store.ConditionLocker). Taking the lock reveals nothing, so it needs no
// permission; the conditional search that follows is guarded as usual.
func (t *guardTx) LockCondition(ctx context.Context, key string) error {
	return store.LockCondition(ctx, t.tx, key)
}

var _ store.ConditionLocker = (*guardTx)(nil)
