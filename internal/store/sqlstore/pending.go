package sqlstore

import (
	"context"
	"fmt"
)

// pending holds the index and compartment rows of a transaction's writes
// until the transaction needs them: one multi-row INSERT per table for all
// resources of a bundle costs far fewer statements than one per resource
// and table (docs/scaling.md). Rows are flushed before a search in the
// transaction, before the rows of a resource already pending are replaced,
// and before commit.
type pending struct {
	rows  [][][]any // per indexTables position: full rows (rid, n, type, pkey, param, cols…)
	comps [][]any   // (patient, rid)
	rids  map[int64]bool
	n     int
}

// add queues the index rows and compartments of rid.
func (p *pending) add(rid int64, typ, pkey string, rows *indexRows, patients []string) {
	if p.rows == nil {
		p.rows = make([][][]any, len(indexTables))
		p.rids = map[int64]bool{}
	}
	for i, t := range indexTables {
		for n, r := range rows.rows[t.name] {
			full := make([]any, 0, 5+len(t.cols))
			full = append(full, rid, int64(n), typ, pkey)
			p.rows[i] = append(p.rows[i], append(full, r...))
			p.n++
		}
	}
	for _, pt := range dedupe(patients) {
		p.comps = append(p.comps, []any{pt, rid})
		p.n++
	}
	p.rids[rid] = true
}

// has reports whether rid has rows waiting.
func (p *pending) has(rid int64) bool { return p.rids[rid] }

// Copier is an optional Querier capability for bulk loads (PostgreSQL COPY).
type Copier interface {
	CopyRows(ctx context.Context, table string, cols []string, rows [][]any) error
}

// copyMin is the fewest rows of one table worth a COPY instead of
// multi-row INSERTs.
const copyMin = 256

// flush writes the waiting rows and empties the buffer.
func (e *Engine) flush(ctx context.Context, q Querier, p *pending) error {
	if p.n == 0 {
		return nil
	}
	var stmts []Stmt
	cp, canCopy := q.(Copier)
	for i, t := range indexTables {
		rs := p.rows[i]
		if canCopy && len(rs) >= copyMin {
			if err := cp.CopyRows(ctx, t.name, e.insertCols[t.name], rs); err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			continue
		}
		for len(rs) > 0 {
			size := min(len(rs), maxInsertRows)
			args := make([]any, 0, size*(5+len(t.cols)))
			for _, r := range rs[:size] {
				args = append(args, r...)
			}
			stmts = append(stmts, Stmt{e.inserts[t.name][size], args})
			rs = rs[size:]
		}
	}
	for cs := p.comps; len(cs) > 0; {
		size := min(len(cs), maxInsertRows)
		b := newBuilder(e.d)
		b.sql("INSERT INTO compartments (patient, rid) VALUES ")
		for j, c := range cs[:size] {
			if j > 0 {
				b.sql(", ")
			}
			b.list(c...)
		}
		stmts = append(stmts, Stmt{b.String(), b.args})
		cs = cs[size:]
	}
	*p = pending{}
	if len(stmts) == 0 {
		return nil
	}
	if err := q.ExecBatch(ctx, stmts); err != nil {
		return fmt.Errorf("write index rows: %w", err)
	}
	return nil
}
