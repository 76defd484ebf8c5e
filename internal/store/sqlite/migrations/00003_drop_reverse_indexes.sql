-- Fewer B-trees to update per write (ingest profile, docs/scaling.md):
-- _revinclude and _has always name the referring type and parameter, so
-- idx_reference_search (type, param, ref_id, ref_type, rid) serves them; and
-- a composite's sibling components are found through the primary key
-- (rid, n), which already clusters one resource's few composite rows.

-- +goose Up
DROP INDEX idx_reference_target;
DROP INDEX idx_composite_group;

-- +goose Down
CREATE INDEX idx_reference_target ON idx_reference (ref_id, ref_type, param, type, rid);
CREATE INDEX idx_composite_group ON idx_composite (rid, param, grp, pos);
