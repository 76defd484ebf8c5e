package rest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/operation"
)

// Exports runs Bulk Data $export jobs (operation.Exporter implements it).
type Exports interface {
	Start(ctx context.Context, req operation.ExportRequest) (*operation.ExportJob, error)
	Status(id string) (*operation.ExportJob, error)
	Delete(id string) error
	Open(id, name string) (*os.File, error)
}

// patientEverything is Patient/{id}/$everything and, without an id,
// Patient/$everything: a searchset Bundle paged with _cursor links.
//
// https://hl7.org/fhir/R4/patient-operation-everything.html
func (s *server) patientEverything(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	if id != "" {
		if err := checkID(id); err != nil {
			return nil, err
		}
	}
	params := r.URL.Query()
	q := operation.EverythingQuery{PatientID: id, Cursor: params.Get("_cursor")}
	if v := params.Get("_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, fhir.Errorf(fhir.KindInvalid, "_since: want an instant (2024-01-31T08:00:00Z), got %q / _since không hợp lệ", v).At("_since")
		}
		q.Since = t
	}
	for _, v := range params["_type"] {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				q.Types = append(q.Types, t)
			}
		}
	}
	q.Count = s.cfg.DefaultCount
	if v := params.Get("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fhir.Errorf(fhir.KindInvalid, "_count: want a positive integer, got %q", v).At("_count")
		}
		q.Count = n
	}
	ev := operation.Everything{Store: s.cfg.Store, Model: s.cfg.Model}
	page, err := ev.Run(r.Context(), q)
	if err != nil {
		return nil, err
	}
	base := s.base(r)
	b := &searchset{base: base, lastUpdated: instant(s.now()), total: page.Total}
	path := "/Patient/$everything"
	if id != "" {
		path = "/Patient/" + id + "/$everything"
	}
	link := func(rel, cursor string) {
		v := url.Values{}
		for k, vs := range params {
			v[k] = vs
		}
		v.Del("_cursor")
		if cursor != "" {
			v.Set("_cursor", cursor)
		}
		u := base + path
		if enc := v.Encode(); enc != "" {
			u += "?" + enc
		}
		b.links = append(b.links, bundleLink{Relation: rel, URL: u})
	}
	link("self", q.Cursor)
	if page.Next != "" {
		link("next", page.Next)
	}
	if page.Prev != "" {
		link("previous", page.Prev)
	}
	b.entries = make([]searchEntry, 0, len(page.Resources)+len(page.Included))
	b.add(page.Resources, "match")
	b.add(page.Included, "include")
	return &result{set: b}, nil
}

// mountBulkExport adds the Bulk Data $export kick-off, status and
// download endpoints when an Exports is configured.
//
// https://hl7.org/fhir/uv/bulkdata/STU2/export.html
func (s *server) mountBulkExport() {
	if s.cfg.Exports == nil {
		return
	}
	h := func(f func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if err := f(w, r); err != nil {
				s.writeError(w, r, err)
			}
		}
	}
	for _, m := range []string{"GET ", "POST "} {
		s.mux.HandleFunc(m+"/fhir/$export", h(func(w http.ResponseWriter, r *http.Request) error { return s.exportKickoff(w, r, "system") }))
		s.mux.HandleFunc(m+"/fhir/Patient/$export", h(func(w http.ResponseWriter, r *http.Request) error { return s.exportKickoff(w, r, "patient") }))
		s.mux.HandleFunc(m+"/fhir/Group/{id}/$export", h(func(w http.ResponseWriter, r *http.Request) error { return s.exportKickoff(w, r, "group") }))
	}
	s.mux.HandleFunc("GET /fhir/$export-jobs/{job}/status", h(s.exportStatus))
	s.mux.HandleFunc("DELETE /fhir/$export-jobs/{job}/status", h(s.exportDelete))
	s.mux.HandleFunc("GET /fhir/$export-jobs/{job}/files/{name}", h(s.exportFile))
}

// exportKickoff starts a job: 202 Accepted with Content-Location of the
// status endpoint. Parameters come from the URL (GET) or a form body (POST).
func (s *server) exportKickoff(w http.ResponseWriter, r *http.Request, level string) error {
	params, err := s.searchParams(r)
	if err != nil {
		return err
	}
	if f := params.Get("_outputFormat"); f != "" {
		switch f {
		case "application/fhir+ndjson", "application/ndjson", "ndjson":
		default:
			return fhir.Errorf(fhir.KindInvalid, "_outputFormat %q: Sen writes application/fhir+ndjson only", f).At("_outputFormat")
		}
	}
	req := operation.ExportRequest{Level: level, GroupID: r.PathValue("id"), Request: s.base(r) + strings.TrimPrefix(r.URL.RequestURI(), "/fhir")}
	if level == "group" {
		if err := checkID(req.GroupID); err != nil {
			return err
		}
	}
	for _, v := range params["_type"] {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				req.Types = append(req.Types, t)
			}
		}
	}
	if v := params.Get("_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return fhir.Errorf(fhir.KindInvalid, "_since: want an instant (2024-01-31T08:00:00Z), got %q / _since không hợp lệ", v).At("_since")
		}
		req.Since = t
	}
	req.TypeFilters = params["_typeFilter"]
	job, err := s.cfg.Exports.Start(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Location", s.base(r)+"/$export-jobs/"+job.ID+"/status")
	out := fhir.NewOutcome(fhir.Issue{Severity: "information", Code: "informational",
		Diagnostics: "export started; poll Content-Location / đã bắt đầu xuất dữ liệu"})
	s.writeBody(w, r, http.StatusAccepted, out.JSON())
	return nil
}

// exportStatus answers 202 with X-Progress while the job runs, 200 with
// the manifest when it completed, and 500 with an OperationOutcome when it
// failed.
func (s *server) exportStatus(w http.ResponseWriter, r *http.Request) error {
	job, err := s.cfg.Exports.Status(r.PathValue("job"))
	if err != nil {
		return err
	}
	switch job.Status {
	case operation.JobCompleted:
		base := s.base(r)
		body := job.Manifest(func(id, name string) string { return base + "/$export-jobs/" + id + "/files/" + name })
		w.Header().Set("Expires", job.Finished.Add(24*time.Hour).UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return nil
	case operation.JobFailed:
		return fhir.Errorf(fhir.KindInternal, "export failed: %s", job.Error)
	}
	w.Header().Set("X-Progress", job.Progress())
	w.Header().Set("Retry-After", "2")
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s *server) exportDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Exports.Delete(r.PathValue("job")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s *server) exportFile(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Exports.Open(r.PathValue("job"), r.PathValue("name"))
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/fhir+ndjson")
	if fi, err := f.Stat(); err == nil {
		w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, f)
	}
	return nil
}
