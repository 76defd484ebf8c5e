package sqlstore

import (
	"context"
	"fmt"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// history lists versions newest first (store.Reader.History). Paging is a
// keyset on the global write sequence, bounded by the newest seq at the
// first page so that concurrent writes do not shift later pages.
func (e *Engine) history(ctx context.Context, q Querier, hq store.HistoryQuery) (*store.Page, error) {
	if hq.ID != "" && hq.Type == "" {
		return nil, fhir.Errorf(fhir.KindInvalid, "instance history needs a resource type")
	}
	count := e.pageSize(hq.Count)
	fp := fingerprint("history", hq.Type, hq.ID, hq.Since.UnixMicro(), hq.At.UnixMicro())
	var cur *cursor
	if hq.Cursor != "" {
		var err error
		if cur, err = decodeCursor(hq.Cursor, fp); err != nil {
			return nil, err
		}
	}

	where := func(b *builder) {
		b.sql(" WHERE 1=1")
		if hq.ID != "" {
			b.sql(" AND v.rid = (SELECT rid FROM resources WHERE type = ").arg(hq.Type).sql(" AND id = ").arg(hq.ID).sql(")")
		} else if hq.Type != "" {
			b.sql(" AND v.type = ").arg(hq.Type)
		}
		if !hq.Since.IsZero() {
			b.sql(" AND v.ts >= ").arg(hq.Since.UnixMicro())
		}
		if !hq.At.IsZero() {
			at := hq.At.UnixMicro()
			b.sql(" AND v.ts <= ").arg(at).
				sql(" AND NOT EXISTS (SELECT 1 FROM versions w WHERE w.rid = v.rid AND w.version > v.version AND w.ts <= ").arg(at).sql(")")
		}
	}

	if cur == nil {
		cur = &cursor{FP: fp}
		b := newBuilder(e.d)
		b.sql("SELECT COUNT(*), COALESCE(MAX(v.seq), 0) FROM versions v")
		where(b)
		var total int64
		if _, err := queryRow(ctx, q, b.String(), b.args, &total, &cur.MaxSeq); err != nil {
			return nil, fmt.Errorf("history count: %w", err)
		}
		cur.Total = int(total)
		if hq.ID != "" && total == 0 && hq.Since.IsZero() && hq.At.IsZero() {
			return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s is not known", hq.Type, hq.ID)
		}
	}

	b := newBuilder(e.d)
	b.sql("SELECT v.seq, v.type, v.id, v.version, v.ts, v.deleted, v.json FROM versions v")
	where(b)
	b.sql(" AND v.seq <= ").arg(cur.MaxSeq)
	backward := cur.Back
	switch {
	case cur.Seq == 0:
	case backward:
		b.sql(" AND v.seq > ").arg(cur.Seq)
	default:
		b.sql(" AND v.seq < ").arg(cur.Seq)
	}
	if backward {
		b.sql(" ORDER BY v.seq ASC")
	} else {
		b.sql(" ORDER BY v.seq DESC")
	}
	b.sql(" LIMIT ").arg(int64(count + 1))
	rows, err := q.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var seqs []int64
	page := &store.Page{Total: cur.Total}
	for rows.Next() {
		r := &fhir.Resource{}
		var seq, ts, deleted int64
		var body []byte
		if err := rows.Scan(&seq, &r.Type, &r.ID, &r.VersionID, &ts, &deleted, &body); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		r.LastUpdated = micros(ts)
		r.Deleted = deleted != 0
		if !r.Deleted {
			r.JSON = body
		}
		seqs = append(seqs, seq)
		page.Resources = append(page.Resources, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	more := len(page.Resources) > count
	if more {
		page.Resources, seqs = page.Resources[:count], seqs[:count]
	}
	if backward {
		reverse(page.Resources)
		reverse(seqs)
	}
	if len(seqs) == 0 {
		return page, nil
	}
	// Next exists when reading forward found more, or always when we came
	// back from a later page; Prev likewise.
	hasNext := (!backward && more) || backward
	hasPrev := (backward && more) || (!backward && cur.Seq != 0)
	if hasNext {
		c := *cur
		c.Seq, c.Back = seqs[len(seqs)-1], false
		page.Next = c.encode()
	}
	if hasPrev {
		c := *cur
		c.Seq, c.Back = seqs[0], true
		page.Prev = c.encode()
	}
	return page, nil
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// pageSize applies the default and the cap to a requested page size.
func (e *Engine) pageSize(n int) int {
	switch {
	case n <= 0:
		return e.opts.DefaultCount
	case n > e.opts.MaxCount:
		return e.opts.MaxCount
	}
	return n
}
