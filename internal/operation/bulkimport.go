package operation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/ingest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Importer loads FHIR files into a store through the bulk path of
// internal/ingest: Synthea-style transaction and batch Bundles (urn:uuid
// fullUrls and conditional references rewritten to final ids before
// ingest), single resources, and NDJSON files (one resource per line), each
// optionally bzip2- or gzip-compressed. Resources are written with update
// (PUT) semantics under their own ids, so loading a file twice leaves its
// content unchanged.
//
// It is the engine of `sen import`. An Importer is used by one goroutine.
type Importer struct {
	Store   store.Store
	Indexer ingest.Indexer
	// Model resolves conditional references against resources already in
	// the store (from an earlier import); nil limits them to this import.
	Model *r4.Model
	// Batch is the number of resources per database transaction (default 2000).
	Batch int
	// Workers index in parallel (default GOMAXPROCS).
	Workers int
	// Journal, when set, records completed files so that an interrupted
	// import resumes where it stopped (see Journal).
	Journal *Journal
	// Progress, when set, is called after every committed batch.
	Progress func(ImportProgress)
}

// ImportProgress is a snapshot of a running import.
type ImportProgress struct {
	Files, FilesDone int
	Written          int
	Elapsed          time.Duration
}

// ImportReport summarises an import.
type ImportReport struct {
	Files   []FileReport // every file considered, in input order
	Written int
	ByType  map[string]int
	Elapsed time.Duration
}

// FileReport is what happened to one input file.
type FileReport struct {
	Path      string
	Resources int  // resources read from the file
	Skipped   int  // entries not loaded (matched an existing resource; GET/DELETE requests)
	Resumed   bool // already loaded by an earlier run (journal)
	Done      bool // all its resources are committed
	Err       error
}

// Failed lists the files that did not load.
func (r *ImportReport) Failed() []FileReport {
	var out []FileReport
	for _, f := range r.Files {
		if f.Err != nil {
			out = append(out, f)
		}
	}
	return out
}

// fileEnd marks where one file's resources end in the ingest stream.
type fileEnd struct {
	file int // index in report.Files
	end  int // cumulative resource count after this file
}

// Import loads files in order. A file that cannot be read or rewritten is
// recorded in the report and skipped; the import goes on. A failure of the
// store or the indexer stops it with an error; files committed before stay
// committed and are in the journal. A file whose conditional references
// match nothing yet is retried after all other files.
func (im *Importer) Import(ctx context.Context, files []string) (*ImportReport, error) {
	start := time.Now()
	rep := &ImportReport{ByType: map[string]int{}}
	var todo []int
	for _, f := range files {
		fr := FileReport{Path: f}
		if im.Journal != nil && im.Journal.Done(f) {
			fr.Resumed, fr.Done = true, true
		} else {
			todo = append(todo, len(rep.Files))
		}
		rep.Files = append(rep.Files, fr)
	}
	rv := newResolver(im.lookup(ctx))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		ends     []fileEnd
		done     = len(rep.Files) - len(todo)
		journalE error
	)
	// complete marks files whose resources are all committed.
	complete := func(n int) {
		mu.Lock()
		defer mu.Unlock()
		for len(ends) > 0 && ends[0].end <= n {
			fr := &rep.Files[ends[0].file]
			ends = ends[1:]
			if fr.Err != nil {
				continue
			}
			fr.Done = true
			done++
			if im.Journal != nil && journalE == nil {
				journalE = im.Journal.Add(fr.Path, fr.Resources)
			}
		}
	}

	bodies := make(chan []byte, 4096)
	go func() {
		defer close(bodies)
		total := 0
		send := func(b []byte) bool {
			select {
			case bodies <- b:
				total++
				return true
			case <-ctx.Done():
				return false
			}
		}
		finish := func(i int) {
			mu.Lock()
			ends = append(ends, fileEnd{i, total})
			mu.Unlock()
		}
		var deferred []int
		run := func(i int, last bool) bool {
			fr := &rep.Files[i]
			n, skipped, err := im.readFile(rv, fr.Path, send)
			fr.Resources, fr.Skipped = n, skipped
			// A conditional reference to a resource of a later file: try
			// the file again at the end. An NDJSON file may have sent
			// lines already; sending them again only adds versions with
			// the same content.
			if err != nil && errors.Is(err, errUnresolved) && !last {
				deferred = append(deferred, i)
				return ctx.Err() == nil
			}
			if err != nil {
				fr.Err = err
			}
			finish(i)
			return ctx.Err() == nil
		}
		for _, i := range todo {
			if !run(i, false) {
				return
			}
		}
		for _, i := range deferred {
			if !run(i, true) {
				return
			}
		}
	}()

	l := ingest.Loader{Store: im.Store, Indexer: im.Indexer, Batch: im.Batch, Workers: im.Workers}
	if l.Batch <= 0 {
		l.Batch = 2000
	}
	l.Progress = func(n int) {
		complete(n)
		if im.Progress != nil {
			mu.Lock()
			p := ImportProgress{Files: len(rep.Files), FilesDone: done, Written: n, Elapsed: time.Since(start)}
			mu.Unlock()
			im.Progress(p)
		}
	}
	st, err := l.Load(ctx, func() ([]byte, error) {
		b, ok := <-bodies
		if !ok {
			return nil, nil
		}
		return b, nil
	})
	cancel()
	for range bodies {
		// drain so the reader goroutine ends
	}
	complete(st.Written)
	rep.Written = st.Written
	for t, n := range st.ByType {
		rep.ByType[t] += n
	}
	rep.Elapsed = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("import stopped after %d resources (%s): %w", st.Written, im.fileAt(rep, ends, st.Written), err)
	}
	if journalE != nil {
		return rep, fmt.Errorf("import journal: %w", journalE)
	}
	return rep, nil
}

// fileAt names the file whose resources follow the first n in the stream.
func (im *Importer) fileAt(rep *ImportReport, ends []fileEnd, n int) string {
	i := sort.Search(len(ends), func(i int) bool { return ends[i].end > n })
	if i < len(ends) {
		return "in " + rep.Files[ends[i].file].Path
	}
	return "after the last file"
}

// readFile sends the resources of one file to send and returns how many it
// sent and skipped.
func (im *Importer) readFile(rv *resolver, path string, send func([]byte) bool) (n, skipped int, err error) {
	r, c, err := openDecompressed(path)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	if isNDJSON(path) {
		line := 0
		err := readLines(r, func(b []byte) error {
			line++
			out, err := rewriteRefs(b, func(ref string) (string, error) {
				if isConditional(ref) {
					return rv.conditional(ref)
				}
				return ref, nil
			})
			if err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
			if !send(out) {
				return context.Canceled
			}
			n++
			return nil
		})
		return n, 0, err
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return 0, 0, err
	}
	p, err := rv.prepareJSON(body)
	if err != nil {
		return 0, 0, err
	}
	for _, b := range p.bodies {
		if !send(b) {
			return n, p.skipped, context.Canceled
		}
		n++
	}
	return n, p.skipped, nil
}

// lookup returns the store query for conditional references, or nil
// without a Model.
func (im *Importer) lookup(ctx context.Context) func(string, url.Values) ([]string, error) {
	if im.Model == nil {
		return nil
	}
	return func(typ string, params url.Values) ([]string, error) {
		q, err := search.ParseQuery(im.Model, typ, params, true)
		if err != nil {
			return nil, err
		}
		q.Count, q.Total = 2, "none"
		page, err := im.Store.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(page.Resources))
		for i, r := range page.Resources {
			ids[i] = r.ID
		}
		return ids, nil
	}
}
