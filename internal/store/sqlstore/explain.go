package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/search"
)

// Explain returns the database's plans for the statements a search runs:
// the bounded counts that choose its driving clause (drive.go), the query
// that counts its matches, and the query of its first page, each headed by
// a line "-- what", then one line per plan row. Tests use it to prove that
// indexed parameters are answered from indexes, never by scanning a whole
// table; operators can use it to understand a slow query.
func (e *Engine) Explain(ctx context.Context, sq *search.Query) (string, error) {
	if sq == nil {
		return "", fmt.Errorf("explain: no search query")
	}
	types := sq.Types
	if sq.Type != "" {
		types = []string{sq.Type}
	}
	q := e.b.Reader()
	pl, err := e.plan(ctx, q, sq, types)
	if err != nil {
		return "", err
	}
	where := func(b *builder) error { return e.where(b, sq, types) }
	if pl.compartment {
		where = func(b *builder) error { return e.filter(b, sq, types, nil, true) }
	}
	var out []string
	add := func(what string, b *builder) error {
		plan, err := e.explain(ctx, q, b)
		if err != nil {
			return err
		}
		out = append(out, "-- "+what, plan)
		return nil
	}
	if pl.compartment {
		if err := add("plan: compartment rows", e.estimateSQL(sq, planCap)); err != nil {
			return "", err
		}
	}
	if pl.clause >= 0 {
		b, err := e.estimateSQLClause(sq, types, pl.clause, planCap)
		if err != nil {
			return "", err
		}
		if err := add("plan: rows of the driving clause "+sq.Clauses[pl.clause].Param, b); err != nil {
			return "", err
		}
	}
	b, err := e.countSQL(sq, types, where, pl, false)
	if err != nil {
		return "", err
	}
	if err := add("count", b); err != nil {
		return "", err
	}
	keys, err := e.sortKeys(sq.Sort, types)
	if err != nil {
		return "", err
	}
	b, err = e.pageSQL(sq, types, where, pl, keys, &cursor{Asof: 1 << 62}, false, e.pageSize(sq.Count))
	if err != nil {
		return "", err
	}
	if err := add("first page", b); err != nil {
		return "", err
	}
	return strings.Join(out, "\n"), nil
}

// explain returns the plan of one statement, one line per plan row.
func (e *Engine) explain(ctx context.Context, q Querier, b *builder) (string, error) {
	prefix := "EXPLAIN QUERY PLAN "
	if e.d.Dollar {
		prefix = "EXPLAIN "
	}
	rows, err := q.Query(ctx, prefix+b.String(), b.args...)
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
