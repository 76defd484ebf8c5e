package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/store/sqlstore"
)

// defaultBulkMaxResources is the largest database a bulk load still starts by
// setting the search indexes aside. Building an index once over sorted
// keys costs a fraction of inserting the same keys one by one into a
// B-tree bigger than the page cache (docs/benchmarks.md §2), but rebuilding
// the indexes of a large database for a small load would cost more than
// it saves.
const defaultBulkMaxResources = 10000

// deferrable are the secondary indexes a bulk load may set aside: every
// index except the unique ones the writes themselves rely on
// (resources_type_id for ON CONFLICT, versions_rid_version for version
// order) and the primary keys.
var deferrable = []string{
	"resources_type", "versions_type", "compartments_rid",
	"idx_token_search", "idx_string_search", "idx_reference_search", "idx_date_search",
	"idx_number_search", "idx_quantity_search", "idx_quantity_canon", "idx_uri_search",
	"idx_composite_search",
}

// BeginBulk prepares a large load. On a database with at most
// Options.BulkMaxResources resources it records and drops the secondary search
// indexes in one transaction; finish builds them again (and must be called
// however the load ends). Searches stay correct meanwhile, only slower. If
// the process dies before finish, the next Open builds them. On a larger
// database BeginBulk changes nothing and finish is a no-op.
//
// Whatever the size, the load also defers WAL checkpoints to its end: an
// automatic checkpoint every thousand pages copies the same hot pages back
// to the database file and waits for the disk again and again (a third of
// an import's wall time was such waiting). finish checkpoints once.
func (db *DB) BeginBulk(ctx context.Context) (finish func(context.Context) error, err error) {
	if err := db.w.pragma(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		return nil, fmt.Errorf("sqlite: bulk load: %w", err)
	}
	checkpoint := func(ctx context.Context) error {
		err := db.w.pragma(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		if rerr := db.w.pragma(ctx, "PRAGMA wal_autocheckpoint = 1000"); err == nil {
			err = rerr
		}
		return err
	}
	var n int64
	if err := db.reader.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM resources LIMIT ?)", db.bulkMax+1).Scan(&n); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: bulk load: count resources: %w", err), checkpoint(ctx))
	}
	if n > int64(db.bulkMax) {
		return checkpoint, nil
	}
	err = db.w.inTx(ctx, func(q sqlstore.Querier) error {
		defs, err := strings2(ctx, q, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ('"+strings.Join(deferrable, "', '")+"')")
		if err != nil {
			return err
		}
		for _, d := range defs {
			// An index already set aside by an interrupted load has no row
			// in sqlite_master and keeps its deferred_indexes row.
			if err := q.Exec(ctx, "INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)", d[0], d[1]); err != nil {
				return err
			}
			if err := q.Exec(ctx, "DROP INDEX "+d[0]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: bulk load: set indexes aside: %w", err), checkpoint(ctx))
	}
	return func(ctx context.Context) error {
		return errors.Join(db.buildDeferred(ctx), checkpoint(ctx))
	}, nil
}

// buildDeferred creates the indexes a bulk load set aside, in one
// transaction, and forgets them.
func (db *DB) buildDeferred(ctx context.Context) error {
	err := db.w.inTx(ctx, func(q sqlstore.Querier) error {
		defs, err := strings2(ctx, q, "SELECT name, sql FROM deferred_indexes ORDER BY name")
		if err != nil {
			return err
		}
		for _, d := range defs {
			create := strings.Replace(d[1], "CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
			if err := q.Exec(ctx, create); err != nil {
				return fmt.Errorf("%s: %w", d[0], err)
			}
		}
		return q.Exec(ctx, "DELETE FROM deferred_indexes")
	})
	if err != nil {
		return fmt.Errorf("sqlite: build search indexes: %w", err)
	}
	return nil
}

// strings2 reads a two-column text result.
func strings2(ctx context.Context, q sqlstore.Querier, query string) ([][2]string, error) {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var r [2]string
		if err := rows.Scan(&r[0], &r[1]); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
