package rest

import (
	"context"

	"github.com/sen-emr/sen/internal/clinical/careplan"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// The FHIR Workflow Task state machine
// (https://hl7.org/fhir/R4/task.html#statemachine, table in
// clinical/careplan) is enforced where every write path meets: the store
// transaction. create, update, conditional update, patch, batch and
// transaction all put through store.Tx, so a Task cannot jump from
// requested to completed by any of them. The previous status is read in
// the same transaction as the write, so two clients racing cannot both
// pass the check against a stale status. A refused write fails with 422
// and an OperationOutcome naming the transition (Task.status).

// taskWorkflowStore wraps a store so that Task writes obey the state machine.
type taskWorkflowStore struct{ store.Store }

func (t taskWorkflowStore) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	return t.Store.Update(ctx, func(tx store.Tx) error { return fn(taskWorkflowTx{tx}) })
}

type taskWorkflowTx struct{ store.Tx }

func (t taskWorkflowTx) Put(ctx context.Context, w store.Write) (*fhir.Resource, error) {
	if w.Type == "Task" {
		var prev []byte
		cur, err := t.Tx.Read(ctx, "Task", w.ID)
		switch {
		case err == nil:
			prev = cur.JSON
		case fhir.KindOf(err) == fhir.KindNotFound || fhir.KindOf(err) == fhir.KindGone:
		default:
			return nil, err
		}
		if err := careplan.CheckTaskWrite(prev, w.JSON); err != nil {
			return nil, err
		}
	}
	return t.Tx.Put(ctx, w)
}

var (
	_ store.Store = taskWorkflowStore{}
	_ store.Tx    = taskWorkflowTx{}
)
