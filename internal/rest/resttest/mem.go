package resttest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// MemStore is a small in-memory store.Store double for handler tests:
// whole-store copy-on-write transactions, search by _id and identifier
// tokens only. It honours the contract's version, If-Match and create-only
// rules. Not for production: every write copies the index map.
type MemStore struct {
	mu   sync.Mutex
	data *memData
	now  func() time.Time
}

type memData struct {
	versions map[string][]*memVersion // "Type/id" → versions, oldest first
	order    []*memVersion            // all versions in write order
}

type memVersion struct {
	res *fhir.Resource
	ix  search.Indexed
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{data: &memData{versions: map[string][]*memVersion{}}, now: time.Now}
}

func (d *memData) clone() *memData {
	c := &memData{versions: make(map[string][]*memVersion, len(d.versions)), order: append([]*memVersion(nil), d.order...)}
	for k, v := range d.versions {
		c.versions[k] = append([]*memVersion(nil), v...)
	}
	return c
}

func (m *MemStore) snapshot() *memData { m.mu.Lock(); defer m.mu.Unlock(); return m.data }

func (m *MemStore) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	return memRead(m.snapshot(), typ, id)
}
func (m *MemStore) VRead(ctx context.Context, typ, id string, v int64) (*fhir.Resource, error) {
	return memVRead(m.snapshot(), typ, id, v)
}
func (m *MemStore) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	return memHistory(m.snapshot(), q)
}
func (m *MemStore) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	return memSearch(m.snapshot(), q)
}
func (m *MemStore) Close() error { return nil }

func (m *MemStore) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTx{d: m.data.clone(), now: m.now}
	if err := fn(tx); err != nil {
		return err
	}
	m.data = tx.d
	return nil
}

type memTx struct {
	d   *memData
	now func() time.Time
}

func (t *memTx) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	return memRead(t.d, typ, id)
}
func (t *memTx) VRead(ctx context.Context, typ, id string, v int64) (*fhir.Resource, error) {
	return memVRead(t.d, typ, id, v)
}
func (t *memTx) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	return memHistory(t.d, q)
}
func (t *memTx) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	return memSearch(t.d, q)
}

func (t *memTx) Put(ctx context.Context, w store.Write) (*fhir.Resource, error) {
	key := w.Type + "/" + w.ID
	vs := t.d.versions[key]
	var cur *fhir.Resource
	if len(vs) > 0 {
		cur = vs[len(vs)-1].res
	}
	if w.CreateOnly && cur != nil && !cur.Deleted {
		return nil, fhir.Errorf(fhir.KindConflict, "%s exists", key)
	}
	if w.IfMatch > 0 && (cur == nil || cur.VersionID != w.IfMatch) {
		return nil, fhir.Errorf(fhir.KindPrecondition, "%s: version mismatch", key)
	}
	v := int64(1)
	if cur != nil {
		v = cur.VersionID + 1
	}
	now := t.now().UTC()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(w.JSON, &obj); err != nil {
		return nil, fmt.Errorf("memstore: %w", err)
	}
	meta, _ := json.Marshal(map[string]string{"versionId": fmt.Sprint(v), "lastUpdated": now.Format(time.RFC3339Nano)})
	obj["meta"] = meta
	body, _ := json.Marshal(obj)
	res := &fhir.Resource{Type: w.Type, ID: w.ID, VersionID: v, LastUpdated: now, JSON: body}
	mv := &memVersion{res: res, ix: w.Index}
	t.d.versions[key] = append(vs, mv)
	t.d.order = append(t.d.order, mv)
	return res, nil
}

func (t *memTx) Delete(ctx context.Context, typ, id string, ifMatch int64) (*fhir.Resource, error) {
	key := typ + "/" + id
	vs := t.d.versions[key]
	if len(vs) == 0 || vs[len(vs)-1].res.Deleted {
		return nil, nil
	}
	cur := vs[len(vs)-1].res
	if ifMatch > 0 && ifMatch != cur.VersionID {
		return nil, fhir.Errorf(fhir.KindPrecondition, "%s: version mismatch", key)
	}
	res := &fhir.Resource{Type: typ, ID: id, VersionID: cur.VersionID + 1, LastUpdated: t.now().UTC(), Deleted: true}
	mv := &memVersion{res: res}
	t.d.versions[key] = append(vs, mv)
	t.d.order = append(t.d.order, mv)
	return res, nil
}

func memRead(d *memData, typ, id string) (*fhir.Resource, error) {
	vs := d.versions[typ+"/"+id]
	if len(vs) == 0 {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s not found", typ, id)
	}
	cur := vs[len(vs)-1].res
	if cur.Deleted {
		return cur, fhir.Errorf(fhir.KindGone, "%s/%s deleted", typ, id)
	}
	return cur, nil
}

func memVRead(d *memData, typ, id string, v int64) (*fhir.Resource, error) {
	vs := d.versions[typ+"/"+id]
	if v < 1 || int(v) > len(vs) {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s/_history/%d not found", typ, id, v)
	}
	return vs[v-1].res, nil
}

func memHistory(d *memData, q store.HistoryQuery) (*store.Page, error) {
	var out []*fhir.Resource
	for i := len(d.order) - 1; i >= 0; i-- {
		r := d.order[i].res
		if (q.Type != "" && r.Type != q.Type) || (q.ID != "" && r.ID != q.ID) || (!q.Since.IsZero() && r.LastUpdated.Before(q.Since)) {
			continue
		}
		out = append(out, r)
	}
	return page(out, q.Count, q.Cursor), nil
}

func memSearch(d *memData, q *search.Query) (*store.Page, error) {
	var out []*fhir.Resource
	keys := make([]string, 0, len(d.versions))
	for k := range d.versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := d.versions[k]
		cur := vs[len(vs)-1]
		if cur.res.Deleted || (q.Type != "" && cur.res.Type != q.Type) {
			continue
		}
		if memMatches(cur, q) {
			out = append(out, cur.res)
		}
	}
	return page(out, q.Count, q.Cursor), nil
}

func memMatches(v *memVersion, q *search.Query) bool {
	for _, c := range q.Clauses {
		ok := false
		for _, val := range c.Values {
			if c.Param == "_id" {
				ok = ok || v.res.ID == val.Raw
				continue
			}
			for _, e := range v.ix.Entries {
				if e.Param == c.Param && e.Code == val.Code && (!val.HasSystem || e.System == val.System) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func page(all []*fhir.Resource, count int, cursor string) *store.Page {
	if count <= 0 {
		count = 50
	}
	start := 0
	fmt.Sscan(cursor, &start)
	p := &store.Page{Total: len(all)}
	end := min(start+count, len(all))
	if start < len(all) {
		p.Resources = all[start:end]
	}
	if end < len(all) {
		p.Next = fmt.Sprint(end)
	}
	if start > 0 {
		p.Prev = fmt.Sprint(max(0, start-count))
	}
	return p
}

// IdentifierIndexer indexes top-level identifier tokens only: enough for
// conditional references by identifier.
type IdentifierIndexer struct{}

// Index returns one token entry per top-level identifier.
func (IdentifierIndexer) Index(typ string, body []byte) (search.Indexed, error) {
	var r struct {
		Identifier []struct{ System, Value string } `json:"identifier"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return search.Indexed{}, err
	}
	var ix search.Indexed
	for _, id := range r.Identifier {
		ix.Entries = append(ix.Entries, search.Entry{Param: "identifier", Type: search.TypeToken, System: id.System, Code: id.Value})
	}
	return ix, nil
}

// ParseIdentifierQuery parses _id, identifier (token), _count and
// _summary; other parameters are warnings, or errors in strict mode. It
// pairs with IdentifierIndexer and MemStore.
func ParseIdentifierQuery(typ string, params url.Values, strict bool) (*search.Query, error) {
	q := &search.Query{Type: typ}
	for k, vs := range params {
		for _, v := range vs {
			switch k {
			case "_count":
				fmt.Sscan(v, &q.Count)
			case "_summary":
				q.Summary = v
			case "_elements":
			case "_id":
				q.Clauses = append(q.Clauses, search.Clause{Param: k, Values: []search.Value{{Raw: v}}})
			case "identifier":
				val := search.Value{Raw: v, Code: v}
				if sys, code, ok := strings.Cut(v, "|"); ok {
					val.System, val.Code, val.HasSystem = sys, code, true
				}
				q.Clauses = append(q.Clauses, search.Clause{Param: k, Type: search.TypeToken, Values: []search.Value{val}})
			default:
				if strict {
					return nil, fhir.Errorf(fhir.KindInvalid, "unknown search parameter %s", k)
				}
				q.Warnings = append(q.Warnings, "unknown search parameter "+k+" ignored")
			}
		}
	}
	return q, nil
}

var _ store.Store = (*MemStore)(nil)
