package sendqueue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/vn/bhyt"
)

// Steps of a claim's sending.
const (
	StepCheckIn = "check-in" // XML0
	StepSubmit  = "submit"   // the GIAMDINHHS envelope
)

// Record is one kept gateway answer.
type Record struct {
	bhyt.Receipt
	Step     string    `json:"step"`
	At       time.Time `json:"at"`       // when Sen got the answer
	Deadline time.Time `json:"deadline"` // the claim's deadline
	Late     bool      `json:"late"`     // answered after the deadline
	Accepted bool      `json:"accepted"`
}

// Receipts keeps every gateway answer as evidence, one JSON-lines file per
// claim (MA_LK) in a directory; answers are appended, never rewritten.
type Receipts struct {
	Dir string
	mu  sync.Mutex
}

// safeKey limits MA_LK to characters that are safe in a file name.
var safeKey = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

func (r *Receipts) path(maLK string) (string, error) {
	if !safeKey.MatchString(maLK) || maLK == "." || maLK == ".." {
		return "", fmt.Errorf("bhyt receipts: MA_LK %q cannot name a file (want letters, digits, . _ -)", maLK)
	}
	return filepath.Join(r.Dir, maLK+".jsonl"), nil
}

// Put appends rec to its claim's file.
func (r *Receipts) Put(rec Record) error {
	p, err := r.path(rec.MaLK)
	if err != nil {
		return err
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("bhyt receipts %s: %w", rec.MaLK, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return fmt.Errorf("bhyt receipts: %w", err)
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("bhyt receipts %s: %w", rec.MaLK, err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("bhyt receipts %s: %w", rec.MaLK, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("bhyt receipts %s: %w", rec.MaLK, err)
	}
	return f.Close()
}

// List returns the answers kept for maLK, oldest first.
func (r *Receipts) List(maLK string) ([]Record, error) {
	p, err := r.path(maLK)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	data, err := os.ReadFile(p)
	r.mu.Unlock()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bhyt receipts %s: %w", maLK, err)
	}
	var out []Record
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var rec Record
		if err := dec.Decode(&rec); err != nil {
			return nil, fmt.Errorf("bhyt receipts %s: %w", maLK, err)
		}
		out = append(out, rec)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// Claims lists the MA_LK of every claim with a kept answer, sorted.
func (r *Receipts) Claims() ([]string, error) {
	r.mu.Lock()
	entries, err := os.ReadDir(r.Dir)
	r.mu.Unlock()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bhyt receipts: %w", err)
	}
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".jsonl"); ok && !e.IsDir() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Accepted returns the accepted answer for a claim's step, if any.
func (r *Receipts) Accepted(maLK, step string) (Record, bool, error) {
	list, err := r.List(maLK)
	if err != nil {
		return Record{}, false, err
	}
	for _, rec := range list {
		if rec.Step == step && rec.Accepted {
			return rec, true, nil
		}
	}
	return Record{}, false, nil
}
