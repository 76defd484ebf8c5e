package sqlstore

import (
	"context"
	"fmt"

	"github.com/sen-emr/sen/internal/fhir"
)

// read returns the current version of typ/id (see store.Reader.Read).
func (e *Engine) read(ctx context.Context, q Querier, typ, id string) (*fhir.Resource, error) {
	b := newBuilder(e.d)
	b.sql("SELECT v.version, v.ts, v.deleted, v.json FROM resources r JOIN versions v ON v.rid = r.rid AND v.version = r.version WHERE r.type = ").arg(typ).sql(" AND r.id = ").arg(id)
	r := &fhir.Resource{Type: typ, ID: id}
	var ts, deleted int64
	var body []byte
	found, err := queryRow(ctx, q, b.String(), b.args, &r.VersionID, &ts, &deleted, &body)
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", typ, id, err)
	}
	if !found {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s is not known", typ, id)
	}
	r.LastUpdated = micros(ts)
	if deleted != 0 {
		r.Deleted = true
		return r, fhir.Errorf(fhir.KindGone, "%s/%s was deleted in version %d", typ, id, r.VersionID)
	}
	r.JSON = body
	return r, nil
}

// vread returns one version of typ/id.
func (e *Engine) vread(ctx context.Context, q Querier, typ, id string, version int64) (*fhir.Resource, error) {
	b := newBuilder(e.d)
	b.sql("SELECT v.ts, v.deleted, v.json FROM resources r JOIN versions v ON v.rid = r.rid WHERE r.type = ").arg(typ).
		sql(" AND r.id = ").arg(id).sql(" AND v.version = ").arg(version)
	r := &fhir.Resource{Type: typ, ID: id, VersionID: version}
	var ts, deleted int64
	var body []byte
	found, err := queryRow(ctx, q, b.String(), b.args, &ts, &deleted, &body)
	if err != nil {
		return nil, fmt.Errorf("vread %s/%s/_history/%d: %w", typ, id, version, err)
	}
	if !found {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s has no version %d", typ, id, version)
	}
	r.LastUpdated = micros(ts)
	if deleted != 0 {
		r.Deleted = true
		return r, fhir.Errorf(fhir.KindGone, "version %d of %s/%s is a delete", version, typ, id)
	}
	r.JSON = body
	return r, nil
}
