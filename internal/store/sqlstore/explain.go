package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/search"
)

// Explain returns the database's plan for the filter of a search (the
// query that counts its matches), one line per plan row. Tests use it to
// prove that indexed parameters are answered from indexes, never by
// scanning a whole table; operators can use it to understand a slow query.
func (e *Engine) Explain(ctx context.Context, sq *search.Query) (string, error) {
	if sq == nil {
		return "", fmt.Errorf("explain: no search query")
	}
	types := sq.Types
	if sq.Type != "" {
		types = []string{sq.Type}
	}
	b := newBuilder(e.d)
	if e.d.Dollar {
		b.sql("EXPLAIN SELECT COUNT(*) FROM resources r")
	} else {
		b.sql("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM resources r")
	}
	if err := e.where(b, sq, types); err != nil {
		return "", err
	}
	rows, err := e.b.Reader().Query(ctx, b.String(), b.args...)
	if err != nil {
		return "", fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		// SQLite answers (id, parent, notused, detail); PostgreSQL one text column.
		var line string
		var err error
		if e.d.Dollar {
			err = rows.Scan(&line)
		} else {
			var id, parent, notused int64
			err = rows.Scan(&id, &parent, &notused, &line)
		}
		if err != nil {
			return "", fmt.Errorf("explain: %w", err)
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("explain: %w", err)
	}
	return strings.Join(out, "\n"), nil
}
