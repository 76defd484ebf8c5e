package operation

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// Journal records the files an import has completely committed, one JSON
// line each (path, size, modification time), so that `sen import` run
// again after an interruption skips them. A file that changed since (other
// size or time) is loaded again. Safe for concurrent use.
type Journal struct {
	mu   sync.Mutex
	path string
	done map[string]journalLine
}

type journalLine struct {
	Path      string    `json:"path"`
	Size      int64     `json:"size"`
	ModTime   time.Time `json:"mtime"`
	Resources int       `json:"resources"`
	At        time.Time `json:"at"`
}

// OpenJournal reads the journal at path (absent: empty).
func OpenJournal(path string) (*Journal, error) {
	j := &Journal{path: path, done: map[string]journalLine{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return j, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open import journal: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l journalLine
		// A torn last line (crash while appending) is ignored: that file loads again.
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Path != "" {
			j.done[l.Path] = l
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read import journal %s: %w", path, err)
	}
	return j, nil
}

// Done reports whether path was completely loaded and has not changed since.
func (j *Journal) Done(path string) bool {
	j.mu.Lock()
	l, ok := j.done[path]
	j.mu.Unlock()
	if !ok {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Size() == l.Size && fi.ModTime().Equal(l.ModTime)
}

// Len is the number of files recorded.
func (j *Journal) Len() int { j.mu.Lock(); defer j.mu.Unlock(); return len(j.done) }

// Add records path as completely loaded.
func (j *Journal) Add(path string, resources int) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	l := journalLine{Path: path, Size: fi.Size(), ModTime: fi.ModTime(), Resources: resources, At: time.Now().UTC()}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	_, werr := f.Write(append(b, '\n'))
	if err := errors.Join(werr, f.Close()); err != nil {
		return err
	}
	j.done[path] = l
	return nil
}
