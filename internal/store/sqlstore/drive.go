package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/search"
)

// Driving a search from its most selective clause.
//
// where() filters resources r with one "r.rid IN (SELECT … FROM idx_…)"
// semi-join per clause. SQLite evaluates such a subquery by building the
// whole list of its rids first, then probing resources by rowid: for a
// code held by 115,000 Observations every page of a download rebuilt the
// 115,000-entry list to return 1,000 rows, a _summary=count looked up
// every match in resources to check r.deleted and r.type, and
// Observation?code=C&patient=P built the code's list to keep the
// patient's 32. A search of one type is therefore planned:
//
//   - the driving clause is the most selective plain index clause (or the
//     compartment), chosen by counting each candidate's index rows up to
//     the smallest count so far (estimate), references to one resource
//     first: a patient's 184 rows are counted, then the code's up to 184;
//   - every other clause, and the compartment, becomes a correlated
//     EXISTS probe of the driving rows' rid (planner.probe), a seek on the
//     index tables' (rid, …) key instead of a list of all their matches.
//
// Index rows exist only for the current version of live resources (a
// delete or an update removes the old ones, in the same transaction), so
// the driving subquery with its probes holds the whole filter and can
//   - be counted on its own, without resources (indexCountSQL), and
//   - carry the page's rid bounds and the page's ORDER BY rid LIMIT
//     (pageWhere), so each page reads its own rows from the index in rid
//     order and no more.
// When the compartment drives, the clauses probe each of its resources
// (filter with probe). Queries with no such clause, of several types, or
// with clauses that read other resource columns (_id, _lastUpdated, _has,
// _text …) keep where().

// plan is how a search is driven.
type plan struct {
	clause      int  // the driving clause's position in sq.Clauses, or -1
	compartment bool // the compartment drives; the clauses probe its resources
}

// noPlan is where(): every clause a semi-join, the database's choice.
var noPlan = plan{clause: -1}

// planCap bounds the index rows counted to estimate the first candidate;
// later candidates count up to the smallest count so far.
const planCap = 2000

// Selectivity ranks of a candidate clause, most selective first; the
// first candidate by rank drives when the counts do not tell.
const (
	rankRef     = iota // a reference to one resource
	rankExact          // a token code, an exact uri or string
	rankRange          // a range of an index column (string prefix, date, number)
	rankNoIndex        // a condition no index column answers (:text, :contains, ne, ref URL): not estimated
)

// driveCandidates lists the clauses a search of one type can be driven
// from, best rank first: plain positive index clauses (no chain, no
// reverse chain, no :not or :missing, no terminology expansion, not
// composite). It is empty when any clause reads more than r.rid (_id,
// _lastUpdated, _has, a result parameter), so that the clauses can run
// against the rids of the index alone.
func driveCandidates(sq *search.Query, types []string) []int {
	if len(types) != 1 || len(sq.Clauses) == 0 || (sq.Contained != "" && sq.Contained != "false") {
		return nil // _contained searches run over the contained resources (contained.go)
	}
	for i := range sq.Clauses {
		c := &sq.Clauses[i]
		if strings.HasPrefix(c.Param, "_") || c.Has != nil {
			return nil
		}
	}
	var out []int
	for rank := rankRef; rank <= rankNoIndex; rank++ {
		for i := range sq.Clauses {
			c := &sq.Clauses[i]
			switch {
			case c.Chain != nil, c.Type == search.TypeComposite, len(c.Values) == 0:
			case c.Modifier == "not", c.Modifier == "missing", isTerminologyModifier(c.Modifier):
			default:
				if _, ok := tableFor(c.Type); ok && clauseRank(c) == rank {
					out = append(out, i)
				}
			}
		}
	}
	return out
}

// clauseRank is the selectivity rank of a candidate clause: what its
// condition can seek in the table's (type, param, value…, rid) index.
func clauseRank(c *search.Clause) int {
	worst := rankRef
	for i := range c.Values {
		v := &c.Values[i]
		r := rankNoIndex
		switch c.Type {
		case search.TypeReference:
			switch {
			case c.Modifier == "identifier" && v.Code != "":
				r = rankExact
			case c.Modifier == "identifier":
			case v.RefID != "" || (v.RefURL == "" && v.Raw != ""):
				r = rankRef
			}
		case search.TypeToken:
			switch {
			case c.Modifier == "text":
			case c.Modifier == "of-type" || v.Code != "" || !v.HasSystem:
				r = rankExact
			}
		case search.TypeString:
			switch c.Modifier {
			case search.ModEquals:
				r = rankExact
			case "":
				r = rankRange
			}
		case search.TypeURI:
			switch c.Modifier {
			case "", "above":
				r = rankExact
			case "below":
				r = rankRange
			}
		case search.TypeDate:
			switch v.Prefix {
			case "", "eq", "lt", "sa", "ap", search.PrefixOverlaps:
				r = rankRange // a bound on low, the index's first value column
			}
		case search.TypeNumber, search.TypeQuantity:
			if v.Prefix != "ne" {
				r = rankRange
			}
		}
		worst = max(worst, r)
	}
	return worst
}

// plan picks how to drive sq: with one candidate clause and no
// compartment, that clause; with more, the one whose index rows are
// fewest, by bounded counts (estimate). Each count is a seek in an index
// that stops at the smallest count so far, so choosing costs about as
// much as reading the chosen clause's rows once more.
func (e *Engine) plan(ctx context.Context, q Querier, sq *search.Query, types []string) (plan, error) {
	var cands []int
	for _, i := range driveCandidates(sq, types) {
		// Every candidate renders as one index subquery; checked here
		// (no database work) so that pageWhere can rely on it.
		if _, _, _, ok, err := e.driveSubquery(newBuilder(e.d), &sq.Clauses[i], types); err != nil {
			return noPlan, err
		} else if ok {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return noPlan, nil
	}
	if len(cands) == 1 && sq.Compartment == nil {
		return plan{clause: cands[0]}, nil
	}
	best, bestN := plan{clause: cands[0]}, int64(-1)
	limit := int64(planCap)
	if sq.Compartment != nil {
		n, err := e.estimate(ctx, q, e.estimateSQL(sq, limit))
		if err != nil {
			return noPlan, err
		}
		if n < limit {
			best, bestN, limit = plan{clause: -1, compartment: true}, n, n
		}
	}
	for _, i := range cands {
		if limit == 0 || clauseRank(&sq.Clauses[i]) == rankNoIndex {
			break
		}
		b, err := e.estimateSQLClause(sq, types, i, limit)
		if err != nil {
			return noPlan, err
		}
		n, err := e.estimate(ctx, q, b)
		if err != nil {
			return noPlan, err
		}
		if bestN < 0 || n < limit {
			best, bestN, limit = plan{clause: i}, n, n
		}
	}
	if bestN < 0 && sq.Compartment != nil {
		// Only clauses no index answers, beside a large compartment: the
		// compartment's rows are still a seek.
		best = plan{clause: -1, compartment: true}
	}
	return best, nil
}

// estimateSQL is the bounded count of the compartment's rows.
func (e *Engine) estimateSQL(sq *search.Query, limit int64) *builder {
	b := newBuilder(e.d)
	c := sq.Compartment
	if c.Type == "Patient" {
		b.sql("SELECT COUNT(*) FROM (SELECT rid FROM compartments WHERE patient = ").arg(c.ID)
	} else {
		b.sql("SELECT COUNT(*) FROM (SELECT rid FROM idx_reference WHERE ref_id = ").arg(c.ID).sql(" AND ref_type = ").arg(c.Type)
	}
	b.sql(" LIMIT ").arg(limit).sql(") x")
	return b
}

// estimateSQLClause is the bounded count of candidate clause i's index rows.
func (e *Engine) estimateSQLClause(sq *search.Query, types []string, i int, limit int64) (*builder, error) {
	b := newBuilder(e.d)
	text, args, _, ok, err := e.driveSubquery(b, &sq.Clauses[i], types)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("search plan: clause %s is not an index subquery", sq.Clauses[i].Param)
	}
	b.args = args
	b.sql("SELECT COUNT(*) FROM (SELECT ", text, " LIMIT ").arg(limit).sql(") x")
	return b, nil
}

func (e *Engine) estimate(ctx context.Context, q Querier, b *builder) (int64, error) {
	var n int64
	if _, err := queryRow(ctx, q, b.String(), b.args, &n); err != nil {
		return 0, fmt.Errorf("search plan: %w", err)
	}
	return n, nil
}

const drivePrefix = " AND r.rid IN (SELECT "

// driveSubquery renders clause c as the planner does, "AND r.rid IN
// (SELECT a.rid FROM … WHERE …)", numbering placeholders after b's
// arguments, and returns the subquery's text after "SELECT " without its
// closing parenthesis, its arguments (b's first) and its index alias. ok is
// false when the planner wrote another shape.
func (e *Engine) driveSubquery(b *builder, c *search.Clause, types []string) (text string, args []any, alias string, ok bool, err error) {
	text, args, alias, _, ok, err = e.drivePlanner(b, c, types)
	return text, args, alias, ok, err
}

func (e *Engine) drivePlanner(b *builder, c *search.Clause, types []string) (text string, args []any, alias string, p *planner, ok bool, err error) {
	s := &builder{d: b.d, args: append([]any(nil), b.args...)}
	p = &planner{e: e, b: s}
	cc := *c
	if err := p.clause(&cc, "r", types); err != nil {
		return "", nil, "", nil, false, err
	}
	t := s.String()
	if !strings.HasPrefix(t, drivePrefix) || !strings.HasSuffix(t, ")") {
		return "", nil, "", nil, false, nil
	}
	t = t[len(drivePrefix) : len(t)-1]
	alias, _, found := strings.Cut(t, ".rid FROM ")
	if !found || strings.ContainsAny(alias, " ()") {
		return "", nil, "", nil, false, nil
	}
	return t, s.args, alias, p, true, nil
}

// driven renders the whole filter of sq driven from clause d: the
// clause's subquery text ("a.rid FROM idx_… a WHERE …", as driveSubquery)
// followed by every other clause and the compartment as EXISTS probes of
// a.rid; its arguments come after b's.
func (e *Engine) driven(b *builder, sq *search.Query, types []string, d int) (text string, args []any, alias string, ok bool, err error) {
	text, args, alias, p, ok, err := e.drivePlanner(b, &sq.Clauses[d], types)
	if err != nil || !ok {
		return "", nil, "", ok, err
	}
	s := &builder{d: b.d, args: args}
	s.sb.WriteString(text)
	p.b, p.probe = s, true
	for i := range sq.Clauses {
		if i == d {
			continue
		}
		if err := p.clause(&sq.Clauses[i], alias, types); err != nil {
			return "", nil, "", false, err
		}
	}
	if c := sq.Compartment; c != nil {
		compartmentCond(s, c, alias, true)
	}
	return s.String(), s.args, alias, true, nil
}

// indexCountSQL counts the matches of sq from the index tables alone when
// the plan drives it from a clause; ok is false otherwise.
func (e *Engine) indexCountSQL(sq *search.Query, types []string, pl plan) (*builder, bool, error) {
	if pl.clause < 0 {
		return nil, false, nil
	}
	b := newBuilder(e.d)
	text, args, _, ok, err := e.driven(b, sq, types, pl.clause)
	if err != nil || !ok {
		return nil, false, err
	}
	b.args = args
	// DISTINCT: a resource can match by several index rows.
	b.sql("SELECT COUNT(*) FROM (SELECT DISTINCT ", text, ") x")
	return b, true, nil
}

// pageWhere appends the filter of a page of sq: where()'s, or, when the
// plan drives sq from a clause, the live resources of the type whose rid
// the driven subquery (driven) selects, bounded by the page — rids at most
// asof and, in rid order (no keys), after (backward: before) the cursor's,
// with the page's order and limit.
func (e *Engine) pageWhere(b *builder, sq *search.Query, types []string, where func(b *builder) error, pl plan,
	keys []sortKey, cur *cursor, backward bool, limit int) error {
	if pl.clause < 0 {
		return where(b)
	}
	bare := *sq
	bare.Clauses, bare.Compartment = nil, nil
	if err := e.where(b, &bare, types); err != nil {
		return err
	}
	text, args, alias, ok, err := e.driven(b, sq, types, pl.clause)
	if err != nil {
		return err
	}
	if !ok { // plan() only picks clauses that render so
		return fmt.Errorf("search: clause %s cannot drive the search", sq.Clauses[pl.clause].Param)
	}
	b.args = args
	b.sql(drivePrefix, text)
	b.sql(" AND ", alias, ".rid <= ").arg(cur.Asof)
	if len(keys) == 0 {
		if cur.Rid != 0 {
			op := " > "
			if backward {
				op = " < "
			}
			b.sql(" AND ", alias, ".rid", op).arg(cur.Rid)
		}
		if cur.Rid != 0 || sq.Offset == 0 {
			dir := " ASC"
			if backward {
				dir = " DESC"
			}
			// GROUP BY: a resource can match by several index rows.
			b.sql(" GROUP BY ", alias, ".rid ORDER BY ", alias, ".rid", dir, " LIMIT ").arg(int64(limit))
		}
	}
	b.sql(")")
	return nil
}
