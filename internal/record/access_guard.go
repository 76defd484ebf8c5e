package record

import (
	"context"
	"errors"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// WindowGuard enforces time-of-day access windows on every use of the
// store: a read, search, history or write made for a user whose role is
// outside its windows fails before it reaches the data, with a
// KindForbidden error (403) naming the role's windows in Vietnamese and
// English. Who says, from the request context, which role acts and
// whether the user broke the glass for this request (an emergency, with a
// reason the caller has checked and audited); a context without a user
// (in-process jobs) is not restricted.
type WindowGuard struct {
	store.Store
	Windows AccessWindows
	Now     func() time.Time // default time.Now
	Who     func(ctx context.Context) (role string, override bool, ok bool)
	// Denied, when set, is told of each refusal (for the audit trail).
	Denied func(ctx context.Context, err *OutsideWindowError)
}

// Allowed returns nil when the user behind ctx may use the record now,
// else the 403 error.
func (g *WindowGuard) Allowed(ctx context.Context) error {
	if g.Who == nil || len(g.Windows.Roles) == 0 {
		return nil
	}
	role, override, ok := g.Who(ctx)
	if !ok || override {
		return nil
	}
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	err := g.Windows.Allow(role, now())
	if err == nil {
		return nil
	}
	var oe *OutsideWindowError
	if !errors.As(err, &oe) {
		return err
	}
	if g.Denied != nil {
		g.Denied(ctx, oe)
	}
	return &fhir.Error{Kind: fhir.KindForbidden, Msg: oe.Error(), Err: oe, Issues: []fhir.Issue{
		{Severity: "error", Code: "forbidden", Diagnostics: oe.Vietnamese()},
		{Severity: "error", Code: "forbidden", Diagnostics: oe.English()},
	}}
}

func (g *WindowGuard) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	if err := g.Allowed(ctx); err != nil {
		return nil, err
	}
	return g.Store.Read(ctx, typ, id)
}

func (g *WindowGuard) VRead(ctx context.Context, typ, id string, version int64) (*fhir.Resource, error) {
	if err := g.Allowed(ctx); err != nil {
		return nil, err
	}
	return g.Store.VRead(ctx, typ, id, version)
}

func (g *WindowGuard) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	if err := g.Allowed(ctx); err != nil {
		return nil, err
	}
	return g.Store.History(ctx, q)
}

func (g *WindowGuard) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	if err := g.Allowed(ctx); err != nil {
		return nil, err
	}
	return g.Store.Search(ctx, q)
}

// Update checks once, before the transaction starts: nothing is written
// for a refused user.
func (g *WindowGuard) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := g.Allowed(ctx); err != nil {
		return err
	}
	return g.Store.Update(ctx, fn)
}

var _ store.Store = (*WindowGuard)(nil)
