package viewrun

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
)

// Asynchronous $viewdefinition-export
// (https://sql-on-fhir.org/ig/latest/OperationDefinition-ViewDefinitionExport.html):
// the kick-off returns an export id at once; a background goroutine runs
// each view into Dir/<id>/<name>.<ext>; the status answers "in-progress"
// until every file is written, then lists them. Jobs live in memory: a
// restarted server forgets them (their files stay on disk).

// Export statuses.
const (
	ExportAccepted   = "accepted"
	ExportInProgress = "in-progress"
	ExportCompleted  = "completed"
	ExportFailed     = "failed"
	ExportCancelled  = "cancelled"
)

// ExportView is one view of an export request.
type ExportView struct {
	Name string
	Req  *Request // view, filters and format of this output
}

// ExportJob is the state of one export. Copies are returned to callers.
type ExportJob struct {
	ID               string
	ClientTrackingID string
	Status           string
	Format           string
	Start, End       time.Time
	Outputs          []ExportOutput
	Error            string
}

// ExportOutput is one written file.
type ExportOutput struct {
	Name string // view name
	File string // file name under the job directory
	Rows int64
}

// Exporter runs exports. Its zero value is not usable: set Runner and Dir.
// It is safe for concurrent use.
type Exporter struct {
	Runner *Runner
	Dir    string
	Now    func() time.Time

	mu     sync.Mutex
	jobs   map[string]*ExportJob
	cancel map[string]context.CancelFunc
}

var viewNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_\-]{0,63}$`)

// ParseExport reads the kick-off Parameters: repeated "view" parameters
// (parts name, viewReference or viewResource) and shared _format, header,
// patient, group, _since and clientTrackingId.
func ParseExport(body []byte) (views []ExportView, tracking string, err error) {
	var p struct {
		ResourceType string `json:"resourceType"`
		Parameter    []struct {
			Name        string          `json:"name"`
			ValueString *string         `json:"valueString"`
			Part        json.RawMessage `json:"part"`
		} `json:"parameter"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.ResourceType != "Parameters" {
		return nil, "", fhir.Errorf(fhir.KindInvalid, "the request body must be a Parameters resource")
	}
	// Shared parameters go through Request.ParseParameters.
	shared := NewRequest()
	var rest []json.RawMessage
	var raw struct {
		Parameter []json.RawMessage `json:"parameter"`
	}
	_ = json.Unmarshal(body, &raw) // already decoded above
	for i, pp := range p.Parameter {
		switch pp.Name {
		case "view":
			continue
		case "clientTrackingId":
			if pp.ValueString != nil {
				tracking = *pp.ValueString
			}
		default:
			rest = append(rest, raw.Parameter[i])
		}
	}
	if err := shared.ParseParameters(wrapParams(rest)); err != nil {
		return nil, "", err
	}
	for i, pp := range p.Parameter {
		if pp.Name != "view" {
			continue
		}
		req := *shared
		req.ViewResource, req.ViewRef = nil, ""
		var parts []struct {
			Name        string  `json:"name"`
			ValueString *string `json:"valueString"`
		}
		if err := json.Unmarshal(pp.Part, &parts); err != nil {
			return nil, "", fhir.Errorf(fhir.KindInvalid, "view parameter %d: malformed parts", i).At("view")
		}
		var partsRaw []json.RawMessage
		_ = json.Unmarshal(pp.Part, &partsRaw)
		name := ""
		var viewParts []json.RawMessage
		for j, part := range parts {
			if part.Name == "name" && part.ValueString != nil {
				name = *part.ValueString
			} else {
				viewParts = append(viewParts, partsRaw[j])
			}
		}
		if err := req.ParseParameters(wrapParams(viewParts)); err != nil {
			return nil, "", err
		}
		if err := req.Validate(); err != nil {
			return nil, "", err
		}
		if name == "" {
			name = fmt.Sprintf("view%d", len(views)+1)
		}
		if !viewNameRE.MatchString(name) {
			return nil, "", fhir.Errorf(fhir.KindInvalid, "view name %q: use letters, digits, - and _", name).At("view.name")
		}
		views = append(views, ExportView{Name: name, Req: &req})
	}
	if len(views) == 0 {
		return nil, "", fhir.Errorf(fhir.KindInvalid, "at least one view parameter is required").At("view")
	}
	return views, tracking, nil
}

func wrapParams(ps []json.RawMessage) []byte {
	if ps == nil {
		ps = []json.RawMessage{}
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Parameters", "parameter": ps})
	return b
}

// Start compiles every view (so that invalid ones fail the kick-off, not
// the job), then runs the export in the background and returns its id.
func (e *Exporter) Start(ctx context.Context, views []ExportView, tracking string) (string, error) {
	type prepared struct {
		ExportView
		run func(ctx context.Context, path string) (int64, error)
	}
	var preps []prepared
	for _, ev := range views {
		v, src, err := e.Runner.Prepare(ctx, ev.Req)
		if err != nil {
			return "", fmt.Errorf("view %s: %w", ev.Name, err)
		}
		req := ev.Req
		preps = append(preps, prepared{ExportView: ev, run: func(ctx context.Context, path string) (int64, error) {
			f, err := os.Create(path)
			if err != nil {
				return 0, err
			}
			cw := &countWriter{w: f}
			err = Execute(ctx, v, src, req, cw)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			return cw.lines, err
		}})
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(e.Dir, id)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("export directory: %w", err)
	}
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	job := &ExportJob{ID: id, ClientTrackingID: tracking, Status: ExportInProgress, Format: views[0].Req.Format, Start: e.now()}
	e.mu.Lock()
	if e.jobs == nil {
		e.jobs, e.cancel = map[string]*ExportJob{}, map[string]context.CancelFunc{}
	}
	e.jobs[id], e.cancel[id] = job, cancel
	e.mu.Unlock()

	go func() {
		defer cancel()
		var outs []ExportOutput
		for _, p := range preps {
			file := p.Name + "." + extension(p.Req.Format)
			rows, err := p.run(jctx, filepath.Join(dir, file))
			if err != nil {
				e.finish(id, nil, fmt.Sprintf("view %s: %v", p.Name, err))
				return
			}
			outs = append(outs, ExportOutput{Name: p.Name, File: file, Rows: rows})
		}
		e.finish(id, outs, "")
	}()
	return id, nil
}

func (e *Exporter) finish(id string, outs []ExportOutput, errMsg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j := e.jobs[id]
	if j == nil || j.Status == ExportCancelled {
		return
	}
	j.End = e.now()
	if errMsg != "" {
		j.Status, j.Error = ExportFailed, errMsg
		return
	}
	j.Status, j.Outputs = ExportCompleted, outs
}

// Status returns a copy of the job (KindNotFound if unknown).
func (e *Exporter) Status(id string) (ExportJob, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j := e.jobs[id]
	if j == nil {
		return ExportJob{}, fhir.Errorf(fhir.KindNotFound, "no export %q", id)
	}
	c := *j
	c.Outputs = append([]ExportOutput(nil), j.Outputs...)
	return c, nil
}

// Cancel stops a running export and deletes its files.
func (e *Exporter) Cancel(id string) error {
	e.mu.Lock()
	j := e.jobs[id]
	if j == nil {
		e.mu.Unlock()
		return fhir.Errorf(fhir.KindNotFound, "no export %q", id)
	}
	j.Status = ExportCancelled
	if c := e.cancel[id]; c != nil {
		c()
	}
	e.mu.Unlock()
	return os.RemoveAll(filepath.Join(e.Dir, id))
}

// File returns the path of an output file of a completed job.
func (e *Exporter) File(id, name string) (string, error) {
	j, err := e.Status(id)
	if err != nil {
		return "", err
	}
	for _, o := range j.Outputs {
		if o.File == name {
			return filepath.Join(e.Dir, id, name), nil
		}
	}
	return "", fhir.Errorf(fhir.KindNotFound, "export %s has no file %q", id, name)
}

// Manifest is the status Parameters of a job; base is the URL the file
// locations hang off ("https://host/fhir/ViewDefinition/$viewdefinition-export").
func (j ExportJob) Manifest(base string) []byte {
	type part = map[string]any
	params := []part{
		{"name": "exportId", "valueString": j.ID},
		{"name": "status", "valueCode": j.Status},
		{"name": "location", "valueUri": base + "/status/" + j.ID},
		{"name": "_format", "valueCode": j.Format},
		{"name": "exportStartTime", "valueInstant": j.Start.UTC().Format(time.RFC3339)},
	}
	if j.ClientTrackingID != "" {
		params = append(params, part{"name": "clientTrackingId", "valueString": j.ClientTrackingID})
	}
	if !j.End.IsZero() {
		params = append(params,
			part{"name": "exportEndTime", "valueInstant": j.End.UTC().Format(time.RFC3339)},
			part{"name": "exportDuration", "valueInteger": int(j.End.Sub(j.Start).Seconds())})
	}
	outs := append([]ExportOutput(nil), j.Outputs...)
	sort.SliceStable(outs, func(a, b int) bool { return outs[a].Name < outs[b].Name })
	for _, o := range outs {
		params = append(params, part{"name": "output", "part": []part{
			{"name": "name", "valueString": o.Name},
			{"name": "location", "valueUri": base + "/files/" + j.ID + "/" + o.File},
		}})
	}
	if j.Error != "" {
		params = append(params, part{"name": "error", "valueString": j.Error})
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Parameters", "parameter": params})
	return b
}

func (e *Exporter) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func extension(format string) string {
	switch ContentType(format) {
	case "text/csv; charset=utf-8":
		return "csv"
	case "application/x-ndjson":
		return "ndjson"
	case "application/vnd.apache.parquet":
		return "parquet"
	}
	return "json"
}

func newID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("export id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// countWriter counts newlines (rows for csv/ndjson; approximate otherwise).
type countWriter struct {
	w     *os.File
	lines int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			c.lines++
		}
	}
	return c.w.Write(p)
}
