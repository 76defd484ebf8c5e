package sqlstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/fhirpath"
	"github.com/sen-emr/sen/internal/search"
)

// _contained=true|both (search.html#contained). Contained resources have
// no index rows (the write path indexes the container only), so Sen
// answers _contained=true with the containers whose contained[] holds a
// resource of the searched type that satisfies every clause, evaluated in
// Go (search.Match) over index entries extracted on the fly; both adds the
// ordinary matches. _containedType=contained (returning the contained
// resources themselves) is not supported. The candidates are the live
// resources whose JSON mentions "contained" (in the compartment, when the
// search has one): a scan of the whole store, bounded by maxScan.

// lazyIndexer builds the R4 indexer on first use when Options.Indexer is nil.
type lazyIndexer struct {
	once sync.Once
	ix   *search.Indexer
	err  error
}

func (e *Engine) indexer() (*search.Indexer, error) {
	if e.opts.Indexer != nil {
		return e.opts.Indexer, nil
	}
	e.ix.once.Do(func() { e.ix.ix, e.ix.err = search.NewIndexer(r4.Load()) })
	return e.ix.ix, e.ix.err
}

// containedWhere evaluates a _contained search and returns its WHERE.
func (e *Engine) containedWhere(ctx context.Context, q Querier, sq *search.Query, types []string) (func(b *builder) error, error) {
	if sq.ContainedType == "contained" {
		return nil, fhir.Errorf(fhir.KindInvalid, "search parameter _containedType: contained (returning contained resources themselves) is not supported; Sen returns their containers")
	}
	for _, k := range sq.Sort {
		if k.Param != "_id" && k.Param != "_lastUpdated" {
			return nil, fhir.Errorf(fhir.KindInvalid, "search parameter _sort: with _contained=%s only _id and _lastUpdated can sort (the results are containers)", sq.Contained)
		}
	}
	ix, err := e.indexer()
	if err != nil {
		return nil, fmt.Errorf("contained search: %w", err)
	}
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	now := e.opts.Now()
	var containers []int64
	cand := &search.Query{Compartment: sq.Compartment}
	err = e.scanContainers(ctx, q, cand, func(rid int64, body []byte) error {
		root, err := fhirpath.DecodeJSON(body)
		if err != nil {
			return fmt.Errorf("decode resource %d: %w", rid, err)
		}
		m, _ := root.Raw().(map[string]any)
		list, _ := m["contained"].([]any)
		for _, x := range list {
			cm, _ := x.(map[string]any)
			rt, _ := cm["resourceType"].(string)
			if cm == nil || rt == "" || len(want) > 0 && !want[rt] {
				continue
			}
			idx, err := ix.IndexValue(rt, cm)
			if err != nil {
				continue // not a resource Sen can index: it cannot match
			}
			id, _ := cm["id"].(string)
			d := &search.Doc{ID: id, Entries: idx.Entries, JSON: cm}
			ok := true
			for i := range sq.Clauses {
				m, err := search.Match(&sq.Clauses[i], d, now)
				if err != nil {
					return err
				}
				if !m {
					ok = false
					break
				}
			}
			if ok {
				containers = append(containers, rid)
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if sq.Contained == "true" {
		return func(b *builder) error {
			b.sql(" WHERE r.deleted = 0")
			p := &planner{e: e, b: b}
			p.ridIn("r.rid", containers)
			return nil
		}, nil
	}
	// both: the ordinary matches, or a container.
	var sets scanSets
	if scans := scanClauses(sq.Clauses); len(scans) > 0 {
		if sets, err = e.scanText(ctx, q, sq, types, scans); err != nil {
			return nil, err
		}
	}
	return func(b *builder) error {
		b.sql(" WHERE r.deleted = 0 AND (1=0")
		if len(containers) > 0 {
			b.sql(" OR (1=1")
			(&planner{e: e, b: b}).ridIn("r.rid", containers)
			b.sql(")")
		}
		b.sql(" OR r.rid IN (SELECT r.rid FROM resources r")
		if err := e.whereWith(b, sq, types, sets); err != nil {
			return err
		}
		b.sql("))")
		return nil
	}, nil
}

// scanContainers streams the live resources (of cand's compartment) whose
// JSON holds a "contained" key.
func (e *Engine) scanContainers(ctx context.Context, q Querier, cand *search.Query, fn func(rid int64, body []byte) error) error {
	return e.scanCandidatesWith(ctx, q, cand, nil, func(b *builder) {
		if e.d.Dollar {
			b.sql(" AND position(").arg([]byte(`"contained"`)).sql(" IN v.json) > 0")
		} else {
			b.sql(" AND instr(v.json, ").arg([]byte(`"contained"`)).sql(") > 0")
		}
	}, fn)
}
