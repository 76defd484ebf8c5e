package sqlstore

import (
	"context"
	"fmt"
	"strings"
)

// Check verifies that the index agrees with the resources: every index and
// compartment row belongs to a live current resource, every resource's
// current version exists, and each resource's kinds bits cover the tables
// that hold its rows. It returns an error describing every inconsistency.
func (e *Engine) Check(ctx context.Context) error {
	type probe struct{ what, sql string }
	var probes []probe
	for _, t := range indexTables {
		probes = append(probes,
			probe{t.name + " rows of missing or deleted resources",
				"SELECT COUNT(*) FROM " + t.name + " i LEFT JOIN resources r ON r.rid = i.rid WHERE r.rid IS NULL OR r.deleted <> 0"},
			probe{t.name + " rows not recorded in resources.kinds",
				fmt.Sprintf("SELECT COUNT(*) FROM %s i JOIN resources r ON r.rid = i.rid WHERE (r.kinds & %d) = 0", t.name, t.bit)},
			probe{t.name + " rows whose type or patient key differ from the resource's",
				"SELECT COUNT(*) FROM " + t.name + " i JOIN resources r ON r.rid = i.rid WHERE i.type <> r.type OR i.pkey <> r.pkey"},
		)
	}
	probes = append(probes,
		probe{"compartment rows of missing or deleted resources",
			"SELECT COUNT(*) FROM compartments c LEFT JOIN resources r ON r.rid = c.rid WHERE r.rid IS NULL OR r.deleted <> 0"},
		probe{"resources without their current version",
			"SELECT COUNT(*) FROM resources r LEFT JOIN versions v ON v.rid = r.rid AND v.version = r.version WHERE v.rid IS NULL"},
		probe{"versions whose resource is missing",
			"SELECT COUNT(*) FROM versions v LEFT JOIN resources r ON r.rid = v.rid WHERE r.rid IS NULL"},
		probe{"resources whose version numbers have gaps",
			"SELECT COUNT(*) FROM resources r WHERE r.version <> (SELECT COUNT(*) FROM versions v WHERE v.rid = r.rid)"},
	)
	var problems []string
	for _, p := range probes {
		var n int64
		if _, err := queryRow(ctx, e.b.Reader(), p.sql, nil, &n); err != nil {
			return fmt.Errorf("check %s: %w", p.what, err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, p.what))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("store is inconsistent: %s", strings.Join(problems, "; "))
	}
	return nil
}
