package sqlstore

import (
	"context"
	"fmt"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
)

// maxIncluded bounds the resources _include/_revinclude may add to a page.
const maxIncluded = 5000

// includes resolves _include and _revinclude for the page's matches (rids).
// Directives marked :iterate are applied again to what the previous round
// added, up to Options.IncludeDepth rounds.
func (e *Engine) includes(ctx context.Context, q Querier, sq *search.Query, rids []int64) ([]*fhir.Resource, error) {
	seen := make(map[int64]bool, len(rids))
	for _, r := range rids {
		seen[r] = true
	}
	var out []*fhir.Resource
	frontier := rids
	for round := 0; round < e.opts.IncludeDepth && len(frontier) > 0; round++ {
		var added []int64
		run := func(inc search.Include, rev bool) error {
			if round > 0 && !inc.Iterate {
				return nil
			}
			got, ridsGot, err := e.include(ctx, q, inc, rev, frontier)
			if err != nil {
				return err
			}
			for i, r := range got {
				if seen[ridsGot[i]] {
					continue
				}
				if len(out) >= maxIncluded {
					return fhir.Errorf(fhir.KindTooCostly, "_include/_revinclude would add more than %d resources", maxIncluded)
				}
				seen[ridsGot[i]] = true
				out = append(out, r)
				added = append(added, ridsGot[i])
			}
			return nil
		}
		for _, inc := range sq.Include {
			if err := run(inc, false); err != nil {
				return nil, err
			}
		}
		for _, inc := range sq.RevInclude {
			if err := run(inc, true); err != nil {
				return nil, err
			}
		}
		frontier = added
	}
	return out, nil
}

// include runs one directive over the resources with the given rids.
func (e *Engine) include(ctx context.Context, q Querier, inc search.Include, rev bool, rids []int64) ([]*fhir.Resource, []int64, error) {
	b := newBuilder(e.d)
	if rev {
		// resources s whose reference (param) points at one of rids.
		b.sql("SELECT s.rid, s.type, s.id, s.version, s.ts, v.json FROM idx_reference i",
			" JOIN resources p ON p.type = i.ref_type AND p.id = i.ref_id",
			" JOIN resources s ON s.rid = i.rid",
			" JOIN versions v ON v.rid = s.rid AND v.version = s.version",
			" WHERE s.deleted = 0 AND p.rid IN ")
	} else {
		// resources t that the rids refer to through param.
		b.sql("SELECT t.rid, t.type, t.id, t.version, t.ts, v.json FROM idx_reference i",
			" JOIN resources t ON t.type = i.ref_type AND t.id = i.ref_id",
			" JOIN versions v ON v.rid = t.rid AND v.version = t.version",
			" WHERE t.deleted = 0 AND i.rid IN ")
	}
	args := make([]any, len(rids))
	for i, r := range rids {
		args[i] = r
	}
	b.list(args...)
	if inc.Source != "" && inc.Source != "*" {
		b.sql(" AND i.type = ").arg(inc.Source)
	}
	if inc.Param != "" && inc.Param != "*" {
		var types []string
		if inc.Source != "" && inc.Source != "*" {
			types = []string{inc.Source}
		}
		b.sql(" AND ")
		paramIs(b, e.aliases, "i", inc.Param, types, tReference.name)
	}
	if inc.Target != "" && inc.Target != "*" {
		b.sql(" AND i.ref_type = ").arg(inc.Target)
	}
	rows, err := q.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, nil, fmt.Errorf("include %s:%s: %w", inc.Source, inc.Param, err)
	}
	defer rows.Close()
	var out []*fhir.Resource
	var got []int64
	for rows.Next() {
		r := &fhir.Resource{}
		var rid, ts int64
		if err := rows.Scan(&rid, &r.Type, &r.ID, &r.VersionID, &ts, &r.JSON); err != nil {
			return nil, nil, fmt.Errorf("include %s:%s: %w", inc.Source, inc.Param, err)
		}
		r.LastUpdated = micros(ts)
		out = append(out, r)
		got = append(got, rid)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("include %s:%s: %w", inc.Source, inc.Param, err)
	}
	return out, got, nil
}
