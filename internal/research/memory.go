package research

import (
	"context"
	"sync"

	"github.com/sen-emr/sen/internal/fhir"
)

// Requests keeps research requests. Put stores a copy; Get returns a copy
// or a KindNotFound error.
type Requests interface {
	Get(ctx context.Context, id string) (*Request, error)
	Put(ctx context.Context, r *Request) error
}

// MemoryRequests is an in-memory Requests, safe for concurrent use. The
// zero value is ready.
type MemoryRequests struct {
	mu sync.Mutex
	m  map[string]Request
}

func (m *MemoryRequests) Get(_ context.Context, id string) (*Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.m[id]
	if !ok {
		return nil, fhir.Errorf(fhir.KindNotFound, "không có yêu cầu nghiên cứu %s / no research request %s", id, id)
	}
	r.Types = append([]string(nil), r.Types...)
	return &r, nil
}

func (m *MemoryRequests) Put(_ context.Context, r *Request) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]Request{}
	}
	c := *r
	c.Types = append([]string(nil), r.Types...)
	m.m[r.ID] = c
	return nil
}

var _ Requests = (*MemoryRequests)(nil)
