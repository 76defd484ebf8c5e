-- Resources and their versions. Times are microseconds since the Unix epoch
-- (UTC) so both backends compare them as integers.

-- +goose Up
-- resources holds one row per logical resource with its current version;
-- rid is the internal key every other table refers to.
CREATE TABLE resources (
    rid     INTEGER PRIMARY KEY,
    type    TEXT    NOT NULL,
    id      TEXT    NOT NULL,
    version INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    kinds   INTEGER NOT NULL DEFAULT 0, -- bit set of index tables holding rows for rid
    pkey    TEXT    NOT NULL DEFAULT '' -- patient-compartment (shard) key
);
CREATE UNIQUE INDEX resources_type_id ON resources (type, id);
-- (type) implicitly ends with rid: type-level listing in insertion order.
CREATE INDEX resources_type ON resources (type);

-- versions holds every version, deletes included; seq orders system history.
CREATE TABLE versions (
    seq     INTEGER PRIMARY KEY,
    rid     INTEGER NOT NULL,
    type    TEXT    NOT NULL,
    id      TEXT    NOT NULL,
    version INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    pkey    TEXT    NOT NULL DEFAULT '',
    json    BLOB
);
CREATE UNIQUE INDEX versions_rid_version ON versions (rid, version);
CREATE INDEX versions_type ON versions (type);

-- +goose Down
DROP TABLE versions;
DROP TABLE resources;
