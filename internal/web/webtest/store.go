package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Store is an in-memory store.Store. Transactions hold one lock: writers
// are serialised and readers wait for them, which is plenty for tests.
type Store struct {
	mu   sync.RWMutex
	cur  map[string]*version // "Type/id" -> current version
	hist map[string]int64    // "Type/id" -> last version number
	now  func() time.Time
}

type version struct {
	res *fhir.Resource
	ix  search.Indexed
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{cur: map[string]*version{}, hist: map[string]int64{}, now: time.Now}
}

// Read implements store.Reader.
func (s *Store) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.read(typ, id)
}

func (s *Store) read(typ, id string) (*fhir.Resource, error) {
	v := s.cur[typ+"/"+id]
	if v == nil {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s not found", typ, id)
	}
	if v.res.Deleted {
		return v.res, fhir.Errorf(fhir.KindGone, "%s/%s deleted", typ, id)
	}
	return v.res, nil
}

// VRead returns the current version only (tests do not need history).
func (s *Store) VRead(ctx context.Context, typ, id string, ver int64) (*fhir.Resource, error) {
	r, err := s.Read(ctx, typ, id)
	if err != nil || r.VersionID != ver {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s/_history/%d not found", typ, id, ver)
	}
	return r, nil
}

// History is not supported.
func (s *Store) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	return nil, fhir.Errorf(fhir.KindUnsupported, "webtest.Store: no history")
}

// Search implements store.Reader for clauses on token, string, reference
// and date parameters and _id; other clauses match nothing. Results are in
// id order; _sort is ignored; Count limits the page.
func (s *Store) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.search(q), nil
}

func (s *Store) search(q *search.Query) *store.Page {
	var out []*fhir.Resource
	prefix := q.Type + "/"
	keys := make([]string, 0)
	for k, v := range s.cur {
		if strings.HasPrefix(k, prefix) && !v.res.Deleted {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := s.cur[k]
		if matches(v, q.Clauses) {
			out = append(out, v.res)
		}
	}
	total := len(out)
	if q.Count > 0 && len(out) > q.Count {
		out = out[:q.Count]
	}
	return &store.Page{Resources: out, Total: total}
}

func matches(v *version, cs []search.Clause) bool {
	for _, c := range cs {
		if !clauseMatches(v, c) {
			return false
		}
	}
	return true
}

func clauseMatches(v *version, c search.Clause) bool {
	for _, val := range c.Values {
		if c.Param == "_id" {
			if v.res.ID == val.Raw || v.res.ID == val.Code {
				return true
			}
			continue
		}
		for _, e := range v.ix.Entries {
			if e.Param == c.Param && valueMatches(e, val) {
				return true
			}
		}
	}
	return false
}

func valueMatches(e search.Entry, v search.Value) bool {
	switch e.Type {
	case search.TypeToken:
		if v.HasSystem && e.System != v.System {
			return false
		}
		return v.Code == "" || e.Code == v.Code
	case search.TypeString:
		return strings.HasPrefix(e.Norm, v.Norm)
	case search.TypeReference:
		if v.RefURL != "" {
			return e.RefURL == v.RefURL
		}
		return e.RefID == v.RefID && (v.RefType == "" || e.RefType == v.RefType)
	case search.TypeDate:
		if v.Low.IsZero() && v.High.IsZero() {
			return false
		}
		switch v.Prefix {
		case "ge", "gt", "sa":
			return !e.High.Before(v.Low)
		case "le", "lt", "eb":
			return !e.Low.After(v.High)
		}
		return !e.Low.Before(v.Low) && !e.High.After(v.High)
	}
	return false
}

// Close does nothing.
func (s *Store) Close() error { return nil }

// Update runs fn with the store locked; writes apply only if fn succeeds.
func (s *Store) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &tx{s: s, writes: map[string]*version{}, nums: map[string]int64{}}
	if err := fn(tx); err != nil {
		return err
	}
	for k, v := range tx.writes {
		s.cur[k] = v
		s.hist[k] = tx.nums[k]
	}
	return nil
}

type tx struct {
	s      *Store
	writes map[string]*version
	nums   map[string]int64
}

func (t *tx) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	if v, ok := t.writes[typ+"/"+id]; ok {
		if v.res.Deleted {
			return v.res, fhir.Errorf(fhir.KindGone, "%s/%s deleted", typ, id)
		}
		return v.res, nil
	}
	return t.s.read(typ, id)
}

func (t *tx) VRead(ctx context.Context, typ, id string, ver int64) (*fhir.Resource, error) {
	r, err := t.Read(ctx, typ, id)
	if err != nil || r.VersionID != ver {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s/_history/%d not found", typ, id, ver)
	}
	return r, nil
}

func (t *tx) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	return t.s.History(ctx, q)
}

// Search sees committed data only; the apps never search their own
// uncommitted writes.
func (t *tx) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	return t.s.search(q), nil
}

func (t *tx) Put(ctx context.Context, w store.Write) (*fhir.Resource, error) {
	key := w.Type + "/" + w.ID
	cur, _ := t.Read(ctx, w.Type, w.ID)
	if w.CreateOnly && cur != nil && !cur.Deleted {
		return nil, fhir.Errorf(fhir.KindConflict, "%s exists", key)
	}
	if w.IfMatch > 0 && (cur == nil || cur.VersionID != w.IfMatch) {
		return nil, fhir.Errorf(fhir.KindPrecondition, "%s: version mismatch", key)
	}
	n := t.s.hist[key]
	if m, ok := t.nums[key]; ok {
		n = m
	}
	n++
	now := t.s.now().UTC()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(w.JSON, &obj); err != nil {
		return nil, fmt.Errorf("webtest: %s: %w", key, err)
	}
	meta := map[string]any{}
	if m, ok := obj["meta"]; ok {
		_ = json.Unmarshal(m, &meta)
	}
	meta["versionId"] = strconv.FormatInt(n, 10)
	meta["lastUpdated"] = now.Format(time.RFC3339Nano)
	obj["meta"], _ = json.Marshal(meta)
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("webtest: %s: %w", key, err)
	}
	res := &fhir.Resource{Type: w.Type, ID: w.ID, VersionID: n, LastUpdated: now, JSON: body}
	t.writes[key] = &version{res: res, ix: w.Index}
	t.nums[key] = n
	return res, nil
}

func (t *tx) Delete(ctx context.Context, typ, id string, ifMatch int64) (*fhir.Resource, error) {
	key := typ + "/" + id
	cur, err := t.Read(ctx, typ, id)
	if err != nil {
		return nil, nil
	}
	if ifMatch > 0 && ifMatch != cur.VersionID {
		return nil, fhir.Errorf(fhir.KindPrecondition, "%s: version mismatch", key)
	}
	n := cur.VersionID + 1
	res := &fhir.Resource{Type: typ, ID: id, VersionID: n, LastUpdated: t.s.now().UTC(), Deleted: true}
	t.writes[key] = &version{res: res}
	t.nums[key] = n
	return res, nil
}

var _ store.Store = (*Store)(nil)
