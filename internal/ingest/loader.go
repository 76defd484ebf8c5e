package ingest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Indexer computes the index entries of a resource.
type Indexer interface {
	Index(typ string, body []byte) (search.Indexed, error)
}

// Loader writes resources to a store in batches.
type Loader struct {
	Store   store.Store
	Indexer Indexer
	// Batch is the number of resources per database transaction (default 1000).
	Batch int
	// Workers index in parallel (default GOMAXPROCS).
	Workers int
	// Progress, when set, is called after each committed batch with the
	// running total.
	Progress func(written int)
}

// BulkStore is a store that loads faster when told a large load is
// coming: the SQLite store sets its search indexes aside and builds them
// once at the end. finish must be called however the load ends.
type BulkStore interface {
	BeginBulk(ctx context.Context) (finish func(context.Context) error, err error)
}

// Stats reports a load.
type Stats struct {
	Written int
	ByType  map[string]int
}

// Load reads resource bodies from next until it returns (nil, nil), indexes
// them on Workers goroutines and writes them with PUT semantics (create or
// new version). A resource that fails to parse or index stops the load with
// an error naming it; batches committed before stay committed, and loading
// the same input again is idempotent in content.
func (l *Loader) Load(ctx context.Context, next func() ([]byte, error)) (st Stats, err error) {
	batch := l.Batch
	if batch <= 0 {
		batch = 1000
	}
	workers := l.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if b, ok := l.Store.(BulkStore); ok {
		finish, err := b.BeginBulk(ctx)
		if err != nil {
			return Stats{}, fmt.Errorf("ingest: %w", err)
		}
		defer func() {
			// Build the indexes even when the load was cancelled: the
			// committed batches must be searchable.
			if ferr := finish(context.WithoutCancel(ctx)); ferr != nil && err == nil {
				err = fmt.Errorf("ingest: %w", ferr)
			}
		}()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		seq  int
		body []byte
	}
	type done struct {
		seq int
		w   store.Write
		err error
	}
	jobs := make(chan job, batch)
	results := make(chan done, batch)
	var readErr error
	go func() {
		defer close(jobs)
		for seq := 0; ; seq++ {
			body, err := next()
			if err != nil {
				readErr = err
				return
			}
			if body == nil {
				return
			}
			select {
			case jobs <- job{seq, body}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				w, err := l.prepare(j.body)
				results <- done{j.seq, w, err}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	st = Stats{ByType: map[string]int{}}
	pending := make([]store.Write, 0, batch)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := l.Store.Update(ctx, func(tx store.Tx) error {
			for _, w := range pending {
				if _, err := tx.Put(ctx, w); err != nil {
					return fmt.Errorf("%s/%s: %w", w.Type, w.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, w := range pending {
			st.ByType[w.Type]++
		}
		st.Written += len(pending)
		pending = pending[:0]
		if l.Progress != nil {
			l.Progress(st.Written)
		}
		return nil
	}
	var firstErr error
	// Workers finish out of order; writes keep input order so that a later
	// version of a resource in the input is also the later version stored.
	waiting := map[int]done{}
	nextSeq := 0
	for r := range results {
		if firstErr != nil {
			continue // drain
		}
		waiting[r.seq] = r
		for {
			d, ok := waiting[nextSeq]
			if !ok {
				break
			}
			delete(waiting, nextSeq)
			nextSeq++
			if d.err != nil {
				firstErr = fmt.Errorf("resource #%d: %w", d.seq+1, d.err)
				cancel()
				break
			}
			pending = append(pending, d.w)
			if len(pending) >= batch {
				if err := flush(); err != nil {
					firstErr = err
					cancel()
					break
				}
			}
		}
	}
	if firstErr == nil {
		firstErr = readErr
	}
	if firstErr == nil {
		firstErr = flush()
	}
	if firstErr != nil && !errors.Is(firstErr, context.Canceled) {
		return st, fmt.Errorf("ingest: %w", firstErr)
	}
	return st, firstErr
}

func (l *Loader) prepare(body []byte) (store.Write, error) {
	h, err := fhir.ParseHeader(body)
	if err != nil {
		return store.Write{}, err
	}
	if !fhir.ValidID(h.ID) {
		return store.Write{}, fhir.Errorf(fhir.KindInvalid, "%s has no valid id (%q)", h.ResourceType, h.ID)
	}
	idx, err := l.Indexer.Index(h.ResourceType, body)
	if err != nil {
		return store.Write{}, fmt.Errorf("index %s/%s: %w", h.ResourceType, h.ID, err)
	}
	return store.Write{Type: h.ResourceType, ID: h.ID, JSON: body, Index: idx}, nil
}
