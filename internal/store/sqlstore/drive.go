package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/search"
)

// Driving a search from one index clause.
//
// where() filters resources r with one "r.rid IN (SELECT … FROM idx_…)"
// semi-join per clause. SQLite evaluates such a subquery by building the
// whole list of its rids first, then probing resources by rowid: for a
// code held by 115,000 Observations every page of a download rebuilt the
// 115,000-entry list to return 1,000 rows, and a _summary=count looked up
// every match in resources to check r.deleted and r.type. Index rows exist
// only for the current version of live resources (a delete or an update
// removes the old ones, in the same transaction), so a positive clause's
// subquery can both
//   - be counted on its own, without resources (indexCount), and
//   - carry the page's rid bounds and, when it is the only condition, the
//     page's ORDER BY rid LIMIT (pageWhere), so each page reads its own
//     rows from the index in rid order and no more.
// Both fall back to where() when the query has no such clause, sorts by
// other keys, or holds clauses that read other resource columns.

// driveClause returns the position of the clause a search of one type can
// be driven from, or -1: a plain positive index clause (no chain, no
// reverse chain, no :not or :missing, no terminology expansion, not
// composite). Every other clause must only read r.rid (not _id,
// _lastUpdated or another result parameter), so that the clauses can run
// against the rids of the index alone.
func driveClause(sq *search.Query, types []string) int {
	if len(types) != 1 || len(sq.Clauses) == 0 || (sq.Contained != "" && sq.Contained != "false") {
		return -1 // _contained searches run over the contained resources (contained.go)
	}
	for i := range sq.Clauses {
		c := &sq.Clauses[i]
		if strings.HasPrefix(c.Param, "_") || c.Has != nil {
			return -1
		}
	}
	for i := range sq.Clauses {
		c := &sq.Clauses[i]
		switch {
		case c.Chain != nil, c.Type == search.TypeComposite, len(c.Values) == 0:
		case c.Modifier == "not", c.Modifier == "missing", isTerminologyModifier(c.Modifier):
		default:
			if _, ok := tableFor(c.Type); ok {
				return i
			}
		}
	}
	return -1
}

// without returns sq with clause i removed (a shallow copy).
func without(sq *search.Query, i int) *search.Query {
	q := *sq
	q.Clauses = make([]search.Clause, 0, len(sq.Clauses)-1)
	q.Clauses = append(append(q.Clauses, sq.Clauses[:i]...), sq.Clauses[i+1:]...)
	return &q
}

const drivePrefix = " AND r.rid IN (SELECT "

// driveSubquery renders clause c as the planner does, "AND r.rid IN
// (SELECT a.rid FROM … WHERE …)", numbering placeholders after b's
// arguments, and returns the subquery's text after "SELECT " without its
// closing parenthesis, its arguments (b's first) and its index alias. ok is
// false when the planner wrote another shape.
func (e *Engine) driveSubquery(b *builder, c *search.Clause, types []string) (text string, args []any, alias string, ok bool, err error) {
	s := &builder{d: b.d, args: append([]any(nil), b.args...)}
	p := &planner{e: e, b: s}
	cc := *c
	if err := p.clause(&cc, "r", types); err != nil {
		return "", nil, "", false, err
	}
	t := s.String()
	if !strings.HasPrefix(t, drivePrefix) || !strings.HasSuffix(t, ")") {
		return "", nil, "", false, nil
	}
	t = t[len(drivePrefix) : len(t)-1]
	alias, _, found := strings.Cut(t, ".rid FROM ")
	if !found || strings.ContainsAny(alias, " ()") {
		return "", nil, "", false, nil
	}
	return t, s.args, alias, true, nil
}

// indexCount counts the matches of sq from the index tables alone when sq
// has a driving clause; ok is false when it has none.
func (e *Engine) indexCount(ctx context.Context, q Querier, sq *search.Query, types []string) (n int, ok bool, err error) {
	d := driveClause(sq, types)
	if d < 0 {
		return 0, false, nil
	}
	b := newBuilder(e.d)
	text, args, alias, ok, err := e.driveSubquery(b, &sq.Clauses[d], types)
	if err != nil || !ok {
		return 0, false, err
	}
	// The derived table carries the columns where() reads besides rid.
	b.args = args
	b.sql("SELECT COUNT(*) FROM (SELECT DISTINCT ", text[:len(alias)+4], ", ", alias, ".type AS type, 0 AS deleted",
		text[len(alias)+4:], ") r")
	if err := e.where(b, without(sq, d), types); err != nil {
		return 0, false, err
	}
	var c int64
	if _, err := queryRow(ctx, q, b.String(), b.args, &c); err != nil {
		return 0, false, fmt.Errorf("search count: %w", err)
	}
	return int(c), true, nil
}

// pageWhere appends the filter of a page of sq in rid order: where()'s,
// with the driving clause (if any) carrying the page's bounds — rids after
// (backward: before) the cursor's and at most asof — and, when it is the
// only condition, the page's order and limit. Without a driving clause, or
// when the page is sorted by other keys (keys), it is where().
func (e *Engine) pageWhere(b *builder, sq *search.Query, types []string, where func(b *builder) error,
	keys []sortKey, cur *cursor, backward bool, limit int) error {
	d := -1
	if len(keys) == 0 {
		d = driveClause(sq, types)
	}
	if d < 0 {
		return where(b)
	}
	rest := without(sq, d)
	if err := e.where(b, rest, types); err != nil {
		return err
	}
	text, args, alias, ok, err := e.driveSubquery(b, &sq.Clauses[d], types)
	if err != nil {
		return err
	}
	if !ok {
		return where(b)
	}
	b.args = args
	b.sql(drivePrefix, text)
	b.sql(" AND ", alias, ".rid <= ").arg(cur.Asof)
	if cur.Rid != 0 {
		op := " > "
		if backward {
			op = " < "
		}
		b.sql(" AND ", alias, ".rid", op).arg(cur.Rid)
	}
	if len(rest.Clauses) == 0 && sq.Compartment == nil && (cur.Rid != 0 || sq.Offset == 0) {
		dir := " ASC"
		if backward {
			dir = " DESC"
		}
		// DISTINCT: a resource can match by several index rows.
		b.sql(" GROUP BY ", alias, ".rid ORDER BY ", alias, ".rid", dir, " LIMIT ").arg(int64(limit))
	}
	b.sql(")")
	return nil
}
