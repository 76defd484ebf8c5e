package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/rawjson"
	"github.com/sen-emr/sen/internal/store"
)

// current is the resources row of a logical resource.
type current struct {
	rid, version, ts, deleted, kinds int64
}

// lookup reads (and on PostgreSQL locks, so concurrent writers of the same
// resource serialise and versions stay gap-free) the resources row.
func (e *Engine) lookup(ctx context.Context, q Querier, typ, id string) (cur current, found bool, err error) {
	b := newBuilder(e.d)
	b.sql("SELECT rid, version, ts, deleted, kinds FROM resources WHERE type = ").arg(typ).sql(" AND id = ").arg(id)
	if e.d.Dollar {
		b.sql(" FOR UPDATE")
	}
	found, err = queryRow(ctx, q, b.String(), b.args, &cur.rid, &cur.version, &cur.ts, &cur.deleted, &cur.kinds)
	return cur, found, err
}

// now returns the write time, truncated to the stored precision and kept
// strictly after the previous version's so versions order by time too.
func (e *Engine) now(prev int64) int64 {
	ts := e.opts.Now().UnixMicro()
	if ts <= prev {
		ts = prev + 1
	}
	return ts
}

func (e *Engine) put(ctx context.Context, q Querier, w store.Write, pend *pending) (*fhir.Resource, error) {
	if w.Type == "" || !fhir.ValidID(w.ID) {
		return nil, fhir.Errorf(fhir.KindInvalid, "invalid resource identity %q/%q", w.Type, w.ID)
	}
	if !json.Valid(w.JSON) {
		return nil, fhir.Errorf(fhir.KindInvalid, "%s/%s: the body is not valid JSON", w.Type, w.ID)
	}
	if err := checkIdentity(w.JSON, w.Type, w.ID); err != nil {
		return nil, err
	}
	rows, err := e.buildRows(w.Type, &w.Index)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: fmt.Sprintf("%s/%s: bad index entries", w.Type, w.ID), Err: err}
	}
	pkey := ""
	if len(w.Index.Patients) > 0 {
		pkey = w.Index.Patients[0]
		rows.bits |= bitCompartment
	}

	var cur current
	var found, created bool
	var createdTS int64
	insert := func() (bool, error) {
		ts := e.now(0)
		b := newBuilder(e.d)
		b.sql("INSERT INTO resources (type, id, version, ts, deleted, kinds, pkey) VALUES ").
			list(w.Type, w.ID, int64(1), ts, int64(0), rows.bits, pkey).sql(" ON CONFLICT (type, id) DO NOTHING RETURNING rid")
		ok, err := queryRow(ctx, q, b.String(), b.args, &cur.rid)
		if err != nil {
			return false, fmt.Errorf("put %s/%s: insert resource: %w", w.Type, w.ID, err)
		}
		if ok {
			created, createdTS = true, ts
		}
		return ok, nil
	}
	var firstBody []byte // version 1's body when the create wrote it already
	switch {
	case w.IfMatch == 0 && e.d.Dollar:
		// PostgreSQL: the resources row and version 1 in one statement,
		// one round trip per created resource instead of two.
		ts := e.now(0)
		body, err := setMeta(w.JSON, 1, micros(ts))
		if err != nil {
			return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: fmt.Sprintf("%s/%s: malformed resource", w.Type, w.ID), Err: err}
		}
		b := newBuilder(e.d)
		b.sql("WITH r AS (INSERT INTO resources (type, id, version, ts, deleted, kinds, pkey) VALUES ").
			list(w.Type, w.ID, int64(1), ts, int64(0), rows.bits, pkey).
			sql(" ON CONFLICT (type, id) DO NOTHING RETURNING rid)").
			sql(" INSERT INTO versions (rid, type, id, version, ts, deleted, pkey, json) SELECT rid, ").
			arg(w.Type).sql("::text, ").arg(w.ID).sql("::text, 1, ").arg(ts).sql("::bigint, 0, ").arg(pkey).sql("::text, ").arg(body).
			sql("::bytea FROM r RETURNING rid")
		ok, err := queryRow(ctx, q, b.String(), b.args, &cur.rid)
		if err != nil {
			return nil, fmt.Errorf("put %s/%s: insert resource: %w", w.Type, w.ID, err)
		}
		if ok {
			created, createdTS, firstBody = true, ts, body
		}
	case w.IfMatch == 0:
		// Most writes without If-Match create (POST's fresh ids, bulk
		// loads): try the insert first and skip the look-up when it works.
		if _, err := insert(); err != nil {
			return nil, err
		}
	}
	for attempt := 0; !created; attempt++ {
		cur, found, err = e.lookup(ctx, q, w.Type, w.ID)
		if err != nil {
			return nil, fmt.Errorf("put %s/%s: look up current version: %w", w.Type, w.ID, err)
		}
		live := found && cur.deleted == 0
		if w.IfMatch > 0 && (!found || cur.version != w.IfMatch) {
			return nil, fhir.Errorf(fhir.KindPrecondition, "%s/%s: version %d does not match the current version", w.Type, w.ID, w.IfMatch)
		}
		if w.CreateOnly && live {
			return nil, fhir.Errorf(fhir.KindConflict, "%s/%s already exists", w.Type, w.ID)
		}
		if found {
			break
		}
		// New resource: insert its row with version 1. A concurrent creator
		// of the same id makes this insert a no-op; then look up (and wait
		// for) its row.
		if ok, err := insert(); err != nil || ok {
			if err != nil {
				return nil, err
			}
			break
		}
		if attempt > 3 {
			return nil, fhir.Errorf(fhir.KindConflict, "%s/%s is being created concurrently", w.Type, w.ID)
		}
	}

	version := cur.version + 1
	ts := createdTS
	if !created {
		ts = e.now(cur.ts)
	}
	if firstBody != nil {
		pend.add(cur.rid, w.Type, pkey, rows, w.Index.Patients)
		return &fhir.Resource{Type: w.Type, ID: w.ID, VersionID: 1, LastUpdated: micros(ts), JSON: firstBody}, nil
	}
	body, err := setMeta(w.JSON, version, micros(ts))
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: fmt.Sprintf("%s/%s: malformed resource", w.Type, w.ID), Err: err}
	}
	if !created && pend.has(cur.rid) {
		// The rows about to be replaced are still waiting: write them first.
		if err := e.flush(ctx, q, pend); err != nil {
			return nil, fmt.Errorf("put %s/%s: %w", w.Type, w.ID, err)
		}
	}
	stmts := make([]Stmt, 0, 16)
	stmts = append(stmts, e.versionInsert(cur.rid, w.Type, w.ID, version, ts, 0, pkey, body))
	if !created {
		stmts = append(stmts, e.resourceUpdate(cur.rid, version, ts, 0, rows.bits, pkey))
		stmts = e.deleteIndex(stmts, cur.rid, cur.kinds)
	}
	if err := q.ExecBatch(ctx, stmts); err != nil {
		return nil, fmt.Errorf("put %s/%s version %d: %w", w.Type, w.ID, version, err)
	}
	pend.add(cur.rid, w.Type, pkey, rows, w.Index.Patients)
	return &fhir.Resource{Type: w.Type, ID: w.ID, VersionID: version, LastUpdated: micros(ts), JSON: body}, nil
}

func (e *Engine) delete(ctx context.Context, q Querier, typ, id string, ifMatch int64, pend *pending) (*fhir.Resource, error) {
	cur, found, err := e.lookup(ctx, q, typ, id)
	if err != nil {
		return nil, fmt.Errorf("delete %s/%s: look up current version: %w", typ, id, err)
	}
	if ifMatch > 0 && (!found || cur.version != ifMatch) {
		return nil, fhir.Errorf(fhir.KindPrecondition, "%s/%s: version %d does not match the current version", typ, id, ifMatch)
	}
	if !found || cur.deleted != 0 {
		return nil, nil
	}
	version := cur.version + 1
	ts := e.now(cur.ts)
	var pkey string
	b := newBuilder(e.d)
	b.sql("SELECT pkey FROM resources WHERE rid = ").arg(cur.rid)
	if _, err := queryRow(ctx, q, b.String(), b.args, &pkey); err != nil {
		return nil, fmt.Errorf("delete %s/%s: %w", typ, id, err)
	}
	if pend.has(cur.rid) {
		if err := e.flush(ctx, q, pend); err != nil {
			return nil, fmt.Errorf("delete %s/%s: %w", typ, id, err)
		}
	}
	stmts := []Stmt{
		e.versionInsert(cur.rid, typ, id, version, ts, 1, pkey, nil),
		e.resourceUpdate(cur.rid, version, ts, 1, 0, pkey),
	}
	stmts = e.deleteIndex(stmts, cur.rid, cur.kinds)
	if err := q.ExecBatch(ctx, stmts); err != nil {
		return nil, fmt.Errorf("delete %s/%s version %d: %w", typ, id, version, err)
	}
	return &fhir.Resource{Type: typ, ID: id, VersionID: version, LastUpdated: micros(ts), Deleted: true}, nil
}

func (e *Engine) versionInsert(rid int64, typ, id string, version, ts, deleted int64, pkey string, body []byte) Stmt {
	b := newBuilder(e.d)
	var j any = body
	if body == nil {
		j = nil
	}
	b.sql("INSERT INTO versions (rid, type, id, version, ts, deleted, pkey, json) VALUES ").
		list(rid, typ, id, version, ts, deleted, pkey, j)
	return Stmt{b.String(), b.args}
}

func (e *Engine) resourceUpdate(rid, version, ts, deleted, kinds int64, pkey string) Stmt {
	b := newBuilder(e.d)
	b.sql("UPDATE resources SET version = ").arg(version).sql(", ts = ").arg(ts).
		sql(", deleted = ").arg(deleted).sql(", kinds = ").arg(kinds).sql(", pkey = ").arg(pkey).
		sql(" WHERE rid = ").arg(rid)
	return Stmt{b.String(), b.args}
}

// deleteIndex appends the deletes of rid's index rows, only from the tables
// its kinds bit set says hold any.
func (e *Engine) deleteIndex(stmts []Stmt, rid, kinds int64) []Stmt {
	for _, t := range indexTables {
		if kinds&t.bit != 0 {
			stmts = append(stmts, Stmt{"DELETE FROM " + t.name + " WHERE rid = " + e.d.placeholder(1), []any{rid}})
		}
	}
	if kinds&bitCompartment != 0 {
		stmts = append(stmts, Stmt{"DELETE FROM compartments WHERE rid = " + e.d.placeholder(1), []any{rid}})
	}
	return stmts
}

func dedupe(ss []string) []string {
	if len(ss) < 2 {
		return ss
	}
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] && s != "" {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// checkIdentity verifies that the body's resourceType and id (when given)
// are the ones being written.
func checkIdentity(body []byte, typ, id string) error {
	start := rawjson.SkipWS(body, 0)
	if start >= len(body) || body[start] != '{' {
		return fhir.Errorf(fhir.KindInvalid, "%s/%s: the body is not a JSON object", typ, id)
	}
	ms, err := rawjson.Members(body, start)
	if err != nil {
		return &fhir.Error{Kind: fhir.KindInvalid, Msg: fmt.Sprintf("%s/%s: malformed resource", typ, id), Err: err}
	}
	for _, m := range ms {
		var s string
		switch m.Key {
		case "resourceType":
			if json.Unmarshal(body[m.Start:m.End], &s) != nil || s != typ {
				return fhir.Errorf(fhir.KindInvalid, "the body's resourceType is not %s", typ).At("resourceType")
			}
		case "id":
			if json.Unmarshal(body[m.Start:m.End], &s) != nil || s != id {
				return fhir.Errorf(fhir.KindInvalid, "the body's id is not %s", id).At("id")
			}
		}
	}
	return nil
}
