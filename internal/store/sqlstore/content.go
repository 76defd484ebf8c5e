package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
)

// _text and _content (search.html#text, #content) have no index: the write
// path stores no words. A search with them first selects the candidates
// with every other clause (by the indexes), reads their current JSON and
// keeps those whose words match (search.TextMatch); the rids kept then
// stand for the clause in the SQL of the count and of each page. The cost
// is one read and decode of every candidate per page request: with no
// other clause, that is every resource of the searched types, bounded by
// maxScan.

// maxScan bounds the candidates a search evaluates in Go; past it the
// search is refused as too costly, asking for more selective parameters.
const maxScan = 200000

// scanSets maps each clause evaluated in Go to the rids that satisfy it.
type scanSets map[*search.Clause][]int64

// isScan reports whether c is evaluated over the stored JSON.
func isScan(c *search.Clause) bool { return c.Param == "_text" || c.Param == "_content" }

// scanClauses lists the clauses of cs, and inside their _filter trees,
// that are evaluated in Go.
func scanClauses(cs []search.Clause) []*search.Clause {
	var out []*search.Clause
	var walk func(f *search.Filter)
	walk = func(f *search.Filter) {
		if f == nil {
			return
		}
		if f.Clause != nil && isScan(f.Clause) {
			out = append(out, f.Clause)
		}
		for _, ch := range f.Children {
			walk(ch)
		}
	}
	for i := range cs {
		if isScan(&cs[i]) {
			out = append(out, &cs[i])
		}
		walk(cs[i].Filter)
	}
	return out
}

// searchWhere returns the function appending the WHERE clause of sq to a
// statement over resources alias r. When sq has clauses evaluated in Go,
// or searches contained resources, it runs that evaluation first (once for
// the count and the page).
func (e *Engine) searchWhere(ctx context.Context, q Querier, sq *search.Query, types []string) (func(b *builder) error, error) {
	scans := scanClauses(sq.Clauses)
	for _, c := range scans {
		for _, v := range c.Values {
			if len(v.Terms) == 0 {
				return nil, fhir.Errorf(fhir.KindInvalid, "search parameter %s: no word to search for in %q", c.Param, v.Raw)
			}
		}
	}
	switch sq.Contained {
	case "true", "both":
		return e.containedWhere(ctx, q, sq, types)
	}
	if len(scans) == 0 {
		return func(b *builder) error { return e.whereWith(b, sq, types, nil) }, nil
	}
	sets, err := e.scanText(ctx, q, sq, types, scans)
	if err != nil {
		return nil, err
	}
	return func(b *builder) error { return e.whereWith(b, sq, types, sets) }, nil
}

// scanText evaluates the _text/_content clauses scans of sq over the
// candidates the other top-level clauses select.
func (e *Engine) scanText(ctx context.Context, q Querier, sq *search.Query, types []string, scans []*search.Clause) (scanSets, error) {
	cand := *sq
	cand.Clauses = nil
	for i := range sq.Clauses {
		c := &sq.Clauses[i]
		if !isScan(c) && len(scanClauses([]search.Clause{*c})) == 0 {
			cand.Clauses = append(cand.Clauses, *c)
		}
	}
	sets := make(scanSets, len(scans))
	for _, c := range scans {
		sets[c] = []int64{}
	}
	err := e.scanCandidates(ctx, q, &cand, types, func(rid int64, body []byte) error {
		var doc any
		decoded := false
		var content, narrative []string
		haveContent, haveNarrative := false, false
		folded := ""
		for _, c := range scans {
			if !mayContain(body, &folded, c) {
				continue
			}
			if !decoded {
				if err := json.Unmarshal(body, &doc); err != nil {
					return fmt.Errorf("decode resource %d: %w", rid, err)
				}
				decoded = true
			}
			var words []string
			if c.Param == "_text" {
				if !haveNarrative {
					narrative, haveNarrative = search.NarrativeWords(doc), true
				}
				words = narrative
			} else {
				if !haveContent {
					content, haveContent = search.ContentWords(doc), true
				}
				words = content
			}
			for i := range c.Values {
				if search.TextMatch(words, &c.Values[i]) {
					sets[c] = append(sets[c], rid)
					break
				}
			}
		}
		return nil
	})
	return sets, err
}

// mayContain is a necessary condition for c to match body: every word of
// some alternative occurs in the folded JSON text. It holds only when the
// JSON has no \u escapes and no character references (&…;), which could
// hide a letter from the folded text; then it answers true.
func mayContain(body []byte, folded *string, c *search.Clause) bool {
	if bytes.Contains(body, []byte(`\u`)) || bytes.IndexByte(body, '&') >= 0 {
		return true
	}
	if *folded == "" {
		*folded = search.Normalize(string(body))
	}
	for _, v := range c.Values {
		ok := true
		for _, t := range v.Terms {
			for _, w := range strings.Split(t, " ") {
				if !strings.Contains(*folded, w) {
					ok = false
				}
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// scanCandidates streams rid and current JSON of the resources cand
// selects, at most maxScan of them.
func (e *Engine) scanCandidates(ctx context.Context, q Querier, cand *search.Query, types []string, fn func(rid int64, body []byte) error) error {
	return e.scanCandidatesWith(ctx, q, cand, types, nil, fn)
}

// scanCandidatesWith is scanCandidates with extra conditions (on r and
// the version v) appended to the WHERE clause.
func (e *Engine) scanCandidatesWith(ctx context.Context, q Querier, cand *search.Query, types []string, extra func(b *builder), fn func(rid int64, body []byte) error) error {
	b := newBuilder(e.d)
	b.sql("SELECT r.rid, v.json FROM resources r JOIN versions v ON v.rid = r.rid AND v.version = r.version")
	if err := e.whereWith(b, cand, types, nil); err != nil {
		return err
	}
	if extra != nil {
		extra(b)
	}
	rows, err := q.Query(ctx, b.String(), b.args...)
	if err != nil {
		return fmt.Errorf("search scan: %w", err)
	}
	defer rows.Close()
	var rid int64
	var raw sql.RawBytes
	var body []byte
	dest := []any{&rid, &body}
	if !e.d.Dollar {
		dest[1] = &raw
	}
	n := 0
	for rows.Next() {
		if n++; n > maxScan {
			return fhir.Errorf(fhir.KindTooCostly, "this search reads more than %d resources to evaluate _text, _content or _contained; add more selective parameters", maxScan)
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("search scan: %w", err)
		}
		if !e.d.Dollar {
			body = raw
		}
		if err := fn(rid, body); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search scan: %w", err)
	}
	return nil
}

// ridIn appends " AND <col> IN <rids>" with the whole set bound as one
// parameter: a JSON array read by json_each on SQLite, an array literal on
// PostgreSQL.
func (p *planner) ridIn(col string, rids []int64) {
	if len(rids) == 0 {
		p.b.sql(" AND 1=0")
		return
	}
	var sb strings.Builder
	open, close := "[", "]"
	if p.e.d.Dollar {
		open, close = "{", "}"
	}
	sb.WriteString(open)
	for i, r := range rids {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatInt(r, 10))
	}
	sb.WriteString(close)
	if p.e.d.Dollar {
		p.b.sql(" AND ", col, " = ANY(CAST(").arg(sb.String()).sql(" AS bigint[]))")
	} else {
		p.b.sql(" AND ", col, " IN (SELECT value FROM json_each(").arg(sb.String()).sql("))")
	}
}

// textClause appends the rid set computed for a _text/_content clause.
func (p *planner) textClause(c *search.Clause, r string) error {
	rids, ok := p.scans[c]
	if !ok {
		return fhir.Errorf(fhir.KindInvalid, "search parameter %s applies to the resources searched, not inside a chain or _has", c.Param)
	}
	p.ridIn(r+".rid", rids)
	return nil
}
