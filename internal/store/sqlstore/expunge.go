package sqlstore

import (
	"context"
	"fmt"

	"github.com/sen-emr/sen/internal/fhir"
)

// Expunge physically removes typ/id: every version (deletes included), the
// resources row, and every index and compartment row, in one database
// transaction, so that nothing of it can be read again, not even its
// history, and the id can be created afresh at version 1. Removing an
// absent resource is not an error. An invalid id is KindInvalid.
//
// It is not part of store.Store: the retention purge (record.Expunger) is
// its only caller, and it bypasses every guard a served store has. On
// PostgreSQL the resources row is locked first, so a concurrent write of
// the same resource waits for the removal and then starts a new version 1.
func (e *Engine) Expunge(ctx context.Context, typ, id string) error {
	if typ == "" || !fhir.ValidID(id) {
		return fhir.Errorf(fhir.KindInvalid, "invalid resource identity %q/%q", typ, id)
	}
	return e.b.InTx(ctx, func(q Querier) error {
		cur, found, err := e.lookup(ctx, q, typ, id)
		if err != nil {
			return fmt.Errorf("expunge %s/%s: look up: %w", typ, id, err)
		}
		if !found {
			return nil
		}
		// Every index table, not only those the kinds bits name: a bulk
		// load or an older version may have left rows the bits no longer
		// cover, and a purge must leave nothing behind.
		stmts := make([]Stmt, 0, len(indexTables)+3)
		for _, t := range indexTables {
			stmts = append(stmts, Stmt{"DELETE FROM " + t.name + " WHERE rid = " + e.d.placeholder(1), []any{cur.rid}})
		}
		stmts = append(stmts,
			Stmt{"DELETE FROM compartments WHERE rid = " + e.d.placeholder(1), []any{cur.rid}},
			Stmt{"DELETE FROM versions WHERE rid = " + e.d.placeholder(1), []any{cur.rid}},
			Stmt{"DELETE FROM resources WHERE rid = " + e.d.placeholder(1), []any{cur.rid}},
		)
		if err := q.ExecBatch(ctx, stmts); err != nil {
			return fmt.Errorf("expunge %s/%s: %w", typ, id, err)
		}
		return nil
	})
}
