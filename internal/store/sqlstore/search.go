package sqlstore

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// estimateCap bounds the rows counted for _total=estimate.
const estimateCap = 10000

// sortKey is one ORDER BY expression of a search.
type sortKey struct {
	kind byte // 'i' int64, 'f' float64, 's' string
	desc bool
	expr func(b *builder) // appends the (non-null) expression on alias r
}

// search runs sq (store.Reader.Search).
func (e *Engine) search(ctx context.Context, q Querier, sq *search.Query) (*store.Page, error) {
	if sq == nil {
		return nil, fhir.Errorf(fhir.KindInvalid, "no search query")
	}
	types := sq.Types
	if sq.Type != "" {
		types = []string{sq.Type}
	}
	keys, err := e.sortKeys(sq.Sort, types)
	if err != nil {
		return nil, err
	}
	count := e.pageSize(sq.Count)
	fp := fingerprint("search", sq.Type, sq.Types, sq.Compartment, sq.Clauses, sq.Sort)
	var cur *cursor
	if sq.Cursor != "" {
		if cur, err = decodeCursor(sq.Cursor, fp); err != nil {
			return nil, err
		}
		if len(cur.Keys) != len(keys) {
			return nil, fhir.Errorf(fhir.KindInvalid, "the paging cursor is malformed")
		}
	}

	where, err := e.searchWhere(ctx, q, sq, types)
	if err != nil {
		return nil, err
	}
	pl, err := e.plan(ctx, q, sq, types)
	if err != nil {
		return nil, err
	}
	if pl.compartment {
		where = func(b *builder) error { return e.filter(b, sq, types, nil, true) }
	}

	page := &store.Page{Total: -1}
	// countLater is set when the first page itself may give the accurate
	// total: when it is the only page, the total is its length and the
	// COUNT query (as costly as the page on a large compartment) is saved.
	countLater := false
	if cur == nil {
		cur = &cursor{FP: fp, Total: -1}
		b := newBuilder(e.d)
		b.sql("SELECT COALESCE(MAX(rid), 0) FROM resources")
		if _, err := queryRow(ctx, q, b.String(), b.args, &cur.Asof); err != nil {
			return nil, fmt.Errorf("search snapshot: %w", err)
		}
		total := sq.Total
		if total == "" {
			total = "accurate"
		}
		switch {
		case total == "accurate" && sq.Summary != "count" && sq.Offset == 0:
			countLater = true
		case total == "accurate" || total == "estimate":
			n, err := e.count(ctx, q, sq, types, where, pl, total == "estimate")
			if err != nil {
				return nil, err
			}
			cur.Total = n
		}
	}
	page.Total = cur.Total
	if sq.Summary == "count" {
		return page, nil
	}

	backward := cur.Back
	b, err := e.pageSQL(sq, types, where, pl, keys, cur, backward, count)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	type hit struct {
		rid  int64
		keys []string
	}
	var hits []hit
	for rows.Next() {
		r := &fhir.Resource{}
		var ts int64
		var rid int64
		dest := []any{&rid, &r.Type, &r.ID, &r.VersionID, &ts, &r.JSON}
		vals := make([]any, len(keys))
		for i, k := range keys {
			switch k.kind {
			case 'i':
				vals[i] = new(int64)
			case 'f':
				vals[i] = new(float64)
			default:
				vals[i] = new(string)
			}
		}
		dest = append(dest, vals...)
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search: %w", err)
		}
		r.LastUpdated = micros(ts)
		page.Resources = append(page.Resources, r)
		hits = append(hits, hit{rid, keyStrings(vals)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	more := len(hits) > count
	if more {
		hits, page.Resources = hits[:count], page.Resources[:count]
	}
	if countLater {
		if more {
			if cur.Total, err = e.count(ctx, q, sq, types, where, pl, false); err != nil {
				return nil, err
			}
		} else {
			cur.Total = len(hits)
		}
		page.Total = cur.Total
	}
	if backward {
		reverse(hits)
		reverse(page.Resources)
	}
	if len(hits) > 0 {
		if (!backward && more) || backward {
			c := *cur
			c.Keys, c.Rid, c.Back = hits[len(hits)-1].keys, hits[len(hits)-1].rid, false
			page.Next = c.encode()
		}
		if (backward && more) || (!backward && cur.Rid != 0) {
			c := *cur
			c.Keys, c.Rid, c.Back = hits[0].keys, hits[0].rid, true
			page.Prev = c.encode()
		}
	}

	if len(sq.Include) > 0 || len(sq.RevInclude) > 0 {
		rids := make([]int64, len(hits))
		for i, h := range hits {
			rids[i] = h.rid
		}
		inc, err := e.includes(ctx, q, sq, rids)
		if err != nil {
			return nil, err
		}
		page.Included = inc
	}
	return page, nil
}

// pageSQL is the query of one page of sq after cur (backward: before it)
// in the order of keys, at most count+1 rows so that a next page shows.
func (e *Engine) pageSQL(sq *search.Query, types []string, where func(b *builder) error, pl plan,
	keys []sortKey, cur *cursor, backward bool, count int) (*builder, error) {
	b := newBuilder(e.d)
	b.sql("SELECT x.rid, x.type, x.id, x.version, x.ts, v.json")
	for i := range keys {
		b.sql(", x.s", strconv.Itoa(i))
	}
	b.sql(" FROM (SELECT * FROM (SELECT r.rid, r.type, r.id, r.version, r.ts")
	for i, k := range keys {
		b.sql(", ")
		k.expr(b)
		b.sql(" AS s", strconv.Itoa(i))
	}
	b.sql(" FROM resources r")
	if err := e.pageWhere(b, sq, types, where, pl, keys, cur, backward, count+1); err != nil {
		return nil, err
	}
	b.sql(" AND r.rid <= ").arg(cur.Asof)
	b.sql(") y")
	if cur.Rid != 0 {
		b.sql(" WHERE ")
		if err := keyset(b, keys, cur, backward); err != nil {
			return nil, err
		}
	}
	b.sql(" ORDER BY ")
	orderBy(b, "", keys, backward)
	b.sql(" LIMIT ").arg(int64(count + 1))
	if cur.Rid == 0 && sq.Offset > 0 {
		b.sql(" OFFSET ").arg(int64(sq.Offset))
	}
	b.sql(") x JOIN versions v ON v.rid = x.rid AND v.version = x.version ORDER BY ")
	orderBy(b, "x.", keys, backward)
	return b, nil
}

// count runs the COUNT query of a search's filter, from the index alone
// when the plan drives it from a clause (drive.go); estimate stops
// counting at estimateCap rows.
func (e *Engine) count(ctx context.Context, q Querier, sq *search.Query, types []string, where func(b *builder) error, pl plan, estimate bool) (int, error) {
	b, err := e.countSQL(sq, types, where, pl, estimate)
	if err != nil {
		return 0, err
	}
	var n int64
	if _, err := queryRow(ctx, q, b.String(), b.args, &n); err != nil {
		return 0, fmt.Errorf("search count: %w", err)
	}
	return int(n), nil
}

// countSQL is count's query.
func (e *Engine) countSQL(sq *search.Query, types []string, where func(b *builder) error, pl plan, estimate bool) (*builder, error) {
	if !estimate {
		if b, ok, err := e.indexCountSQL(sq, types, pl); ok || err != nil {
			return b, err
		}
	}
	b := newBuilder(e.d)
	if estimate {
		b.sql("SELECT COUNT(*) FROM (SELECT 1 FROM resources r")
	} else {
		b.sql("SELECT COUNT(*) FROM resources r")
	}
	if err := where(b); err != nil {
		return nil, err
	}
	if estimate {
		b.sql(" LIMIT ").arg(int64(estimateCap)).sql(") x")
	}
	return b, nil
}

func keyStrings(vals []any) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case *int64:
			out[i] = strconv.FormatInt(*x, 10)
		case *float64:
			out[i] = strconv.FormatFloat(*x, 'g', -1, 64)
		case *string:
			out[i] = *x
		}
	}
	return out
}

func orderBy(b *builder, prefix string, keys []sortKey, backward bool) {
	dir := func(desc bool) string {
		if desc != backward {
			return " DESC"
		}
		return " ASC"
	}
	for i, k := range keys {
		b.sql(prefix, "s", strconv.Itoa(i), dir(k.desc), ", ")
	}
	b.sql(prefix, "rid", dir(false))
}

// keyset appends the condition selecting rows after (or, backward, before)
// the cursor's boundary row in the sort order: an OR-chain because keys
// may mix directions.
func keyset(b *builder, keys []sortKey, c *cursor, backward bool) error {
	vals := make([]any, len(keys))
	for i, k := range keys {
		s := c.Keys[i]
		switch k.kind {
		case 'i':
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fhir.Errorf(fhir.KindInvalid, "the paging cursor is malformed")
			}
			vals[i] = n
		case 'f':
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fhir.Errorf(fhir.KindInvalid, "the paging cursor is malformed")
			}
			vals[i] = f
		default:
			vals[i] = s
		}
	}
	op := func(desc bool) string {
		if desc != backward {
			return " < "
		}
		return " > "
	}
	b.sql("(")
	for i := 0; i <= len(keys); i++ {
		if i > 0 {
			b.sql(" OR ")
		}
		b.sql("(")
		for j := 0; j < i; j++ {
			b.sql("s", strconv.Itoa(j), " = ").arg(vals[j]).sql(" AND ")
		}
		if i < len(keys) {
			b.sql("s", strconv.Itoa(i), op(keys[i].desc)).arg(vals[i])
		} else {
			b.sql("rid", op(false)).arg(c.Rid)
		}
		b.sql(")")
	}
	b.sql(")")
	return nil
}

// sortKeys maps _sort keys to expressions: the minimum index value for
// ascending and the maximum for descending order (dates: low and high
// bound), with missing values last either way.
func (e *Engine) sortKeys(ks []search.SortKey, types []string) ([]sortKey, error) {
	out := make([]sortKey, 0, len(ks))
	for _, k := range ks {
		k := k
		sk := sortKey{desc: k.Descending}
		agg := "MIN"
		if k.Descending {
			agg = "MAX"
		}
		missing := func(kind byte) any {
			switch kind {
			case 'i':
				if k.Descending {
					return minMicros - 1
				}
				return maxMicros + 1
			case 'f':
				if k.Descending {
					return -math.MaxFloat64
				}
				return math.MaxFloat64
			}
			if k.Descending {
				return ""
			}
			return "\U0010FFFF"
		}
		sub := func(t table, col string, kind byte) {
			sk.kind = kind
			sk.expr = func(b *builder) {
				b.sql("COALESCE((SELECT ", agg, "(o.", col, ") FROM ", t.name, " o WHERE o.rid = r.rid AND ")
				paramIs(b, e.aliases, "o", k.Param, types, t.name)
				b.sql("), ").arg(missing(kind)).sql(")")
			}
		}
		switch {
		case k.Param == "_id":
			sk.kind = 's'
			sk.expr = func(b *builder) { b.sql("r.id") }
		case k.Param == "_lastUpdated":
			sk.kind = 'i'
			sk.expr = func(b *builder) { b.sql("r.ts") }
		case k.Type == search.TypeDate:
			col := "low"
			if k.Descending {
				col = "high"
			}
			sub(tDate, col, 'i')
		case k.Type == search.TypeString:
			sub(tString, "norm", 's')
		case k.Type == search.TypeToken:
			sub(tToken, "code", 's')
		case k.Type == search.TypeReference:
			sub(tReference, "ref_id", 's')
		case k.Type == search.TypeURI:
			sub(tURI, "value", 's')
		case k.Type == search.TypeNumber:
			sub(tNumber, "num", 'f')
		case k.Type == search.TypeQuantity:
			sub(tQuantity, "num", 'f')
		default:
			return nil, unsupported("sorting by %s (%s) is not supported", k.Param, k.Type)
		}
		out = append(out, sk)
	}
	return out, nil
}

// where appends the filter of sq on resources alias r: live versions of
// the types, the compartment, then every clause.
func (e *Engine) where(b *builder, sq *search.Query, types []string) error {
	return e.whereWith(b, sq, types, nil)
}

// whereWith is where with the rid sets of the clauses evaluated in Go.
func (e *Engine) whereWith(b *builder, sq *search.Query, types []string, scans scanSets) error {
	return e.filter(b, sq, types, scans, false)
}

// filter appends where()'s filter; with probe, the compartment selects the
// resources and every clause is a correlated EXISTS probe of each of them
// (the plan of drive.go when the compartment is the most selective).
func (e *Engine) filter(b *builder, sq *search.Query, types []string, scans scanSets, probe bool) error {
	b.sql(" WHERE r.deleted = 0")
	switch len(types) {
	case 0:
	case 1:
		b.sql(" AND r.type = ").arg(types[0])
	default:
		b.sql(" AND r.type IN ").list(anys(types)...)
	}
	if c := sq.Compartment; c != nil {
		compartmentCond(b, c, "r", false)
	}
	p := &planner{e: e, b: b, scans: scans, probe: probe}
	for i := range sq.Clauses {
		if err := p.clause(&sq.Clauses[i], "r", types); err != nil {
			return err
		}
	}
	return nil
}

// compartmentCond appends the condition that resources alias r are in
// compartment c: " AND r.rid IN (…)", or with probe the correlated
// " AND EXISTS (…)" look-up of r.rid. The Patient compartment has its own
// table (patient, rid); other compartments are the resources referring to
// their owner by any reference parameter.
func compartmentCond(b *builder, c *search.Compartment, r string, probe bool) {
	switch {
	case c.Type == "Patient" && probe:
		b.sql(" AND EXISTS (SELECT 1 FROM compartments pc WHERE pc.patient = ").arg(c.ID).sql(" AND pc.rid = ", r, ".rid)")
	case c.Type == "Patient":
		b.sql(" AND ", r, ".rid IN (SELECT rid FROM compartments WHERE patient = ").arg(c.ID).sql(")")
	case probe:
		// By the primary key (rid, n) in SQLite, as planner.cols says.
		pc := "+pc"
		if b.d.Dollar {
			pc = "pc"
		}
		b.sql(" AND EXISTS (SELECT 1 FROM idx_reference pc WHERE pc.rid = ", r, ".rid AND ", pc, ".ref_id = ").arg(c.ID).
			sql(" AND ", pc, ".ref_type = ").arg(c.Type).sql(")")
	default:
		b.sql(" AND ", r, ".rid IN (SELECT rid FROM idx_reference WHERE ref_id = ").arg(c.ID).sql(" AND ref_type = ").arg(c.Type).sql(")")
	}
}
