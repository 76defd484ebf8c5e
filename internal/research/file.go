package research

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/sen-emr/sen/internal/fhir"
)

// FileRequests keeps requests in one JSON file (sen research keeps it in
// the data directory). Each Put rewrites the file through a temporary
// name and a rename, so a crash leaves the old or the new file, never a
// torn one. It serialises callers within one process only: run one sen
// research at a time against a data directory.
type FileRequests struct {
	Path string
	mu   sync.Mutex
}

func (f *FileRequests) load() (map[string]Request, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Request{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("research: read %s: %w", f.Path, err)
	}
	m := map[string]Request{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("research: %s is not a request file: %w", f.Path, err)
	}
	return m, nil
}

func (f *FileRequests) Get(_ context.Context, id string) (*Request, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return nil, err
	}
	r, ok := m[id]
	if !ok {
		return nil, fhir.Errorf(fhir.KindNotFound, "không có yêu cầu nghiên cứu %s / no research request %s", id, id)
	}
	return &r, nil
}

func (f *FileRequests) Put(_ context.Context, r *Request) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	m[r.ID] = *r
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("research: encode requests: %w", err)
	}
	tmp := f.Path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("research: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, f.Path); err != nil {
		return fmt.Errorf("research: replace %s: %w", f.Path, err)
	}
	return nil
}

// List returns every request, in no particular order.
func (f *FileRequests) List(_ context.Context) ([]Request, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return nil, err
	}
	out := make([]Request, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	return out, nil
}

var _ Requests = (*FileRequests)(nil)
