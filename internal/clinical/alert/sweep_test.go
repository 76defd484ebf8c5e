package alert_test

// The background sweep over the REST handler and SQLite: it syncs only the
// patients whose record changed since its checkpoint, misses none of them
// (a write after the checkpoint, a failed sync, a restart mid-sweep), and
// still sweeps everyone every FullEvery for the alerts the calendar alone
// brings.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/clinical/alert"
)

// fills writes n MedicationDispenses of 30 days' supply for patient, the
// first on first and then every gap days.
func fills(tb testing.TB, c alert.Client, patient string, first time.Time, n, gap int) {
	tb.Helper()
	for i := range n {
		id := fmt.Sprintf("%s-d%d", patient, i)
		put(tb, c, "MedicationDispense", id, fmt.Sprintf(`{"resourceType":"MedicationDispense","id":%q,"status":"completed","subject":{"reference":"Patient/%s"},
"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01","display":"Amlodipin 5 mg"}]},
"whenHandedOver":%q,"daysSupply":{"value":30,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}`,
			id, patient, first.AddDate(0, 0, gap*i).Format(time.DateOnly)))
	}
}

func patient(tb testing.TB, c alert.Client, id string) {
	tb.Helper()
	put(tb, c, "Patient", id, fmt.Sprintf(`{"resourceType":"Patient","id":%q,"gender":"female","birthDate":"1958-03-01"}`, id))
}

// activeFlags maps each patient with an active care-alert Flag to how
// many it has.
func activeFlags(tb testing.TB, c alert.Client) map[string]int {
	tb.Helper()
	out := map[string]int{}
	err := c.Search(context.Background(), "Flag", nil, func(b []byte) error {
		var f struct {
			Status  string
			Subject struct{ Reference string }
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		if f.Status == "active" {
			out[f.Subject.Reference[len("Patient/"):]]++
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// A write after the checkpoint is seen by the next run, and a patient
// nothing was written for is not read again.
func TestSweepSyncsOnlyChangedPatients(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 30, 9, 0, 0, 0, ict)
	c := newClient(t, func() time.Time { return now })
	start := now.AddDate(-1, 0, 1)
	for _, p := range []string{"p1", "p2", "p3"} {
		patient(t, c, p)
	}
	fills(t, c, "p1", start, 9, 45) // 67 % covered: low
	fills(t, c, "p2", start, 12, 30)
	w := &alert.Sweeper{Scanner: &alert.Scanner{Client: c, Now: func() time.Time { return now }, Loc: ict},
		Checkpoint: alert.FileCheckpoint{Path: filepath.Join(t.TempDir(), "alerts.json")}, PageSize: 2, Overlap: time.Microsecond}

	type want struct{ patients, changed, swept, raised int }
	runs := []struct {
		name   string
		before func()
		want   want
	}{
		{"never swept: a full sweep", nil, want{3, 0, 3, 1}},
		// p1's Flag and Task were written by the first run: read once more.
		{"the sweep's own writes", nil, want{1, 1, 0, 0}},
		{"nothing written", nil, want{0, 0, 0, 0}},
		{"a new patient and new fills of another", func() {
			patient(t, c, "p4")
			fills(t, c, "p4", start, 6, 60)
			fills(t, c, "p3", start, 2, 300) // two fills, 60 of 365 days
		}, want{2, 2, 0, 2}},
		{"their alerts' writes", nil, want{2, 2, 0, 0}},
	}
	for _, r := range runs {
		if r.before != nil {
			r.before()
		}
		st, err := w.Sweep(ctx)
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if got := (want{st.Patients, st.Changed, st.Swept, st.Raised}); got != r.want || st.More || st.Failed != 0 {
			t.Errorf("%s: %+v, want %+v", r.name, st, r.want)
		}
	}
	if got := keys(activeFlags(t, c)); !slices.Equal(got, []string{"p1", "p3", "p4"}) {
		t.Errorf("patients with an active alert %v, want p1 p3 p4", got)
	}
}

// A full sweep cut short (Batch) resumes where it stopped after a restart
// (a new Sweeper on the same checkpoint file): no patient is skipped,
// none is alerted twice.
func TestSweepResumesAfterRestart(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 30, 9, 0, 0, 0, ict)
	c := newClient(t, func() time.Time { return now })
	start := now.AddDate(-1, 0, 1)
	var ids []string
	for i := range 7 {
		id := fmt.Sprintf("q%d", i)
		ids = append(ids, id)
		patient(t, c, id)
		fills(t, c, id, start, 9, 45)
	}
	path := filepath.Join(t.TempDir(), "alerts.json")
	sweeper := func(batch int) *alert.Sweeper {
		return &alert.Sweeper{Scanner: &alert.Scanner{Client: c, Now: func() time.Time { return now }, Loc: ict},
			Checkpoint: alert.FileCheckpoint{Path: path}, PageSize: 3, Batch: batch, Overlap: time.Microsecond}
	}
	st, err := sweeper(4).Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.More || st.Swept != 4 || st.Raised != 4 || st.FullDone {
		t.Fatalf("first slice %+v, want 4 swept and raised, more to do", st)
	}
	cp, err := alert.FileCheckpoint{Path: path}.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Pages of 3: the fourth patient is the first of the second page.
	if cp.Next == "" || cp.After != ids[3] || cp.Since.IsZero() || cp.FullStarted.IsZero() || !cp.FullDone.IsZero() {
		t.Fatalf("checkpoint after the first slice %+v: want the second page, after %s", cp, ids[3])
	}
	// The restart: the four alerted patients are changes, the other
	// three the rest of the full sweep.
	st, err = sweeper(0).Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.More || st.Changed != 4 || st.Swept != 3 || st.Raised != 3 || !st.FullDone {
		t.Errorf("after the restart %+v, want 4 changed (no new alert), 3 swept and raised, full sweep done", st)
	}
	flags := activeFlags(t, c)
	if got := keys(flags); !slices.Equal(got, ids) {
		t.Errorf("alerted %v, want all of %v", got, ids)
	}
	for p, n := range flags {
		if n != 1 {
			t.Errorf("%s has %d active flags, want 1", p, n)
		}
	}
	if cp, _ := (alert.FileCheckpoint{Path: path}).Load(ctx); cp.Next != "" || cp.FullDone.IsZero() {
		t.Errorf("checkpoint after the full sweep %+v: want none under way, done", cp)
	}
}

// An alert the calendar alone brings (cover running out, no write) is
// raised by the next full sweep, FullEvery after the last, not by the
// runs in between.
func TestSweepFullEveryCatchesTimeDrivenAlerts(t *testing.T) {
	ctx := context.Background()
	clinical := time.Date(2025, 6, 30, 9, 0, 0, 0, ict)
	c := newClient(t, func() time.Time { return clinical })
	patient(t, c, "p1")
	fills(t, c, "p1", clinical.AddDate(-1, 0, 1), 12, 30) // covered to the end of June
	wall := time.Now()
	w := &alert.Sweeper{Scanner: &alert.Scanner{Client: c, Now: func() time.Time { return clinical }, Loc: ict},
		Checkpoint: alert.FileCheckpoint{Path: filepath.Join(t.TempDir(), "alerts.json")},
		Clock:      func() time.Time { return wall }, FullEvery: 24 * time.Hour, Overlap: time.Microsecond}
	for _, r := range []struct {
		name         string
		wall         time.Duration // after the first run
		clinicalDays int           // days added to the clinical clock
		swept        int
		raised       int
	}{
		{"first run", 0, 0, 1, 0},
		{"an hour later, three months on", time.Hour, 90, 0, 0},
		{"a day later", 24 * time.Hour, 90, 1, 1},
		{"an hour after that", 25 * time.Hour, 90, 0, 0},
	} {
		w.Clock = func() time.Time { return wall.Add(r.wall) }
		clinical = time.Date(2025, 6, 30, 9, 0, 0, 0, ict).AddDate(0, 0, r.clinicalDays)
		st, err := w.Sweep(ctx)
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if st.Swept != r.swept || st.Raised != r.raised {
			t.Errorf("%s: %+v, want %d swept, %d raised", r.name, st, r.swept, r.raised)
		}
	}
}

// flaky fails the chart read of one patient the first times it is asked.
type flaky struct {
	h     http.Handler
	path  string
	mu    sync.Mutex
	fails int
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	fail := r.URL.Path == f.path && f.fails > 0
	if fail {
		f.fails--
	}
	f.mu.Unlock()
	if fail {
		http.Error(w, `{"resourceType":"OperationOutcome"}`, http.StatusServiceUnavailable)
		return
	}
	f.h.ServeHTTP(w, r)
}

// A patient whose sync fails is tried again in the next run (once), so a
// passing failure costs a delay, not an alert.
func TestSweepRetriesAFailedPatient(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 30, 9, 0, 0, 0, ict)
	start := now.AddDate(-1, 0, 1)
	for _, tt := range []struct {
		name      string
		fails     int
		wantFlags []string // after the third run
	}{
		{"fails once", 1, []string{"p1", "p2"}},
		{"fails twice: left to the next full sweep", 2, []string{"p1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, func() time.Time { return now })
			for _, p := range []string{"p1", "p2"} {
				patient(t, c, p)
				fills(t, c, p, start, 9, 45)
			}
			f := &flaky{h: c.Handler, path: "/fhir/Patient/p2", fails: tt.fails}
			fc := alert.Client{Handler: f, PageSize: c.PageSize}
			w := &alert.Sweeper{Scanner: &alert.Scanner{Client: fc, Now: func() time.Time { return now }, Loc: ict},
				Checkpoint: alert.FileCheckpoint{Path: filepath.Join(t.TempDir(), "alerts.json")}, Overlap: time.Microsecond}
			st, err := w.Sweep(ctx)
			if err != nil || st.Failed != 1 || st.Raised != 1 {
				t.Fatalf("first run %+v %v, want p2 failed, p1 raised", st, err)
			}
			for range 2 {
				if _, err := w.Sweep(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if got := keys(activeFlags(t, fc)); !slices.Equal(got, tt.wantFlags) {
				t.Errorf("alerted %v, want %v", got, tt.wantFlags)
			}
		})
	}
}

// A saved page the server refuses (a cursor of another version) starts
// the full sweep again rather than stopping it for good.
func TestSweepRefusedCursorStartsAgain(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 30, 9, 0, 0, 0, ict)
	c := newClient(t, func() time.Time { return now })
	for _, p := range []string{"p1", "p2", "p3"} {
		patient(t, c, p)
	}
	path := filepath.Join(t.TempDir(), "alerts.json")
	cp := alert.Checkpoint{Since: time.Now(), FullStarted: time.Now(), Next: "/fhir/Patient?_count=2&_elements=id&_cursor=bm90LWEtY3Vyc29y", After: "p1"}
	if err := (alert.FileCheckpoint{Path: path}).Save(ctx, cp); err != nil {
		t.Fatal(err)
	}
	w := &alert.Sweeper{Scanner: &alert.Scanner{Client: c, Now: func() time.Time { return now }, Loc: ict},
		Checkpoint: alert.FileCheckpoint{Path: path}}
	st, err := w.Sweep(ctx)
	if err != nil || st.Swept != 3 || !st.FullDone {
		t.Errorf("%+v %v, want all 3 swept", st, err)
	}
}

func TestFileCheckpoint(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	at := time.Date(2026, 11, 26, 22, 0, 0, 123456000, time.UTC)
	for _, tt := range []struct {
		name    string
		content string // "" : no file
		want    alert.Checkpoint
		wantErr bool
	}{
		{"missing file", "", alert.Checkpoint{}, false},
		{"saved", `{"since":"2026-11-26T22:00:00.123456Z","pending":["a","b"],"next":"/fhir/Patient?_cursor=x","after":"a"}`,
			alert.Checkpoint{Since: at, Pending: []string{"a", "b"}, Next: "/fhir/Patient?_cursor=x", After: "a"}, false},
		{"corrupt", `{"since":`, alert.Checkpoint{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".json")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := alert.FileCheckpoint{Path: path}.Load(ctx)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || !got.Since.Equal(tt.want.Since) {
				t.Errorf("loaded %+v, want %+v", got, tt.want)
			}
		})
	}
	// Save then Load gives back what was saved, and leaves no temporary file.
	path := filepath.Join(dir, "round.json")
	cp := alert.Checkpoint{Since: at, Retry: []string{"p9"}, FullStarted: at, FullDone: at.Add(time.Hour)}
	if err := (alert.FileCheckpoint{Path: path}).Save(ctx, cp); err != nil {
		t.Fatal(err)
	}
	got, err := alert.FileCheckpoint{Path: path}.Load(ctx)
	if err != nil || !got.Since.Equal(at) || !got.FullDone.Equal(at.Add(time.Hour)) || !slices.Equal(got.Retry, cp.Retry) {
		t.Errorf("round trip %+v %v, want %+v", got, err, cp)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "round.json.*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
