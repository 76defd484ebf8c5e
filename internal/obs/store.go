package obs

import (
	"context"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Store returns st with every call timed into
// sen_store_operation_duration_seconds{op} and failures counted in
// sen_store_operation_errors_total{op,kind}. Calls inside an Update's Tx are
// not timed one by one: the update is. The wrapper hides st's optional
// methods (Check, Ping ...); keep st itself for those.
func (m *Metrics) Store(st store.Store) store.Store { return &timedStore{st: st, m: m} }

type timedStore struct {
	st store.Store
	m  *Metrics
}

func (t *timedStore) observe(op string, start time.Time, err error) {
	t.m.store.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if err != nil {
		t.m.storeErr.WithLabelValues(op, kindName(fhir.KindOf(err))).Inc()
	}
}

func (t *timedStore) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	start := time.Now()
	r, err := t.st.Read(ctx, typ, id)
	t.observe("read", start, err)
	return r, err
}

func (t *timedStore) VRead(ctx context.Context, typ, id string, version int64) (*fhir.Resource, error) {
	start := time.Now()
	r, err := t.st.VRead(ctx, typ, id, version)
	t.observe("vread", start, err)
	return r, err
}

func (t *timedStore) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	start := time.Now()
	p, err := t.st.History(ctx, q)
	t.observe("history", start, err)
	return p, err
}

func (t *timedStore) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	start := time.Now()
	p, err := t.st.Search(ctx, q)
	t.observe("search", start, err)
	return p, err
}

func (t *timedStore) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	start := time.Now()
	err := t.st.Update(ctx, fn)
	t.observe("update", start, err)
	return err
}

func (t *timedStore) Close() error { return t.st.Close() }

// kindName is the error-kind label value.
func kindName(k fhir.Kind) string {
	switch k {
	case fhir.KindInvalid:
		return "invalid"
	case fhir.KindNotFound:
		return "not-found"
	case fhir.KindGone:
		return "gone"
	case fhir.KindConflict:
		return "conflict"
	case fhir.KindPrecondition:
		return "precondition"
	case fhir.KindUnprocessable:
		return "unprocessable"
	case fhir.KindForbidden:
		return "forbidden"
	case fhir.KindUnauthorized:
		return "unauthorized"
	case fhir.KindUnsupported:
		return "unsupported"
	case fhir.KindTooLarge:
		return "too-large"
	case fhir.KindTooCostly:
		return "too-costly"
	case fhir.KindMultipleMatches:
		return "multiple-matches"
	}
	return "internal"
}

var _ store.Store = (*timedStore)(nil)
