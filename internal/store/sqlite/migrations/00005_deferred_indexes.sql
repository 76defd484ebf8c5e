-- Secondary indexes set aside by a bulk load (bulk.go) until it finishes.
-- A load interrupted by a crash leaves its rows here; the next Open builds
-- the indexes again, so a database never stays without them.

-- +goose Up
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    sql  TEXT NOT NULL
);

-- +goose Down
DROP TABLE deferred_indexes;
