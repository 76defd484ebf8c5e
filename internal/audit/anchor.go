package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Head is the newest link of the chain: its sequence number and hash.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Anchor keeps the chain head outside the FHIR store. Someone who can
// rewrite the database can recompute a chain, but cannot also move the
// anchor unless they hold the data directory too; keep a copy elsewhere
// (a log shipper, a printed hash) for stronger guarantees.
type Anchor interface {
	// Load returns the saved head; a zero Head and no error when none was saved.
	Load() (Head, error)
	// Save records the head after a batch of events committed.
	Save(Head) error
}

// FileAnchor is an Anchor in a small JSON file, replaced atomically.
type FileAnchor struct{ Path string }

// Load reads the head file.
func (f FileAnchor) Load() (Head, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Head{}, nil
	}
	if err != nil {
		return Head{}, fmt.Errorf("read audit anchor: %w", err)
	}
	var h Head
	if err := json.Unmarshal(b, &h); err != nil {
		return Head{}, fmt.Errorf("decode audit anchor %s: %w", f.Path, err)
	}
	return h, nil
}

// Save writes the head file through a temporary file and a rename.
func (f FileAnchor) Save(h Head) error {
	b, _ := json.Marshal(h)
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".audit-head-*")
	if err != nil {
		return fmt.Errorf("save audit anchor: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("save audit anchor: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save audit anchor: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("save audit anchor: %w", err)
	}
	return nil
}

// MemoryAnchor keeps the head in memory (tests, or when no data directory).
type MemoryAnchor struct {
	mu sync.Mutex
	h  Head
}

// Load returns the head.
func (m *MemoryAnchor) Load() (Head, error) { m.mu.Lock(); defer m.mu.Unlock(); return m.h, nil }

// Save sets the head.
func (m *MemoryAnchor) Save(h Head) error { m.mu.Lock(); defer m.mu.Unlock(); m.h = h; return nil }
