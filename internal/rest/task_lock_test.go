package rest

import (
	"context"
	"testing"

	"github.com/sen-emr/sen/internal/store"
)

// lockingTx records the keys it was asked to lock.
type lockingTx struct {
	store.Tx
	keys []string
}

func (l *lockingTx) LockCondition(_ context.Context, key string) error {
	l.keys = append(l.keys, key)
	return nil
}

// TestTaskWorkflowTxForwardsLock: the Task state-machine wrapper must not
// hide the condition lock of the transaction it wraps.
func TestTaskWorkflowTxForwardsLock(t *testing.T) {
	inner := &lockingTx{}
	if err := lockCondition(context.Background(), taskWorkflowTx{inner}, "Patient", "identifier=a|1"); err != nil {
		t.Fatal(err)
	}
	if got, want := inner.keys, []string{"Patient?identifier=a|1"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("locked %v, want %v", got, want)
	}
}
