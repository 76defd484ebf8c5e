package view

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// Source streams stored resources of one type. Each calls fn with the JSON
// body of every resource of resourceType (the body is only valid during
// the call) and stops at the first error fn returns, returning it. It must
// honour ctx cancellation.
type Source interface {
	Each(ctx context.Context, resourceType string, fn func(body []byte) error) error
}

// RunOptions tune Run.
type RunOptions struct {
	// Workers is the number of goroutines that decode and evaluate
	// resources while the source is read and rows are written; 0 and 1
	// evaluate in the calling goroutine, -1 means GOMAXPROCS. Rows are
	// written in the source's order either way. More workers pay for
	// copying each body and handing batches over, which only idle cores
	// repay: on a shared two-core machine one worker was as fast
	// (docs/benchmarks.md §4), so one is the default.
	Workers int
}

// Run evaluates the view over every resource the source holds of the
// view's type and writes the rows to w, then closes w. It stops at the
// first error (a resource that does not decode, an evaluation error, a
// write error) or when ctx is done. It is RunWith with the zero
// RunOptions.
func Run(ctx context.Context, v *View, src Source, w Writer) error {
	return RunWith(ctx, v, src, w, RunOptions{})
}

// RunWith is Run with options. Whatever the number of workers, the rows
// and the error are those of a sequential run: rows in source order, and
// the first error in source order, with every row before it written.
func RunWith(ctx context.Context, v *View, src Source, w Writer, opts RunOptions) error {
	workers := opts.Workers
	if workers < 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var err error
	if workers <= 1 {
		err = runSequential(ctx, v, src, w)
	} else {
		err = runParallel(ctx, v, src, w, workers)
	}
	if err != nil {
		_ = w.Close()
		return fmt.Errorf("view: run %s: %w", v.resource, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("view: run %s: %w", v.resource, err)
	}
	return nil
}

func runSequential(ctx context.Context, v *View, src Source, w Writer) error {
	r := v.newRun(w.Write)
	return src.Each(ctx, v.resource, func(body []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := v.decode(body)
		if err != nil {
			return fmt.Errorf("view: %w", err)
		}
		return r.resource(res)
	})
}

// Batches bound the work handed to a worker at once: enough resources to
// make the hand-off cheap, few enough that rows start flowing early.
const (
	batchResources = 256
	batchBytes     = 1 << 20
)

// batch is a run of consecutive resources: their bodies (copied, since a
// source lends them only during its callback), then, once a worker has
// evaluated them, their rows and the error that stopped the batch.
type batch struct {
	body  []byte
	ends  []int // end offset of each body in body
	ncols int
	cells []any // rows, ncols cells each
	err   error // the error after the rows in cells, if any
	done  chan struct{}
}

// reset readies b for new bodies. The body buffer is never reused: the
// decoded resources of the last round share its memory (decodeString),
// and rows written later may still hold their strings.
func (b *batch) reset() {
	b.body = make([]byte, 0, max(len(b.body)+len(b.body)/8, 64<<10))
	b.ends, b.cells, b.err = b.ends[:0], b.cells[:0], nil
	b.done = make(chan struct{})
}

// runParallel reads the source in one goroutine, evaluates batches in
// workers and writes rows in the calling goroutine, in source order: the
// reader hands each batch to the workers and, in the same order, to the
// writer, which waits for each in turn. At most 2×workers+2 batches exist,
// so memory is bounded and channel sends never block.
func runParallel(ctx context.Context, v *View, src Source, w Writer, workers int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	limit := 2*workers + 2
	work := make(chan *batch, limit)
	order := make(chan *batch, limit)
	free := make(chan *batch, limit)
	for i := 0; i < limit; i++ {
		free <- &batch{ncols: len(v.columns)}
	}

	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cur *batch
			r := v.newRun(func(row []any) error {
				cur.cells = append(cur.cells, row...)
				return nil
			})
			for b := range work {
				cur = b
				evalBatch(ctx, v, r, b)
				close(b.done)
			}
		}()
	}

	readErr := make(chan error, 1)
	go func() {
		defer close(work)
		defer close(order)
		var cur *batch
		send := func() {
			work <- cur
			order <- cur
			cur = nil
		}
		err := src.Each(ctx, v.resource, func(body []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if cur == nil {
				select {
				case cur = <-free:
					cur.reset()
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			cur.body = append(cur.body, body...)
			cur.ends = append(cur.ends, len(cur.body))
			if len(cur.ends) >= batchResources || len(cur.body) >= batchBytes {
				send()
			}
			return nil
		})
		if cur != nil {
			send()
		}
		readErr <- err
	}()

	err := writeBatches(order, free, w)
	if err != nil {
		cancel()
	}
	// Drain what the reader still sends so that it can finish, then wait
	// for everyone: nothing may touch w or the source after Run returns.
	for range order {
	}
	rerr := <-readErr
	wg.Wait()
	if err != nil {
		return err
	}
	return rerr
}

// evalBatch decodes and evaluates every resource of b, stopping at the
// first error.
func evalBatch(ctx context.Context, v *View, r *run, b *batch) {
	// The batch's buffer is not written again (reset allocates a new
	// one), so its strings can share it.
	body := unsafe.String(unsafe.SliceData(b.body), len(b.body))
	start := 0
	for _, end := range b.ends {
		if err := ctx.Err(); err != nil {
			b.err = err
			return
		}
		res, err := v.decodeString(body[start:end])
		start = end
		if err == nil {
			err = r.resource(res)
		} else {
			err = fmt.Errorf("view: %w", err)
		}
		if err != nil {
			b.err = err
			return
		}
	}
}

// writeBatches writes the rows of each batch in order, returning the first
// error: a batch's own (after its rows) or the writer's.
func writeBatches(order <-chan *batch, free chan<- *batch, w Writer) error {
	for b := range order {
		<-b.done
		// Every view has at least one column (compile insists on it).
		for i := 0; b.ncols > 0 && i+b.ncols <= len(b.cells); i += b.ncols {
			if err := w.Write(b.cells[i : i+b.ncols]); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
		clear(b.cells)
		free <- b
	}
	return nil
}
