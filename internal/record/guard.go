package record

import (
	"context"
	"errors"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// Guard wraps a store so that deleting a medical record before its
// retention period ends fails (Circular 33/2025/TT-BYT). Records are never
// silently removed: the error says why, in Vietnamese and English.
//
// The refusal is a KindConflict error (HTTP 409): the FHIR delete
// interaction answers 409 when "the server refuses to delete a resource
// because of reasons specific to that resource"
// (https://hl7.org/fhir/R4/http.html#delete). It is not a permission
// matter (403): no user, however privileged, may delete the record early.
//
// The period is that of the whole episode: a resource that names an
// Encounter (encounter or context) is kept as long as that Encounter's
// record, which is classified from its diagnoses (Encounter.diagnosis and,
// with Conditions set, every Condition of the encounter), its discharge
// disposition and the patient's death. Nothing in the store changes when a
// deletion is refused.
type Guard struct {
	store.Store
	Now func() time.Time
	// Conditions, when set, lists the Conditions recorded in an encounter
	// (a search the guard cannot build itself: it knows no search
	// parameters). Without it only Encounter.diagnosis is read.
	Conditions func(ctx context.Context, r store.Reader, encounterID string) ([][]byte, error)
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
	return g.Store.Update(ctx, func(tx store.Tx) error { return fn(&guardTx{Tx: tx, g: g}) })
}

// Check returns a *RetainedError when the record typ/id (whose current or
// last body is body) is still under retention at now, nil when it may be
// removed. Resources that are not part of a medical record (Basic,
// Organization …) are never retained here.
func (g *Guard) Check(ctx context.Context, r store.Reader, typ, id string, body []byte, now time.Time) error {
	ep, ok, err := ResolveEpisode(ctx, r, typ, body, g.Conditions)
	if err != nil || !ok {
		return err
	}
	return CheckDelete(typ+"/"+id, ep, now)
}

type guardTx struct {
	store.Tx
	g *Guard
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
	if err := t.g.Check(ctx, t.Tx, typ, id, cur.JSON, t.g.Now()); err != nil {
		return nil, retainedOutcome(err)
	}
	return t.Tx.Delete(ctx, typ, id, ifMatch)
}

// retainedOutcome turns a *RetainedError into the FHIR error the API
// answers with: 409 and one OperationOutcome issue per language.
func retainedOutcome(err error) error {
	var re *RetainedError
	if !errors.As(err, &re) {
		return err
	}
	return &fhir.Error{Kind: fhir.KindConflict, Msg: re.Error(), Err: re, Issues: []fhir.Issue{
		{Severity: "error", Code: "business-rule", Diagnostics: re.Vietnamese()},
		{Severity: "error", Code: "business-rule", Diagnostics: re.English()},
	}}
}

var _ store.Store = (*Guard)(nil)
