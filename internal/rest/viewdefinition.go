package rest

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/sen-emr/sen/internal/clinical/population"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/viewrun"
)

// SQL-on-FHIR v2 operations on ViewDefinition:
//
//   - $run (https://sql-on-fhir.org/ig/latest/OperationDefinition-ViewDefinitionRun.html):
//     type level (POST with viewResource or viewReference) and instance
//     level (GET or POST /fhir/ViewDefinition/{id}/$run), answering CSV,
//     NDJSON, JSON or Parquet as a stream.
//   - $viewdefinition-export (https://sql-on-fhir.org/ig/latest/OperationDefinition-ViewDefinitionExport.html):
//     asynchronous kick-off, status polling, file download and cancel.
//
// The work is done by internal/viewrun; this file only maps HTTP to it.
// The routes are mounted by mountViewDefinition, called from routes().

func (s *server) viewRunner() *viewrun.Runner {
	return &viewrun.Runner{
		Reader: s.cfg.Store,
		Parse: func(typ string, params url.Values) (*search.Query, error) {
			return s.cfg.Parser.ParseQuery(typ, params, true)
		},
		Catalog: population.View,
	}
}

// mountViewDefinition registers the ViewDefinition operations on the mux.
// They bypass serve() because $run's _format names CSV, NDJSON and
// Parquet, which the FHIR content negotiation would refuse.
func (s *server) mountViewDefinition() {
	run := s.viewRunner()
	s.mux.HandleFunc("POST /fhir/ViewDefinition/$run", func(w http.ResponseWriter, r *http.Request) { s.viewRun(w, r, run, "") })
	s.mux.HandleFunc("GET /fhir/ViewDefinition/$run", func(w http.ResponseWriter, r *http.Request) { s.viewRun(w, r, run, "") })
	s.mux.HandleFunc("GET /fhir/ViewDefinition/{id}/$run", func(w http.ResponseWriter, r *http.Request) { s.viewRun(w, r, run, r.PathValue("id")) })
	s.mux.HandleFunc("POST /fhir/ViewDefinition/{id}/$run", func(w http.ResponseWriter, r *http.Request) { s.viewRun(w, r, run, r.PathValue("id")) })

	ex := &viewrun.Exporter{Runner: run, Dir: filepath.Join(os.TempDir(), "sen-viewdefinition-export"), Now: s.cfg.Now}
	const exp = "/fhir/ViewDefinition/$viewdefinition-export"
	s.mux.HandleFunc("POST "+exp, func(w http.ResponseWriter, r *http.Request) {
		body, _, err := s.readBody(r, mimeFHIRJSON, mimeJSON)
		if err == nil {
			var views []viewrun.ExportView
			var tracking string
			if views, tracking, err = viewrun.ParseExport(body); err == nil {
				var id string
				if id, err = ex.Start(r.Context(), views, tracking); err == nil {
					job, _ := ex.Status(id)
					w.Header().Set("Content-Location", s.base(r)+"/ViewDefinition/$viewdefinition-export/status/"+id)
					s.writeBody(w, r, http.StatusAccepted, job.Manifest(s.base(r)+"/ViewDefinition/$viewdefinition-export"))
					return
				}
			}
		}
		s.writeError(w, r, err)
	})
	s.mux.HandleFunc("GET "+exp+"/status/{id}", func(w http.ResponseWriter, r *http.Request) {
		job, err := ex.Status(r.PathValue("id"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		status := http.StatusOK
		switch job.Status {
		case viewrun.ExportInProgress, viewrun.ExportAccepted:
			status = http.StatusAccepted
			w.Header().Set("X-Progress", job.Status)
			w.Header().Set("Retry-After", "1")
		case viewrun.ExportFailed:
			status = http.StatusInternalServerError
		}
		s.writeBody(w, r, status, job.Manifest(s.base(r)+"/ViewDefinition/$viewdefinition-export"))
	})
	s.mux.HandleFunc("DELETE "+exp+"/status/{id}", func(w http.ResponseWriter, r *http.Request) {
		if err := ex.Cancel(r.PathValue("id")); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	s.mux.HandleFunc("GET "+exp+"/files/{id}/{name}", func(w http.ResponseWriter, r *http.Request) {
		path, err := ex.File(r.PathValue("id"), r.PathValue("name"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", viewrun.ContentType(filepath.Ext(path)[1:]))
		http.ServeFile(w, r, path)
	})
}

// viewRun answers $run. Errors found before streaming starts become an
// OperationOutcome; an error mid-stream can only cut the response short
// (it is logged).
func (s *server) viewRun(w http.ResponseWriter, r *http.Request, run *viewrun.Runner, id string) {
	req := viewrun.NewRequest()
	if id != "" {
		req.ViewRef = "ViewDefinition/" + id
	}
	err := func() error {
		q := r.URL.Query()
		if r.Method == http.MethodPost {
			body, _, err := s.readBody(r, mimeFHIRJSON, mimeJSON)
			if err != nil {
				return err
			}
			if len(body) > 0 {
				if err := req.ParseParameters(body); err != nil {
					return err
				}
			}
		}
		if err := req.ParseQuery(q); err != nil {
			return err
		}
		if id != "" && len(req.ViewResource) > 0 {
			return fhir.Errorf(fhir.KindInvalid, "viewResource is not allowed at instance level").At("viewResource")
		}
		if req.Format == "" {
			req.Format = viewrun.FormatFromAccept(r.Header.Get("Accept"))
		}
		return nil
	}()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, src, err := run.Prepare(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", viewrun.ContentType(req.Format))
	sw := &startedWriter{w: w}
	if err := viewrun.Execute(r.Context(), v, src, req, sw); err != nil {
		if !sw.started {
			s.writeError(w, r, err)
			return
		}
		if !errors.Is(err, r.Context().Err()) {
			s.log.Error("$run failed mid-stream", "path", r.URL.Path, "err", err)
		}
	}
}

// startedWriter remembers whether any byte reached the client.
type startedWriter struct {
	w       http.ResponseWriter
	started bool
}

func (s *startedWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		s.started = true
	}
	return s.w.Write(p)
}
