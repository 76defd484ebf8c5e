package operation

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ExpandPaths turns the paths given to sen import into the list of files to
// load: files as given, folders walked recursively for *.json and *.ndjson
// (optionally .bz2 or .gz compressed), each folder's files in name order.
// A path that does not exist is an error; a folder with no loadable file
// is not.
func ExpandPaths(paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("import path: %w", err)
		}
		if !fi.IsDir() {
			add(p)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && loadable(path) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("import folder %s: %w", p, err)
		}
		sort.Strings(files)
		for _, f := range files {
			add(f)
		}
	}
	return out, nil
}

// loadable reports whether a file name looks like JSON or NDJSON, possibly
// compressed.
func loadable(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(name), ".bz2"), ".gz")
	return strings.HasSuffix(base, ".json") || strings.HasSuffix(base, ".ndjson")
}

// isNDJSON reports whether a file name denotes NDJSON (one resource per line).
func isNDJSON(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(name), ".bz2"), ".gz")
	return strings.HasSuffix(base, ".ndjson")
}

// openDecompressed opens path and undoes bzip2 or gzip compression, which
// it recognises by the file's magic bytes rather than its name.
func openDecompressed(path string) (io.Reader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 1<<20)
	magic, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(magic, []byte("BZh")):
		return bufio.NewReaderSize(bzip2.NewReader(br), 1<<20), f, nil
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		return bufio.NewReaderSize(zr, 1<<20), f, nil
	}
	return br, f, nil
}

// readLines calls fn with every non-blank line of r (a copy fn may keep).
// Lines may be of any length.
func readLines(r io.Reader, fn func(line []byte) error) error {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<20)
	}
	for {
		line, err := br.ReadBytes('\n')
		if t := bytes.TrimSpace(line); len(t) > 0 {
			if ferr := fn(t); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
