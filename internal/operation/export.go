package operation

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Exporter runs Bulk Data $export jobs: system, Patient and Group level,
// asynchronously on in-process goroutines, writing one NDJSON file per
// resource type under Dir/<job id>/. Each job's state is persisted in
// Dir/<job id>/job.json on every change, so a restarted server still
// reports finished jobs; a job that was running when the process stopped
// is reported as failed ("interrupted").
//
// https://hl7.org/fhir/uv/bulkdata/STU2/export.html
//
// An Exporter is safe for concurrent use. Close cancels running jobs.
type Exporter struct {
	store  store.Reader
	model  *r4.Model
	dir    string
	now    func() time.Time
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu   sync.Mutex
	jobs map[string]*exportJob
}

// ExportRequest is a parsed kick-off request.
type ExportRequest struct {
	Level       string    // "system", "patient" or "group"
	GroupID     string    // for Level "group"
	Types       []string  // _type; empty: every type (at patient/group level, the Patient compartment's)
	Since       time.Time // _since
	TypeFilters []string  // _typeFilter: "Type?search"
	Request     string    // the kick-off URL, echoed in the manifest
}

// Job states.
const (
	JobAccepted   = "accepted"
	JobInProgress = "in-progress"
	JobCompleted  = "completed"
	JobFailed     = "failed"
)

// ExportJob is a job's persisted state.
type ExportJob struct {
	ID              string        `json:"id"`
	Status          string        `json:"status"`
	Request         ExportRequest `json:"request"`
	TransactionTime time.Time     `json:"transactionTime"`
	Created         time.Time     `json:"created"`
	Finished        time.Time     `json:"finished,omitzero"`
	TypesDone       int           `json:"typesDone"`
	TypesTotal      int           `json:"typesTotal"`
	Resources       int           `json:"resources"`
	Files           []ExportFile  `json:"files,omitempty"`
	Error           string        `json:"error,omitempty"`
}

// ExportFile is one NDJSON output file.
type ExportFile struct {
	Type  string `json:"type"`
	Name  string `json:"name"` // file name inside the job folder
	Count int    `json:"count"`
	Bytes int64  `json:"bytes"`
}

// Progress is the X-Progress text of a running job.
func (j *ExportJob) Progress() string {
	return fmt.Sprintf("%d/%d types, %d resources", j.TypesDone, j.TypesTotal, j.Resources)
}

type exportJob struct {
	state  ExportJob
	cancel context.CancelFunc
	done   chan struct{}
}

// NewExporter opens the export folder dir (creating it) and loads the jobs
// persisted there.
func NewExporter(st store.Reader, m *r4.Model, dir string, log *slog.Logger) (*Exporter, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("export folder: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	x := &Exporter{store: st, model: m, dir: dir, now: time.Now, log: log, ctx: ctx, cancel: cancel, jobs: map[string]*exportJob{}}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("export folder: %w", err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "job.json"))
		if err != nil {
			continue
		}
		var j ExportJob
		if json.Unmarshal(b, &j) != nil || j.ID != e.Name() {
			continue
		}
		if j.Status == JobAccepted || j.Status == JobInProgress {
			j.Status, j.Error = JobFailed, "interrupted: the server stopped while the export ran / máy chủ dừng khi đang xuất"
			j.Finished = x.now().UTC()
		}
		done := make(chan struct{})
		close(done)
		x.jobs[j.ID] = &exportJob{state: j, cancel: func() {}, done: done}
		_ = x.persist(&j)
	}
	return x, nil
}

// Close cancels running jobs and waits for them to stop.
func (x *Exporter) Close() {
	x.cancel()
	x.wg.Wait()
}

// Start validates req and starts a job, returning its initial state.
// Unknown types and malformed filters are KindInvalid; a missing Group is
// KindNotFound.
func (x *Exporter) Start(ctx context.Context, req ExportRequest) (*ExportJob, error) {
	types, err := x.types(req)
	if err != nil {
		return nil, err
	}
	filters, err := x.filters(req.TypeFilters)
	if err != nil {
		return nil, err
	}
	var patients []string
	if req.Level == "group" {
		if patients, err = x.groupMembers(ctx, req.GroupID); err != nil {
			return nil, err
		}
	}
	id, err := newJobID()
	if err != nil {
		return nil, err
	}
	jctx, cancel := context.WithCancel(x.ctx)
	now := x.now().UTC()
	j := &exportJob{state: ExportJob{ID: id, Status: JobAccepted, Request: req, Created: now, TransactionTime: now, TypesTotal: len(types)},
		cancel: cancel, done: make(chan struct{})}
	if err := os.MkdirAll(filepath.Join(x.dir, id), 0o750); err != nil {
		cancel()
		return nil, fmt.Errorf("export job folder: %w", err)
	}
	x.mu.Lock()
	x.jobs[id] = j
	st := j.state
	x.mu.Unlock()
	if err := x.persist(&st); err != nil {
		cancel()
		return nil, err
	}
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		defer close(j.done)
		x.run(jctx, j, types, filters, patients)
	}()
	return &st, nil
}

// Status returns a copy of the job's state (KindNotFound if unknown).
func (x *Exporter) Status(id string) (*ExportJob, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	j, ok := x.jobs[id]
	if !ok {
		return nil, fhir.Errorf(fhir.KindNotFound, "no export job %s", id)
	}
	st := j.state
	st.Files = append([]ExportFile(nil), st.Files...)
	return &st, nil
}

// Delete cancels a running job and removes its files (KindNotFound if unknown).
func (x *Exporter) Delete(id string) error {
	x.mu.Lock()
	j, ok := x.jobs[id]
	if ok {
		delete(x.jobs, id)
	}
	x.mu.Unlock()
	if !ok {
		return fhir.Errorf(fhir.KindNotFound, "no export job %s", id)
	}
	j.cancel()
	<-j.done
	if err := os.RemoveAll(filepath.Join(x.dir, id)); err != nil {
		return fmt.Errorf("delete export job %s: %w", id, err)
	}
	return nil
}

// Open opens an output file of a completed job for download.
func (x *Exporter) Open(id, name string) (*os.File, error) {
	st, err := x.Status(id)
	if err != nil {
		return nil, err
	}
	for _, f := range st.Files {
		if f.Name == name && st.Status == JobCompleted {
			return os.Open(filepath.Join(x.dir, id, name))
		}
	}
	return nil, fhir.Errorf(fhir.KindNotFound, "export job %s has no file %s", id, name)
}

// Manifest is the completion manifest (Bulk Data export.html#response---complete-status).
// fileURL maps a job id and file name to the download URL.
func (j *ExportJob) Manifest(fileURL func(id, name string) string) []byte {
	type output struct {
		Type  string `json:"type"`
		URL   string `json:"url"`
		Count int    `json:"count"`
	}
	m := struct {
		TransactionTime     string   `json:"transactionTime"`
		Request             string   `json:"request"`
		RequiresAccessToken bool     `json:"requiresAccessToken"`
		Output              []output `json:"output"`
		Error               []output `json:"error"`
	}{TransactionTime: j.TransactionTime.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Request: j.Request.Request, Output: []output{}, Error: []output{}}
	for _, f := range j.Files {
		m.Output = append(m.Output, output{Type: f.Type, URL: fileURL(j.ID, f.Name), Count: f.Count})
	}
	b, _ := json.Marshal(m)
	return b
}

func newJobID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("export job id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// persist writes the job state atomically (temp file + rename).
func (x *Exporter) persist(j *ExportJob) error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("export job state: %w", err)
	}
	p := filepath.Join(x.dir, j.ID, "job.json")
	if err := os.WriteFile(p+".tmp", b, 0o640); err != nil {
		return fmt.Errorf("export job state: %w", err)
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		return fmt.Errorf("export job state: %w", err)
	}
	return nil
}

// types resolves the types a request exports.
func (x *Exporter) types(req ExportRequest) ([]string, error) {
	patientLevel := req.Level == "patient" || req.Level == "group"
	inCompartment := func(t string) bool { return t == "Patient" || x.model.CompartmentParams("Patient", t) != nil }
	if len(req.Types) == 0 {
		var out []string
		for _, t := range x.model.ResourceTypes() {
			if !patientLevel || inCompartment(t) {
				out = append(out, t)
			}
		}
		return out, nil
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range req.Types {
		if !x.model.IsResource(t) {
			return nil, fhir.Errorf(fhir.KindInvalid, "_type: %s is not a resource type / không phải loại tài nguyên", t).At("_type")
		}
		if patientLevel && !inCompartment(t) {
			return nil, fhir.Errorf(fhir.KindInvalid, "_type: %s is not in the Patient compartment", t).At("_type")
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// filters parses _typeFilter values into queries per type; several
// filters of one type are ORed (Bulk Data export.html#_typefilter).
func (x *Exporter) filters(fs []string) (map[string][]url.Values, error) {
	out := map[string][]url.Values{}
	for _, f := range fs {
		typ, q, ok := strings.Cut(f, "?")
		if !ok || !x.model.IsResource(typ) {
			return nil, fhir.Errorf(fhir.KindInvalid, "_typeFilter %q: want Type?search-parameters", f).At("_typeFilter")
		}
		params, err := url.ParseQuery(q)
		if err != nil {
			return nil, fhir.Errorf(fhir.KindInvalid, "_typeFilter %q: %v", f, err).At("_typeFilter")
		}
		if _, err := search.ParseQuery(x.model, typ, params, true); err != nil {
			return nil, fmt.Errorf("_typeFilter %q: %w", f, err)
		}
		out[typ] = append(out[typ], params)
	}
	return out, nil
}

// groupMembers returns the patient ids of Group.member.entity.
func (x *Exporter) groupMembers(ctx context.Context, id string) ([]string, error) {
	g, err := x.store.Read(ctx, "Group", id)
	if err != nil {
		return nil, err
	}
	var body struct {
		Member []struct {
			Entity struct{ Reference string } `json:"entity"`
		} `json:"member"`
	}
	if err := json.Unmarshal(g.JSON, &body); err != nil {
		return nil, fmt.Errorf("Group/%s: %w", id, err)
	}
	var out []string
	for _, m := range body.Member {
		if t, pid, ok := strings.Cut(m.Entity.Reference, "/"); ok && t == "Patient" {
			out = append(out, pid)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (x *Exporter) update(j *exportJob, fn func(*ExportJob)) {
	x.mu.Lock()
	fn(&j.state)
	st := j.state
	x.mu.Unlock()
	if err := x.persist(&st); err != nil {
		x.log.Error("persist export job", "job", st.ID, "err", err)
	}
}

func (x *Exporter) run(ctx context.Context, j *exportJob, types []string, filters map[string][]url.Values, patients []string) {
	x.update(j, func(s *ExportJob) { s.Status = JobInProgress })
	id := j.state.ID
	for _, t := range types {
		f, err := x.exportType(ctx, id, j, t, filters[t], patients)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return // deleted or shutting down; Delete removes the folder
			}
			x.log.Error("export job failed", "job", id, "type", t, "err", err)
			x.update(j, func(s *ExportJob) {
				s.Status, s.Error, s.Finished = JobFailed, fmt.Sprintf("export of %s failed", t), x.now().UTC()
			})
			return
		}
		x.update(j, func(s *ExportJob) {
			s.TypesDone++
			if f != nil {
				s.Files = append(s.Files, *f)
			}
		})
	}
	x.update(j, func(s *ExportJob) { s.Status, s.Finished = JobCompleted, x.now().UTC() })
}

// exportType writes the NDJSON file of one type; nil when it has no resources.
func (x *Exporter) exportType(ctx context.Context, id string, j *exportJob, typ string, filters []url.Values, patients []string) (*ExportFile, error) {
	name := typ + ".ndjson"
	path := filepath.Join(x.dir, id, name)
	fh, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(fh, 1<<20)
	cw := &countWriter{w: w}
	n := 0
	seen := map[string]bool{} // with several filters, a resource matching two is written once
	emit := func(r *fhirResource) error {
		if len(filters) > 1 {
			if seen[r.ID] {
				return nil
			}
			seen[r.ID] = true
		}
		if err := writeLine(cw, r.JSON); err != nil {
			return err
		}
		n++
		if n%1000 == 0 {
			x.update(j, func(s *ExportJob) { s.Resources += 1000 })
		}
		return nil
	}
	queries := filters
	if len(queries) == 0 {
		queries = []url.Values{{}}
	}
	comps := []string{""}
	if patients != nil {
		comps = patients
	}
	for _, params := range queries {
		for _, pid := range comps {
			if err := x.scan(ctx, typ, params, j.state.Request, pid, emit); err != nil {
				fh.Close()
				return nil, err
			}
		}
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return nil, err
	}
	if err := fh.Close(); err != nil {
		return nil, err
	}
	x.update(j, func(s *ExportJob) { s.Resources += n % 1000 })
	if n == 0 {
		return nil, os.Remove(path)
	}
	return &ExportFile{Type: typ, Name: name, Count: n, Bytes: cw.n}, nil
}

type fhirResource = fhir.Resource

// scan pages through one type's matches (within patient pid's compartment
// when pid is set).
func (x *Exporter) scan(ctx context.Context, typ string, params url.Values, req ExportRequest, pid string, emit func(*fhir.Resource) error) error {
	p := url.Values{}
	for k, v := range params {
		p[k] = v
	}
	if !req.Since.IsZero() {
		p.Add("_lastUpdated", "ge"+req.Since.UTC().Format(time.RFC3339Nano))
	}
	q, err := search.ParseQuery(x.model, typ, p, true)
	if err != nil {
		return err
	}
	if pid != "" {
		q.Compartment = &search.Compartment{Type: "Patient", ID: pid}
	}
	q.Count, q.Total = 1000, "none"
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := x.store.Search(ctx, q)
		if err != nil {
			return err
		}
		for _, r := range page.Resources {
			if err := emit(r); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
}

// writeLine writes one resource as an NDJSON line: bodies stored with
// their original formatting are compacted, since NDJSON forbids newlines
// inside a record.
func writeLine(w io.Writer, body []byte) error {
	if bytes.IndexByte(body, '\n') >= 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, body); err != nil {
			return fmt.Errorf("compact resource: %w", err)
		}
		body = buf.Bytes()
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	_, err := w.Write([]byte{'\n'})
	return err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
