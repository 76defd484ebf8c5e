package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// ScanType streams the bodies of the current, non-deleted versions of typ
// in one query, in creation order, without Search's paging, sorting and
// counting (viewrun.TypeScanner: SQL-on-FHIR views over a whole type). The
// body passed to fn is only valid during the call.
func (e *Engine) ScanType(ctx context.Context, typ string, fn func(body []byte) error) error {
	if typ == "" {
		return fmt.Errorf("scan: empty resource type")
	}
	b := newBuilder(e.d)
	b.sql("SELECT v.json FROM resources r JOIN versions v ON v.rid = r.rid AND v.version = r.version WHERE r.type = ").
		arg(typ).sql(" AND r.deleted = 0 ORDER BY r.rid")
	rows, err := e.b.Reader().Query(ctx, b.String(), b.args...)
	if err != nil {
		return fmt.Errorf("scan %s: %w", typ, err)
	}
	defer rows.Close()
	// database/sql can lend the driver's buffer (no copy per row); pgx
	// scans into a []byte it reuses only when given one, so copy there.
	var raw sql.RawBytes
	var body []byte
	dest := any(&body)
	if !e.d.Dollar {
		dest = &raw
	}
	for rows.Next() {
		if err := rows.Scan(dest); err != nil {
			return fmt.Errorf("scan %s: %w", typ, err)
		}
		if !e.d.Dollar {
			body = raw
		}
		if err := fn(body); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan %s: %w", typ, err)
	}
	return nil
}
