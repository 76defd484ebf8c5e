package operation

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/store"
)

// WriteNDJSON writes the current version of every resource of the given
// types (all types when empty) to dir/<Type>.ndjson, one compact resource
// per line, skipping types without resources. It is `sen export`: the
// synchronous, offline sibling of $export, and its output loads back with
// `sen import`.
func WriteNDJSON(ctx context.Context, st store.Reader, m *r4.Model, dir string, types []string) ([]ExportFile, error) {
	if len(types) == 0 {
		types = m.ResourceTypes()
	}
	for _, t := range types {
		if !m.IsResource(t) {
			return nil, fhir.Errorf(fhir.KindInvalid, "--type: %s is not a resource type / không phải loại tài nguyên", t)
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("export folder: %w", err)
	}
	x := &Exporter{store: st, model: m}
	var out []ExportFile
	for _, t := range types {
		name := t + ".ndjson"
		path := filepath.Join(dir, name)
		fh, err := os.Create(path)
		if err != nil {
			return out, fmt.Errorf("export %s: %w", t, err)
		}
		w := bufio.NewWriterSize(fh, 1<<20)
		cw := &countWriter{w: w}
		n := 0
		err = x.scan(ctx, t, url.Values{}, ExportRequest{}, "", func(r *fhir.Resource) error {
			n++
			return writeLine(cw, r.JSON)
		})
		if err == nil {
			err = w.Flush()
		}
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return out, fmt.Errorf("export %s: %w", t, err)
		}
		if n == 0 {
			if err := os.Remove(path); err != nil {
				return out, fmt.Errorf("export %s: %w", t, err)
			}
			continue
		}
		out = append(out, ExportFile{Type: t, Name: name, Count: n, Bytes: cw.n})
	}
	return out, nil
}
