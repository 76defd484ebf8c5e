package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/ingest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/synth"
	"github.com/sen-emr/sen/internal/validate"
)

// synthOpts are the flags of sen synth.
type synthOpts struct {
	patients int
	seed     int64
	end      string // YYYY-MM-DD; the simulated period ends here
	out      string // write files here ...
	format   string // ... as ndjson or bundles
	dataDir  string // ... or load straight into this data directory
	db       string
	validate bool // check every resource with Sen's validator
}

// synthTruthFile is the side file with each patient's simulated
// medication-taking behaviour (the ground truth adherence models are
// evaluated against; the same values are in a Patient extension). It is
// JSON Lines with a .jsonl name so that sen import DIR, which reads
// *.json and *.ndjson as FHIR, passes it by.
const synthTruthFile = "adherence-truth.jsonl"

func newSynthCmd() *cobra.Command {
	o := synthOpts{}
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Generate a synthetic Vietnamese population as NDJSON, transaction bundles or into a data directory / Tạo dân số mô phỏng",
		Long: `Generate a deterministic synthetic Vietnamese population (the same one sen
demo serves for the same --seed and --patients) and either write it to
--out DIR or load it straight into --data-dir.

  --format ndjson   one file per resource type (Patient.ndjson, ...), as FHIR
                    Bulk Data does; load them with sen import DIR.
  --format bundles  FHIR transaction Bundles, bundle-0000000.json (the care
                    system) then one per household; every entry is a PUT, so
                    they can be POSTed to /fhir in file order or loaded with
                    sen import DIR.

With --out, DIR/` + synthTruthFile + ` holds each patient's simulated
adherence profile (ground truth for evaluating adherence measures and
models). --validate checks every resource with Sen's validator and exits 1
if any has an error.

Tạo dân số mô phỏng tất định (cùng --seed và --patients cho cùng dữ liệu),
ghi ra thư mục --out (NDJSON hoặc Bundle giao dịch) hoặc nạp thẳng vào
--data-dir. Tệp ` + synthTruthFile + ` ghi hành vi dùng thuốc thật của
từng người bệnh để đánh giá các mô hình tuân thủ.`,
		Example: `  sen synth --patients 10000 --seed 1 --out ./pop --format ndjson
  sen synth --patients 1000 --out ./bundles --format bundles --validate
  sen synth --patients 5000 --data-dir ./sen-data`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSynth(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&o.patients, "patients", 1000, fmt.Sprintf("number of synthetic patients (1..%d)", synth.MaxPatients))
	fl.Int64Var(&o.seed, "seed", 1, "random seed (same seed, same population)")
	fl.StringVar(&o.end, "end", demoEnd.Format(time.DateOnly), "last day of the simulated period (YYYY-MM-DD); the default matches sen demo")
	fl.StringVar(&o.out, "out", "", "write the population to this directory (new or empty)")
	fl.StringVar(&o.format, "format", "ndjson", "with --out: ndjson | bundles")
	fl.StringVar(&o.dataDir, "data-dir", "", "load the population straight into this data directory instead of writing files")
	fl.StringVar(&o.db, "db", "sqlite", `with --data-dir: "sqlite" or a postgres:// URL`)
	fl.BoolVar(&o.validate, "validate", false, "check every generated resource with Sen's validator (slower); exit 1 on any error")
	return cmd
}

// check reports flag errors in both languages before anything is written.
func (o synthOpts) check() (time.Time, error) {
	if o.patients < 1 || o.patients > synth.MaxPatients {
		return time.Time{}, fmt.Errorf("--patients: want 1..%d, got %d / số người bệnh phải từ 1 đến %d", synth.MaxPatients, o.patients, synth.MaxPatients)
	}
	end, err := time.Parse(time.DateOnly, o.end)
	if err != nil {
		return time.Time{}, fmt.Errorf("--end: want YYYY-MM-DD, got %q / ngày kết thúc không hợp lệ: %w", o.end, err)
	}
	if (o.out == "") == (o.dataDir == "") {
		return time.Time{}, errors.New("give exactly one of --out DIR or --data-dir DIR / cần đúng một trong hai: --out hoặc --data-dir")
	}
	if o.out != "" && o.format != "ndjson" && o.format != "bundles" {
		return time.Time{}, fmt.Errorf("--format: want ndjson or bundles, got %q / định dạng phải là ndjson hoặc bundles", o.format)
	}
	return end, nil
}

func runSynth(ctx context.Context, w io.Writer, o synthOpts) error {
	end, err := o.check()
	if err != nil {
		return err
	}
	gen := synth.New(synth.Config{Seed: o.seed, Patients: o.patients, End: end})
	var chk *synthChecker
	if o.validate {
		chk = newSynthChecker()
	}
	start := time.Now()
	var n int
	var byType map[string]int
	switch {
	case o.dataDir != "":
		n, byType, err = synthLoad(ctx, gen, o, chk)
	default:
		n, byType, err = synthWrite(gen, o, chk)
	}
	if err != nil {
		return err
	}
	took := time.Since(start)
	dest := o.dataDir
	if o.out != "" {
		dest = o.out + " (" + o.format + ")"
	}
	fmt.Fprintf(w, "Đã tạo / generated %d resources for %d patients (seed %d) into %s in %.1fs (%.0f resources/s)\n",
		n, o.patients, o.seed, dest, took.Seconds(), float64(n)/took.Seconds())
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Fprintf(w, "  %-26s %9d\n", t, byType[t])
	}
	if chk != nil {
		return chk.report(w)
	}
	return nil
}

// resourceType reads the type of a generated resource, which always
// begins with "resourceType"; other JSON is decoded.
func resourceType(b []byte) (string, error) {
	const prefix = `{"resourceType":"`
	if bytes.HasPrefix(b, []byte(prefix)) {
		if i := bytes.IndexByte(b[len(prefix):], '"'); i > 0 {
			return string(b[len(prefix) : len(prefix)+i]), nil
		}
	}
	var h struct{ ResourceType string }
	if err := json.Unmarshal(b, &h); err != nil || h.ResourceType == "" {
		return "", fmt.Errorf("generated resource without resourceType: %.60s", b)
	}
	return h.ResourceType, nil
}

// synthWrite writes NDJSON files or bundles to o.out, and the truth file.
func synthWrite(gen *synth.Generator, o synthOpts, chk *synthChecker) (int, map[string]int, error) {
	if err := emptyDir(o.out); err != nil {
		return 0, nil, err
	}
	byType := map[string]int{}
	n := 0
	var err error
	switch o.format {
	case "ndjson":
		files := newNDJSONFiles(o.out)
		err = gen.Run(func(b []byte) error {
			typ, err := resourceType(b)
			if err != nil {
				return err
			}
			chk.check(b)
			n++
			byType[typ]++
			return files.write(typ, b)
		})
		if cerr := files.close(); err == nil {
			err = cerr
		}
	case "bundles":
		bundles := 0
		err = gen.Bundles(func(b []byte) error {
			chk.check(b)
			path := filepath.Join(o.out, fmt.Sprintf("bundle-%07d.json", bundles))
			bundles++
			n += countEntries(b, byType)
			return os.WriteFile(path, b, 0o640)
		})
	}
	if err != nil {
		return 0, nil, fmt.Errorf("synth: write %s: %w", o.out, err)
	}
	if err := writeTruth(gen, filepath.Join(o.out, synthTruthFile)); err != nil {
		return 0, nil, err
	}
	return n, byType, nil
}

// countEntries counts a generated transaction bundle's entries by type
// from their request URLs ("PUT Type/id"), without decoding the bundle.
func countEntries(bundle []byte, byType map[string]int) int {
	const marker = `"request":{"method":"PUT","url":"`
	n := 0
	for {
		i := bytes.Index(bundle, []byte(marker))
		if i < 0 {
			return n
		}
		bundle = bundle[i+len(marker):]
		if j := bytes.IndexByte(bundle, '/'); j > 0 {
			byType[string(bundle[:j])]++
			n++
		}
	}
}

// emptyDir creates dir or checks that it is empty, so that files of an
// earlier, larger population cannot mix with this one.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("--out: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("--out %s is not empty; choose a new directory / thư mục --out phải trống", dir)
	}
	return nil
}

// ndjsonFiles keeps one buffered file per resource type.
type ndjsonFiles struct {
	dir   string
	files map[string]*os.File
	bufs  map[string]*bufio.Writer
}

func newNDJSONFiles(dir string) *ndjsonFiles {
	return &ndjsonFiles{dir: dir, files: map[string]*os.File{}, bufs: map[string]*bufio.Writer{}}
}

func (f *ndjsonFiles) write(typ string, b []byte) error {
	w, ok := f.bufs[typ]
	if !ok {
		fh, err := os.OpenFile(filepath.Join(f.dir, typ+".ndjson"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
		if err != nil {
			return err
		}
		f.files[typ] = fh
		w = bufio.NewWriterSize(fh, 1<<20)
		f.bufs[typ] = w
	}
	if _, err := w.Write(b); err != nil {
		return err
	}
	return w.WriteByte('\n')
}

func (f *ndjsonFiles) close() error {
	var errs []error
	for typ, fh := range f.files {
		errs = append(errs, f.bufs[typ].Flush(), fh.Close())
	}
	return errors.Join(errs...)
}

// truthLine is one line of the ground-truth side file.
type truthLine struct {
	PatientID      string   `json:"patientId"`
	Profile        string   `json:"profile"`
	AppEnrolled    bool     `json:"appEnrolled"`
	DosesScheduled int      `json:"dosesScheduled"`
	DosesTaken     int      `json:"dosesTaken"`
	TakenFraction  float64  `json:"takenFraction"`
	StopDate       string   `json:"stopDate,omitempty"`
	Conditions     []string `json:"conditions,omitempty"`
}

func writeTruth(gen *synth.Generator, path string) error {
	truth, err := gen.GroundTruth()
	if err != nil {
		return fmt.Errorf("synth: ground truth: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, t := range truth {
		l := truthLine{PatientID: t.PatientID, Profile: string(t.Profile), AppEnrolled: t.AppEnrolled,
			DosesScheduled: t.DosesScheduled, DosesTaken: t.DosesTaken, TakenFraction: t.TakenFraction, Conditions: t.Conditions}
		if !t.StopDate.IsZero() {
			l.StopDate = t.StopDate.Format(time.DateOnly)
		}
		if err := enc.Encode(l); err != nil {
			f.Close()
			return fmt.Errorf("synth: write %s: %w", path, err)
		}
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return fmt.Errorf("synth: write %s: %w", path, err)
	}
	return nil
}

// synthLoad streams the population into a store through the bulk loader.
func synthLoad(ctx context.Context, gen *synth.Generator, o synthOpts, chk *synthChecker) (int, map[string]int, error) {
	ix, err := search.NewIndexer(r4.Load())
	if err != nil {
		return 0, nil, fmt.Errorf("search indexer: %w", err)
	}
	st, err := openStore(ctx, o.db, o.dataDir)
	if err != nil {
		return 0, nil, err
	}
	defer st.Close()
	bodies := make(chan []byte, 1024)
	genErr := make(chan error, 1)
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(bodies)
		genErr <- gen.Run(func(b []byte) error {
			chk.check(b)
			select {
			case bodies <- b:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	}()
	l := ingest.Loader{Store: st, Indexer: ix, Batch: 2000}
	stats, err := l.Load(gctx, ingest.FromChan(bodies))
	cancel()
	if err != nil {
		return 0, nil, fmt.Errorf("synth: load into %s: %w", o.dataDir, err)
	}
	if err := <-genErr; err != nil && !errors.Is(err, context.Canceled) {
		return 0, nil, fmt.Errorf("synth: generate: %w", err)
	}
	return stats.Written, stats.ByType, nil
}

// synthChecker validates resources on a pool of workers while the
// generator goes on; a nil checker checks nothing.
type synthChecker struct {
	v    *validate.Validator
	in   chan []byte
	wg   sync.WaitGroup
	mu   sync.Mutex
	n    int
	bad  int
	seen map[string]int // problem (code, path, message) → resources with it
	eg   map[string]string
}

func newSynthChecker() *synthChecker {
	c := &synthChecker{v: validate.New(r4.Load()), in: make(chan []byte, 256), seen: map[string]int{}, eg: map[string]string{}}
	for range runtime.GOMAXPROCS(0) {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for b := range c.in {
				c.one(b)
			}
		}()
	}
	return c
}

func (c *synthChecker) check(b []byte) {
	if c != nil {
		c.in <- b
	}
}

func (c *synthChecker) one(b []byte) {
	var problems []string
	for _, is := range c.v.Validate(b) {
		if is.Severity == "error" || is.Severity == "fatal" {
			problems = append(problems, fmt.Sprintf("%s %s: %s", is.Code, strings.Join(is.Expression, ","), is.Diagnostics))
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if len(problems) > 0 {
		c.bad++
	}
	for _, p := range problems {
		c.seen[p]++
		if _, ok := c.eg[p]; !ok {
			c.eg[p] = string(b[:min(len(b), 80)])
		}
	}
}

// report waits for the workers and prints the outcome; it returns exit
// status 1 when any resource had an error.
func (c *synthChecker) report(w io.Writer) error {
	close(c.in)
	c.wg.Wait()
	if c.bad == 0 {
		fmt.Fprintf(w, "Hợp lệ / valid: all %d resources pass Sen's validator (no errors)\n", c.n)
		return nil
	}
	fmt.Fprintf(w, "Không hợp lệ / invalid: %d of %d resources have errors:\n", c.bad, c.n)
	keys := make([]string, 0, len(c.seen))
	for k := range c.seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i == 20 {
			fmt.Fprintf(w, "  ... %d more kinds of problem\n", len(keys)-i)
			break
		}
		fmt.Fprintf(w, "  %d× %s (e.g. %s)\n", c.seen[k], k, c.eg[k])
	}
	return exitError{code: 1}
}
