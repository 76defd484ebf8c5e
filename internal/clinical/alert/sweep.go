package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// A background sweep keeps the alerts in step without reading every chart
// every time: each run syncs the patients whose record changed since the
// last run (Client.Changed, from a checkpoint), and a full sweep over all
// patients — needed because a PDC or a risk score moves with the calendar
// alone, and deletes are not seen as changes — runs every FullEvery, a
// slice at a time, resuming from its page cursor after a restart. Every
// patient synced is followed by a pause (Pace), so the sweep leaves the
// cores to the API.

// Checkpoint is a sweep's progress, kept between runs and restarts.
type Checkpoint struct {
	// Since: writes stamped at or after it have not been looked at yet.
	// Zero means never swept: a full sweep comes first.
	Since time.Time `json:"since,omitzero"`
	// Pending are patients found changed and not yet synced, in order;
	// Retry those whose sync failed in the last run (tried once more).
	Pending []string `json:"pending,omitempty"`
	Retry   []string `json:"retry,omitempty"`
	// FullStarted is when the last full sweep began, FullDone when it
	// ended (zero while one is under way).
	FullStarted time.Time `json:"fullStarted,omitzero"`
	FullDone    time.Time `json:"fullDone,omitzero"`
	// Next is the page of patients the full sweep under way reads next
	// ("" when none is under way); After is the last patient of that page
	// already synced ("" when none).
	Next  string `json:"next,omitempty"`
	After string `json:"after,omitempty"`
}

// CheckpointStore keeps a Checkpoint. Load of a store never saved returns
// the zero Checkpoint. Save replaces it wholly or not at all.
type CheckpointStore interface {
	Load(ctx context.Context) (Checkpoint, error)
	Save(ctx context.Context, cp Checkpoint) error
}

// FileCheckpoint keeps a Checkpoint as JSON in one file, replaced
// atomically (a temporary file synced, then renamed over it).
type FileCheckpoint struct{ Path string }

// Load reads the file; a missing file is the zero Checkpoint.
func (f FileCheckpoint) Load(_ context.Context) (Checkpoint, error) {
	var cp Checkpoint
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return cp, nil
	}
	if err != nil {
		return cp, fmt.Errorf("alert checkpoint: %w", err)
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return Checkpoint{}, fmt.Errorf("alert checkpoint %s: %w", f.Path, err)
	}
	return cp, nil
}

// Save writes cp.
func (f FileCheckpoint) Save(_ context.Context, cp Checkpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("alert checkpoint: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), filepath.Base(f.Path)+".*")
	if err != nil {
		return fmt.Errorf("alert checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("alert checkpoint: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("alert checkpoint: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("alert checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("alert checkpoint: %w", err)
	}
	return nil
}

// Sweeper runs the background sweep of a Scanner. Configure it, then
// call Sweep from one goroutine at a time (a job runner's handler).
type Sweeper struct {
	Scanner    *Scanner
	Checkpoint CheckpointStore
	// Clock is the clock of the record's meta.lastUpdated stamps
	// (time.Now when nil). It is not Scanner.Now, the clinical "today",
	// which sen demo sets inside its synthetic period.
	Clock func() time.Time
	// FullEvery is how often all patients are swept (default 24 h).
	FullEvery time.Duration
	// Overlap is how far before a run's start the next run looks for
	// changes (default 5 min): a write is stamped before it commits, so a
	// run may miss one stamped before it started and committed after.
	Overlap time.Duration
	// PageSize is the full sweep's page of patients (default 100): at
	// most that many are synced again after a crash.
	PageSize int
	// Pace is the share of wall-clock time a sweep works, in (0, 1):
	// after each patient it pauses (1-Pace)/Pace times as long as that
	// patient took, so under load — when each takes longer — it backs off
	// further. 0 or 1 means no pause (tests, one-off commands).
	Pace float64
	// MaxPause caps one pause (default 2 s).
	MaxPause time.Duration
	// Budget and Batch end a Sweep call after that much wall time or that
	// many patients (0: no limit); SweepStats.More then says to call
	// again. A job runner stays free for other jobs between calls.
	Budget time.Duration
	Batch  int
}

// SweepStats count what one Sweep call did.
type SweepStats struct {
	Stats
	Changed int  // patients synced because their record changed
	Swept   int  // patients synced by the full sweep
	More    bool // stopped at Budget or Batch: call Sweep again
	// FullDone is set when this call finished a full sweep.
	FullDone bool
}

func (w *Sweeper) clock() time.Time {
	if w.Clock != nil {
		return w.Clock()
	}
	return time.Now()
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// firstPage is the request path of the full sweep's first page: patient
// ids only (sync reads each chart anyway), in the store's order.
func (w *Sweeper) firstPage() string {
	n := w.PageSize
	if n <= 0 {
		n = 100
	}
	return w.Scanner.Client.SearchPath("Patient", url.Values{"_count": {fmt.Sprint(n)}, "_elements": {"id"}})
}

// Sweep syncs the patients changed since the checkpoint, then goes on
// with the full sweep when one is due or under way, saving the
// checkpoint as it goes. A patient whose sync fails is logged, counted in
// Failed and tried once more in the next call. The error is for failures
// to read the changes or the patient list, or to keep the checkpoint;
// what was synced before it stays synced and recorded.
func (w *Sweeper) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	if w.Scanner == nil || w.Checkpoint == nil {
		return st, errors.New("alert sweep: Scanner and Checkpoint are required")
	}
	cp, err := w.Checkpoint.Load(ctx)
	if err != nil {
		return st, err
	}
	begin := time.Now()
	started := w.clock()
	// 1. The changes since the last run join the pending patients; the
	// ones that failed last time come first.
	queued := map[string]bool{}
	var pending []string
	add := func(p string) error {
		if !queued[p] {
			queued[p] = true
			pending = append(pending, p)
		}
		return nil
	}
	for _, p := range cp.Retry {
		add(p)
	}
	retry := len(pending) // the first retry pending patients are second tries
	for _, p := range cp.Pending {
		add(p)
	}
	if !cp.Since.IsZero() {
		err := w.Scanner.Client.Changed(ctx, cp.Since.Add(-orDefault(w.Overlap, 5*time.Minute)), add)
		if err != nil {
			return st, fmt.Errorf("alert sweep: %w", err)
		}
	}
	cp.Since, cp.Pending, cp.Retry = started, pending, nil
	if cp.Next == "" && (cp.FullStarted.IsZero() || !started.Before(cp.FullStarted.Add(orDefault(w.FullEvery, 24*time.Hour)))) {
		cp.FullStarted, cp.FullDone, cp.Next, cp.After = started, time.Time{}, w.firstPage(), ""
	}
	if err := w.Checkpoint.Save(ctx, cp); err != nil {
		return st, err
	}
	done := 0
	outOfTime := func() bool {
		return w.Batch > 0 && done >= w.Batch || w.Budget > 0 && time.Since(begin) >= w.Budget
	}
	// one syncs a patient and pauses; false means ctx ended.
	var failed []string
	one := func(p string) bool {
		t0 := time.Now()
		r, err := w.Scanner.sync(ctx, p, nil)
		st.Patients++
		st.Raised += len(r.raised)
		st.Resolved += len(r.resolved)
		st.Closed += r.closed
		done++
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			st.Failed++
			failed = append(failed, p)
			w.Scanner.log().Warn("care alert sweep", "patient", p, "err", err)
		}
		return w.pause(ctx, time.Since(t0))
	}
	save := func() error {
		cp.Retry = append(cp.Retry[:0], failed...)
		return w.Checkpoint.Save(ctx, cp)
	}
	// 2. Changed patients. A patient that failed twice in a row is left
	// to the next full sweep.
	for i := 0; len(cp.Pending) > 0; i++ {
		if outOfTime() {
			st.More = true
			return st, save()
		}
		p := cp.Pending[0]
		if !one(p) {
			return st, errors.Join(ctx.Err(), save())
		}
		if i < retry && len(failed) > 0 && failed[len(failed)-1] == p {
			failed = failed[:len(failed)-1]
		}
		cp.Pending = cp.Pending[1:]
		st.Changed++
		if done%50 == 0 {
			if err := save(); err != nil {
				return st, err
			}
		}
	}
	if err := save(); err != nil {
		return st, err
	}
	// 3. The full sweep, a page at a time.
	restarted := false
	for cp.Next != "" {
		pg, err := w.Scanner.Client.Page(ctx, cp.Next)
		var se *StatusError
		if errors.As(err, &se) && se.Code/100 == 4 && !restarted {
			// A cursor of another version of the server: start again.
			w.Scanner.log().Warn("care alert sweep: the saved page is refused, starting the full sweep again", "err", err)
			cp.Next, cp.After, restarted = w.firstPage(), "", true
			continue
		}
		if err != nil {
			return st, fmt.Errorf("alert sweep: patients: %w", err)
		}
		skip := cp.After != ""
		if skip {
			found := false
			for _, raw := range pg.Resources {
				if id, _ := patientID(raw); id == cp.After {
					found = true
				}
			}
			skip = found // the last one synced is gone: do the whole page again
		}
		for _, raw := range pg.Resources {
			id, err := patientID(raw)
			if err != nil {
				st.Failed++
				continue
			}
			if skip {
				skip = id != cp.After
				continue
			}
			if outOfTime() {
				st.More = true
				return st, save()
			}
			if !one(id) {
				return st, errors.Join(ctx.Err(), save())
			}
			cp.After = id
			st.Swept++
		}
		cp.Next, cp.After = pg.Next, ""
		if cp.Next == "" {
			cp.FullDone = w.clock()
			st.FullDone = true
		}
		if err := save(); err != nil {
			return st, err
		}
	}
	return st, nil
}

// pauseAfter is the pause after a patient that took took: (1-Pace)/Pace
// times as long, at most MaxPause.
func (w *Sweeper) pauseAfter(took time.Duration) time.Duration {
	if w.Pace <= 0 || w.Pace >= 1 || took <= 0 {
		return 0
	}
	return min(time.Duration(float64(took)*(1-w.Pace)/w.Pace), orDefault(w.MaxPause, 2*time.Second))
}

// pause waits pauseAfter(took); false when ctx ended first.
func (w *Sweeper) pause(ctx context.Context, took time.Duration) bool {
	d := w.pauseAfter(took)
	if d == 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

var _ CheckpointStore = FileCheckpoint{}
