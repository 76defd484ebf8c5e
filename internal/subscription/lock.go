package subscription

import (
	"context"

	"github.com/sen-emr/sen/internal/store"
)

// LockCondition forwards the condition lock of the wrapped transaction
// (store.ConditionLocker), which wrapping would otherwise hide.
func (t *recordingTx) LockCondition(ctx context.Context, key string) error {
	return store.LockCondition(ctx, t.Tx, key)
}

var _ store.ConditionLocker = (*recordingTx)(nil)
