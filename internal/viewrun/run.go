package viewrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/view"
)

// Runner executes $run requests. Reader may be nil when every request
// carries its resources inline (the command line with --input).
type Runner struct {
	Reader   store.Reader
	Parse    QueryParser
	PageSize int
	// Catalog resolves views Sen ships (registries, indicators) by id or
	// canonical URL before the store is asked; nil means none.
	Catalog func(ref string) ([]byte, bool)
}

// View compiles the request's view: the inline viewResource, or the one
// viewReference names (the catalog, then ViewDefinition/{id} in the
// store). An invalid definition is KindUnprocessable (422).
func (r *Runner) View(ctx context.Context, req *Request) (*view.View, error) {
	body := []byte(req.ViewResource)
	if len(body) == 0 {
		var err error
		if body, err = r.resolve(ctx, req.ViewRef); err != nil {
			return nil, err
		}
	}
	v, err := view.Compile(body)
	if err != nil {
		if errors.Is(err, view.ErrInvalid) {
			return nil, fhir.Errorf(fhir.KindUnprocessable, "the ViewDefinition is invalid: %v", err)
		}
		return nil, fmt.Errorf("compile view: %w", err)
	}
	return v, nil
}

func (r *Runner) resolve(ctx context.Context, ref string) ([]byte, error) {
	if r.Catalog != nil {
		if b, ok := r.Catalog(ref); ok {
			return b, nil
		}
	}
	id := ref
	if i := strings.LastIndex(ref, "ViewDefinition/"); i >= 0 {
		id = ref[i+len("ViewDefinition/"):]
	}
	if j := strings.IndexByte(id, '|'); j >= 0 {
		id = id[:j]
	}
	if r.Reader == nil || !fhir.ValidID(id) {
		return nil, fhir.Errorf(fhir.KindNotFound, "ViewDefinition %q not found", ref)
	}
	res, err := r.Reader.Read(ctx, "ViewDefinition", id)
	if err != nil {
		if k := fhir.KindOf(err); k == fhir.KindNotFound || k == fhir.KindGone || k == fhir.KindInvalid {
			return nil, fhir.Errorf(fhir.KindNotFound, "ViewDefinition with id %q not found", id)
		}
		return nil, fmt.Errorf("read ViewDefinition/%s: %w", id, err)
	}
	return res.JSON, nil
}

// Source returns where the rows come from: the inline resources, else the
// store filtered by patient, group and _since. Unknown patients and groups
// are KindInvalid errors naming the parameter.
func (r *Runner) Source(ctx context.Context, req *Request) (view.Source, error) {
	if req.Resources != nil {
		rs := make(Resources, len(req.Resources))
		for i, b := range req.Resources {
			rs[i] = b
		}
		return rs, nil
	}
	if r.Reader == nil {
		return nil, fhir.Errorf(fhir.KindInvalid, "no resources given and no store to read")
	}
	src := StoreSource{Reader: r.Reader, Parse: r.Parse, PageSize: r.PageSize, Filter: Filter{Since: req.Since}}
	if len(req.Patients) > 0 || len(req.Groups) > 0 {
		ids := []string{}
		seen := map[string]bool{}
		add := func(id string) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		for _, id := range req.Patients {
			if _, err := r.Reader.Read(ctx, "Patient", id); err != nil {
				if fhir.KindOf(err) == fhir.KindInternal {
					return nil, fmt.Errorf("read Patient/%s: %w", id, err)
				}
				return nil, notFoundParam("patient", "Patient with id %q not found", id)
			}
			add(id)
		}
		for _, gid := range req.Groups {
			members, err := r.groupMembers(ctx, gid)
			if err != nil {
				return nil, err
			}
			for _, id := range members {
				add(id)
			}
		}
		src.Filter.Patients = ids
	}
	return src, nil
}

func (r *Runner) groupMembers(ctx context.Context, gid string) ([]string, error) {
	res, err := r.Reader.Read(ctx, "Group", gid)
	if err != nil {
		if fhir.KindOf(err) == fhir.KindInternal {
			return nil, fmt.Errorf("read Group/%s: %w", gid, err)
		}
		return nil, notFoundParam("group", "Group with id %q not found", gid)
	}
	var g struct {
		Member []struct {
			Entity struct {
				Reference string `json:"reference"`
			} `json:"entity"`
			Inactive bool `json:"inactive"`
		} `json:"member"`
	}
	if err := json.Unmarshal(res.JSON, &g); err != nil {
		return nil, fmt.Errorf("decode Group/%s: %w", gid, err)
	}
	var ids []string
	for _, m := range g.Member {
		if m.Inactive {
			continue
		}
		if id, ok := strings.CutPrefix(m.Entity.Reference, "Patient/"); ok && fhir.ValidID(id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Run executes req and writes the rows to out in req.Format. Errors before
// the first byte is written are *fhir.Error values (the caller can still
// answer with an OperationOutcome); later errors abort the stream.
func (r *Runner) Run(ctx context.Context, req *Request, out io.Writer) error {
	v, src, err := r.Prepare(ctx, req)
	if err != nil {
		return err
	}
	return Execute(ctx, v, src, req, out)
}

// Prepare validates req and resolves its view and source without writing.
func (r *Runner) Prepare(ctx context.Context, req *Request) (*view.View, view.Source, error) {
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	v, err := r.View(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	src, err := r.Source(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	return v, src, nil
}

// Execute streams v over src into out, honouring req's format, header and
// limit.
func Execute(ctx context.Context, v *view.View, src view.Source, req *Request, out io.Writer) error {
	format := strings.ToLower(req.Format)
	if !req.Header && (format == "csv" || format == "text/csv") {
		out = &skipLine{w: out}
	}
	w, err := view.NewWriter(format, out, v.Columns())
	if err != nil {
		return fhir.Errorf(fhir.KindInvalid, "%v", err).At("_format")
	}
	if req.Limit > 0 {
		w = &limitWriter{Writer: w, left: req.Limit}
	}
	err = view.RunWith(ctx, v, src, w, view.RunOptions{Workers: req.Workers})
	if err != nil && !errors.Is(err, errLimit) {
		return err
	}
	return nil
}

// ContentType is the MIME type of a $run format.
func ContentType(format string) string {
	switch strings.ToLower(format) {
	case "csv", "text/csv":
		return "text/csv; charset=utf-8"
	case "ndjson", "application/x-ndjson":
		return "application/x-ndjson"
	case "parquet", "application/vnd.apache.parquet":
		return "application/vnd.apache.parquet"
	}
	return "application/json"
}

// FormatFromAccept maps an Accept header to a format name ("" if none).
func FormatFromAccept(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		switch strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0])) {
		case "text/csv":
			return "csv"
		case "application/x-ndjson", "application/ndjson", "application/fhir+ndjson":
			return "ndjson"
		case "application/octet-stream", "application/vnd.apache.parquet":
			return "parquet"
		case "application/json":
			return "json"
		}
	}
	return ""
}

var errLimit = errors.New("row limit reached")

type limitWriter struct {
	view.Writer
	left int
}

func (l *limitWriter) Write(row []any) error {
	if l.left <= 0 {
		return errLimit
	}
	l.left--
	return l.Writer.Write(row)
}

// skipLine drops everything up to and including the first newline (the
// CSV header: column names cannot contain newlines).
type skipLine struct {
	w    io.Writer
	done bool
}

func (s *skipLine) Write(p []byte) (int, error) {
	if s.done {
		return s.w.Write(p)
	}
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		return len(p), nil
	}
	s.done = true
	if _, err := s.w.Write(p[i+1:]); err != nil {
		return 0, err
	}
	return len(p), nil
}

func notFoundParam(expr, format string, args ...any) error {
	e := fhir.Errorf(fhir.KindInvalid, format, args...)
	e.Issues = []fhir.Issue{{Severity: "error", Code: "not-found", Diagnostics: e.Msg, Expression: []string{expr}}}
	return e
}
