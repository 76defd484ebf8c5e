package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Options tune the engine. The zero value is usable.
type Options struct {
	// Now is the clock for meta.lastUpdated (time.Now when nil).
	Now func() time.Time
	// DefaultCount is the page size when a query gives none (50 when 0);
	// MaxCount caps _count (1000 when 0).
	DefaultCount, MaxCount int
	// IncludeDepth bounds _include/_revinclude :iterate rounds (4 when 0).
	IncludeDepth int
	// Canonical converts a quantity search value to its UCUM-canonical value
	// and unit, so that 5 mg finds 0.005 g. When nil, quantities match in
	// the unit given or against stored canonical values in that unit.
	Canonical func(value float64, system, code string) (float64, string, bool)
	// Terminology answers the token modifiers :in, :not-in, :above and
	// :below; when nil they are unsupported.
	Terminology Terminology
	// Model is the R4 model whose search parameters the index holds
	// (r4.Load() when nil).
	Model *r4.Model
	// Indexer extracts the index entries of contained resources for
	// _contained searches; when nil, one is built from the R4 model on the
	// first such search.
	Indexer *search.Indexer
}

// Engine implements store.Store (all but Close) over a Backend.
type Engine struct {
	b       Backend
	d       Dialect
	opts    Options
	inserts map[string][]string // table -> multi-row INSERT text by row count
	// insertCols are the columns of each index table in insert order.
	insertCols map[string][]string
	ix         lazyIndexer // for _contained (contained.go)
	aliases    *aliases    // parameters stored as other parameters' rows (alias.go)
}

// maxInsertRows is the largest multi-row INSERT; a resource's rows for one
// table go in one statement up to it, so prepared-statement caches hold at
// most maxInsertRows shapes per table.
const maxInsertRows = 64

// New returns an engine over b.
func New(b Backend, opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DefaultCount <= 0 {
		opts.DefaultCount = 50
	}
	if opts.MaxCount <= 0 {
		opts.MaxCount = 1000
	}
	if opts.IncludeDepth <= 0 {
		opts.IncludeDepth = 4
	}
	if opts.Model == nil {
		opts.Model = r4.Load()
	}
	e := &Engine{b: b, d: b.Dialect(), opts: opts, inserts: map[string][]string{}, insertCols: map[string][]string{},
		aliases: newAliases(opts.Model)}
	for _, t := range indexTables {
		e.insertCols[t.name] = append([]string{"rid", "n", "type", "pkey", "param"}, t.cols...)
		e.inserts[t.name] = make([]string, maxInsertRows+1)
		for n := 1; n <= maxInsertRows; n++ {
			e.inserts[t.name][n] = insertSQL(e.d, t, n)
		}
	}
	return e
}

// Read implements store.Reader.
func (e *Engine) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	return e.read(ctx, e.b.Reader(), typ, id)
}

// VRead implements store.Reader.
func (e *Engine) VRead(ctx context.Context, typ, id string, version int64) (*fhir.Resource, error) {
	return e.vread(ctx, e.b.Reader(), typ, id, version)
}

// History implements store.Reader.
func (e *Engine) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	return e.history(ctx, e.b.Reader(), q)
}

// Search implements store.Reader.
func (e *Engine) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	return e.search(ctx, e.b.Reader(), q)
}

// Update implements store.Store: fn runs in one backend transaction.
func (e *Engine) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	return e.b.InTx(ctx, func(q Querier) error {
		t := &tx{e: e, q: q}
		defer func() { t.done = true }()
		if err := fn(t); err != nil {
			return err
		}
		return e.flush(ctx, q, &t.pend)
	})
}

// tx is the store.Tx handed to Update's fn.
type tx struct {
	e    *Engine
	q    Querier
	done bool
	pend pending // index rows not yet written
}

var errTxDone = errors.New("transaction used after Update returned")

func (t *tx) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.e.read(ctx, t.q, typ, id)
}

func (t *tx) VRead(ctx context.Context, typ, id string, version int64) (*fhir.Resource, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.e.vread(ctx, t.q, typ, id, version)
}

func (t *tx) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.e.history(ctx, t.q, q)
}

func (t *tx) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	if t.done {
		return nil, errTxDone
	}
	if err := t.e.flush(ctx, t.q, &t.pend); err != nil {
		return nil, err
	}
	return t.e.search(ctx, t.q, q)
}

func (t *tx) Put(ctx context.Context, w store.Write) (*fhir.Resource, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.e.put(ctx, t.q, w, &t.pend)
}

func (t *tx) Delete(ctx context.Context, typ, id string, ifMatch int64) (*fhir.Resource, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.e.delete(ctx, t.q, typ, id, ifMatch, &t.pend)
}

func micros(us int64) time.Time { return time.UnixMicro(us).UTC() }
