package viewrun

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/view"
)

// QueryParser parses search parameters for a resource type (strictly:
// unknown parameters are errors). It is how the store source expresses
// _since (as _lastUpdated=gt…) and a patient filter on Patient (_id).
type QueryParser func(typ string, params url.Values) (*search.Query, error)

// StoreSource streams current resources of a type from the store by paging
// Search. The zero Filter streams every resource of the type. A
// StoreSource is safe for concurrent use if its Reader is.
type StoreSource struct {
	Reader store.Reader
	Parse  QueryParser
	// PageSize is the number of resources per Search page (0 means 500).
	PageSize int
	Filter   Filter
}

// Filter restricts the resources a source yields.
type Filter struct {
	// Patients limits the rows to these patients' compartments (ids, not
	// references); nil means everyone. An empty non-nil slice yields nothing.
	Patients []string
	// Since keeps resources whose meta.lastUpdated is after it ("" for all).
	Since string
}

// TypeScanner is an optional capability of a store.Reader: stream the
// current, non-deleted bodies of one type in one database cursor, without
// Search's paging, sorting and counting. StoreSource uses it for unfiltered
// runs when the Reader has it (bodies are only valid during fn).
type TypeScanner interface {
	ScanType(ctx context.Context, typ string, fn func(body []byte) error) error
}

// Each implements view.Source.
func (s StoreSource) Each(ctx context.Context, typ string, fn func(body []byte) error) error {
	if sc, ok := s.Reader.(TypeScanner); ok && s.Filter.Patients == nil && s.Filter.Since == "" {
		return sc.ScanType(ctx, typ, fn)
	}
	if s.Filter.Patients == nil {
		return s.each(ctx, typ, nil, fn)
	}
	for _, id := range s.Filter.Patients {
		if err := s.each(ctx, typ, &id, fn); err != nil {
			return err
		}
	}
	return nil
}

func (s StoreSource) each(ctx context.Context, typ string, patient *string, fn func([]byte) error) error {
	params := url.Values{"_total": {"none"}}
	if s.Filter.Since != "" {
		params.Set("_lastUpdated", "gt"+s.Filter.Since)
	}
	if patient != nil && typ == "Patient" {
		params.Set("_id", *patient)
	}
	var q *search.Query
	if len(params) > 1 || s.Parse != nil {
		if s.Parse == nil {
			return fhir.Errorf(fhir.KindUnsupported, "this server cannot filter by _since or patient")
		}
		var err error
		if q, err = s.Parse(typ, params); err != nil {
			return err
		}
	} else {
		q = &search.Query{Type: typ, Total: "none"}
	}
	if patient != nil && typ != "Patient" {
		q.Compartment = &search.Compartment{Type: "Patient", ID: *patient}
	}
	q.Count = s.PageSize
	if q.Count <= 0 {
		q.Count = 500
	}
	// Pages are fetched one ahead in a goroutine so that the database work
	// of page n+1 overlaps the evaluation of page n.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type page struct {
		res []*fhir.Resource
		err error
	}
	pages := make(chan page, 1)
	go func() {
		defer close(pages)
		for {
			p, err := s.Reader.Search(ctx, q)
			if err != nil {
				select {
				case pages <- page{err: fmt.Errorf("search %s: %w", typ, err)}:
				case <-ctx.Done():
				}
				return
			}
			select {
			case pages <- page{res: p.Resources}:
			case <-ctx.Done():
				return
			}
			if p.Next == "" {
				return
			}
			q.Cursor = p.Next
		}
	}()
	for p := range pages {
		if p.err != nil {
			return p.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, r := range p.res {
			if err := fn(r.JSON); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// Resources is an in-memory source: the $run "resource" parameters, or a
// file read whole. Bodies of other types are skipped.
type Resources [][]byte

// Each implements view.Source.
func (rs Resources) Each(ctx context.Context, typ string, fn func(body []byte) error) error {
	for _, b := range rs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if resourceType(b) == typ {
			if err := fn(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// NDJSON streams resources from newline-delimited JSON (Bulk Data files),
// skipping blank lines and other types. It can be read once.
type NDJSON struct {
	R io.Reader
}

// Each implements view.Source. Lines may be up to 64 MB.
func (n NDJSON) Each(ctx context.Context, typ string, fn func(body []byte) error) error {
	sc := bufio.NewScanner(n.R)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if b[0] != '{' {
			return fmt.Errorf("ndjson line %d: not a JSON object", line)
		}
		if resourceType(b) != typ {
			continue
		}
		if err := fn(b); err != nil {
			return fmt.Errorf("ndjson line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("ndjson line %d: %w", line+1, err)
	}
	return nil
}

// resourceType reads the top-level resourceType of a JSON body quickly:
// most writers put it first, so a decoder that stops at it is cheap.
func resourceType(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		if k == "resourceType" {
			v, err := dec.Token()
			if s, ok := v.(string); ok && err == nil {
				return s
			}
			return ""
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}

var (
	_ view.Source = StoreSource{}
	_ view.Source = Resources(nil)
	_ view.Source = NDJSON{}
)
