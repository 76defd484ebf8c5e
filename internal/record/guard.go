package record

import (
	"context"
	"errors"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// Guard wraps a store so that deleting a medical record before its
// retention period ends fails with a KindForbidden error that names the
// class and the date (Circular 33/2025/TT-BYT). Records are never
// silently removed: the error says why, in Vietnamese and English.
type Guard struct {
	store.Store
	Now func() time.Time
}

// NewGuard returns the guarded store.
func NewGuard(s store.Store, now func() time.Time) *Guard {
	if now == nil {
		now = time.Now
	}
	return &Guard{Store: s, Now: now}
}

// Update runs fn with a transaction whose Delete checks retention.
func (g *Guard) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	return g.Store.Update(ctx, func(tx store.Tx) error { return fn(&guardTx{Tx: tx, now: g.Now}) })
}

type guardTx struct {
	store.Tx
	now func() time.Time
}

func (t *guardTx) Delete(ctx context.Context, typ, id string, ifMatch int64) (*fhir.Resource, error) {
	cur, err := t.Tx.Read(ctx, typ, id)
	var fe *fhir.Error
	if errors.As(err, &fe) && (fe.Kind == fhir.KindNotFound || fe.Kind == fhir.KindGone) {
		return t.Tx.Delete(ctx, typ, id, ifMatch)
	}
	if err != nil {
		return nil, err
	}
	if ep, ok := episodeOfResource(typ, cur.JSON); ok {
		if err := CheckDelete(typ+"/"+id, ep, t.now()); err != nil {
			return nil, &fhir.Error{Kind: fhir.KindForbidden, Msg: err.Error(), Err: err}
		}
	}
	return t.Tx.Delete(ctx, typ, id, ifMatch)
}

var _ store.Store = (*Guard)(nil)
