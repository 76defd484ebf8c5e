package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Indexer computes the search-index entries of a resource body, so that
// AuditEvents can be searched (by patient, agent, date).
type Indexer interface {
	Index(typ string, body []byte) (search.Indexed, error)
}

// Config holds a Writer's dependencies. Store and Indexer are required.
type Config struct {
	Store   store.Store
	Indexer Indexer
	Anchor  Anchor // nil: a MemoryAnchor
	Logger  *slog.Logger
	// Batch is the most events written in one store transaction; 0 means 256.
	Batch int
	// Queue is how many events may wait to be written before Record blocks
	// (back-pressure: an audit event is never dropped); 0 means 4096.
	Queue int
}

// Writer appends events to the hash chain in the store. Record hands an
// event to a background goroutine that writes batches in one transaction
// each, so requests do not wait for the audit write; Flush waits for
// everything recorded so far. Safe for concurrent use; Close once.
type Writer struct {
	cfg   Config
	log   *slog.Logger
	queue chan item
	done  chan struct{}

	mu   sync.Mutex // guards head and lastErr
	head Head
	err  error
}

type item struct {
	ev    *Event
	flush chan error
}

// Open starts a writer continuing the chain whose head the anchor holds.
// If the store holds newer chained events than the anchor (a crash between
// commit and anchor write), the chain continues from the newest of them.
func Open(ctx context.Context, cfg Config) (*Writer, error) {
	if cfg.Store == nil || cfg.Indexer == nil {
		return nil, errors.New("audit.Open: Store and Indexer are required")
	}
	if cfg.Anchor == nil {
		cfg.Anchor = &MemoryAnchor{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 256
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4096
	}
	head, err := cfg.Anchor.Load()
	if err != nil {
		return nil, err
	}
	newest, err := newestInStore(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	if newest.Seq > head.Seq {
		cfg.Logger.Warn("audit chain: the store is ahead of the anchor; continuing from the store",
			"anchor_seq", head.Seq, "store_seq", newest.Seq)
		head = newest
	}
	w := &Writer{cfg: cfg, log: cfg.Logger, queue: make(chan item, cfg.Queue), done: make(chan struct{}), head: head}
	go w.run()
	return w, nil
}

// newestInStore finds the chained event with the highest sequence among
// the most recently recorded ones.
func newestInStore(ctx context.Context, r store.Reader) (Head, error) {
	q := &search.Query{Type: "AuditEvent", Count: 100, Sort: []search.SortKey{{Param: "date", Type: search.TypeDate, Descending: true}}}
	page, err := r.Search(ctx, q)
	if err != nil {
		return Head{}, fmt.Errorf("audit chain head: %w", err)
	}
	var best Head
	for _, res := range page.Resources {
		l, err := readLink(res.JSON)
		if err != nil || !l.Chained || l.Seq <= best.Seq {
			continue
		}
		h, err := Hash(res.JSON)
		if err != nil {
			continue
		}
		best = Head{Seq: l.Seq, Hash: h}
	}
	return best, nil
}

// Record queues e. It blocks only when the queue is full. e.Time defaults
// to now.
func (w *Writer) Record(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	w.queue <- item{ev: &e}
}

// Flush waits until every event recorded before it is committed and
// returns the first write error since the last Flush.
func (w *Writer) Flush(ctx context.Context) error {
	ch := make(chan error, 1)
	select {
	case w.queue <- item{flush: ch}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Head returns the newest committed link.
func (w *Writer) Head() Head {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.head
}

// Close writes what is queued and stops the writer.
func (w *Writer) Close(ctx context.Context) error {
	err := w.Flush(ctx)
	close(w.queue)
	<-w.done
	return err
}

func (w *Writer) run() {
	defer close(w.done)
	var batch []*Event
	for it := range w.queue {
		batch = w.add(batch, it)
		// Drain whatever else is waiting, up to a batch.
	drain:
		for len(batch) < w.cfg.Batch {
			select {
			case it, ok := <-w.queue:
				if !ok {
					break drain
				}
				batch = w.add(batch, it)
			default:
				break drain
			}
		}
		if len(batch) > 0 {
			batch = w.write(batch)
		}
	}
	if len(batch) > 0 {
		w.write(batch)
	}
}

// add appends an event, or answers a flush after writing what is pending.
func (w *Writer) add(batch []*Event, it item) []*Event {
	if it.ev != nil {
		return append(batch, it.ev)
	}
	if len(batch) > 0 {
		batch = w.write(batch)
	}
	w.mu.Lock()
	err := w.err
	w.err = nil
	w.mu.Unlock()
	if len(batch) > 0 && err == nil {
		err = errors.New("audit events still unwritten")
	}
	it.flush <- err
	return batch
}

// write commits batch as one transaction, linking each event to the one
// before. On failure the events are kept and retried with the next batch.
func (w *Writer) write(batch []*Event) []*Event {
	w.mu.Lock()
	head := w.head
	w.mu.Unlock()
	type prepared struct {
		id   string
		body []byte
		ix   search.Indexed
	}
	preps := make([]prepared, 0, len(batch))
	for _, e := range batch {
		id := uuid.NewString()
		body, err := build(e, id, head.Seq+1, head.Hash)
		if err != nil {
			w.fail(fmt.Errorf("build AuditEvent: %w", err))
			return batch
		}
		h, err := Hash(body)
		if err != nil {
			w.fail(err)
			return batch
		}
		ix, err := w.cfg.Indexer.Index("AuditEvent", body)
		if err != nil {
			w.fail(fmt.Errorf("index AuditEvent: %w", err))
			return batch
		}
		preps = append(preps, prepared{id: id, body: body, ix: ix})
		head = Head{Seq: head.Seq + 1, Hash: h}
	}
	err := w.cfg.Store.Update(context.Background(), func(tx store.Tx) error {
		for _, p := range preps {
			if _, err := tx.Put(context.Background(), store.Write{Type: "AuditEvent", ID: p.id, JSON: p.body, Index: p.ix, CreateOnly: true}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.fail(fmt.Errorf("write %d AuditEvents: %w", len(preps), err))
		if len(batch) > 10*w.cfg.Batch {
			// The store has been failing for a long time; keep memory bounded
			// but say loudly what is lost.
			w.log.Error("audit events dropped after repeated store failures", "count", len(batch))
			return nil
		}
		return batch
	}
	w.mu.Lock()
	w.head = head
	w.mu.Unlock()
	if err := w.cfg.Anchor.Save(head); err != nil {
		w.fail(err)
	}
	return batch[:0]
}

func (w *Writer) fail(err error) {
	w.log.Error("audit write failed", "err", err)
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}
