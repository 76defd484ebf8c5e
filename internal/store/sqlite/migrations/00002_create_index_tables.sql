-- One table per search-parameter KIND (never a column per parameter): a new
-- SearchParameter is data, not a migration. Only the current version of a
-- resource has rows here, so searches need no version filter. Every row
-- carries the patient-compartment key pkey. (rid, n) clusters a resource's
-- rows so that replacing them on update is one range delete.

-- +goose Up
CREATE TABLE idx_token (
    rid INTEGER NOT NULL, n INTEGER NOT NULL,
    type TEXT NOT NULL, param TEXT NOT NULL, pkey TEXT NOT NULL DEFAULT '',
    system TEXT NOT NULL DEFAULT '', code TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT '',
    tsys TEXT NOT NULL DEFAULT '', tcode TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (rid, n)
) WITHOUT ROWID;
CREATE INDEX idx_token_search ON idx_token (type, param, code, system, rid);

CREATE TABLE idx_string (
    rid INTEGER NOT NULL, n INTEGER NOT NULL,
    type TEXT NOT NULL, param TEXT NOT NULL, pkey TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL DEFAULT '', norm TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (rid, n)
) WITHOUT ROWID;
CREATE INDEX idx_string_search ON idx_string (type, param, norm, rid);

CREATE TABLE idx_reference (
    rid INTEGER NOT NULL, n INTEGER NOT NULL,
    type TEXT NOT NULL, param TEXT NOT NULL, pkey TEXT NOT NULL DEFAULT '',
    ref_type TEXT NOT NULL DEFAULT '', ref_id TEXT NOT NULL DEFAULT '',
    ref_url TEXT NOT NULL DEFAULT '', ref_version TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (rid, n)
) WITHOUT ROWID;
CREATE INDEX idx_reference_search ON idx_reference (type, param, ref_id, ref_type, rid);
-- reverse lookups: _revinclude and _has start from the target.
CREATE INDEX idx_reference_target ON idx_reference (ref_id, ref_type, param, type, rid);

CREATE TABLE idx_date (
    rid INTEGER NOT NULL, n INTEGER NOT NULL,
    type TEXT NOT NULL, param TEXT NOT NULL, pkey TEXT NOT NULL DEFAULT '',
    low INTEGER NOT NULL, high INTEGER NOT NULL,
    PRIMARY KEY (rid, n)
) WITHOUT ROWID;
CREATE INDEX idx_date_search ON idx_date (type, param, low, high, rid);

CREATE TABLE idx_number (
    rid INTEGER NOT NULL, n INTEGER NOT NULL,
    type TEXT NOT NULL, param TEXT NOT NULL, pkey TEXT NOT NULL DEFAULT '',
    num REAL NOT NULL, num_low REAL NOT NULL, num_high REAL NOT NULL,
    PRIMARY KEY (rid, n)
) WITHOUT ROWID;
CREATE INDEX idx_number_search ON idx_number (type, param, num, rid);

CREATE TABLE idx_quantity (
    rid INTEGER NOT NULL, n INTEGER NOT NULL,
    type TEXT NOT NULL, param TEXT NOT NULL, pkey TEXT NOT NULL DEFAULT '',
    num REAL NOT NULL, num_low REAL NOT NULL, num_high REAL NOT NULL,
    system TEXT NOT NULL DEFAULT '', code TEXT NOT NULL DEFAULT '', unit TEXT NOT NULL DEFAULT '',
    canon REAL NOT NULL DEFAULT 0, canon_code TEXT NOT NULL DEFAULT '', has_canon INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rid, n)
) WITHOUT ROWID;
CREATE INDEX idx_quantity_search ON idx_quantity (type, param, num, rid);
CREATE INDEX idx_quantity_canon ON idx_quantity (type, param, canon_code, canon, rid);

CREATE TABLE idx_uri (
    rid INTEGER NOT NULL, n INTEGER NOT NULL,
    type TEXT NOT NULL, param TEXT NOT NULL, pkey TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (rid, n)
) WITHOUT ROWID;
CREATE INDEX idx_uri_search ON idx_uri (type, param, value, rid);

-- A composite value is several rows sharing (rid, param, grp), one per
-- component (pos), with the columns of the component's own kind.
CREATE TABLE idx_composite (
    rid INTEGER NOT NULL, n INTEGER NOT NULL,
    type TEXT NOT NULL, param TEXT NOT NULL, pkey TEXT NOT NULL DEFAULT '',
    grp INTEGER NOT NULL, pos INTEGER NOT NULL, kind TEXT NOT NULL,
    system TEXT NOT NULL DEFAULT '', code TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT '',
    tsys TEXT NOT NULL DEFAULT '', tcode TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL DEFAULT '', norm TEXT NOT NULL DEFAULT '',
    ref_type TEXT NOT NULL DEFAULT '', ref_id TEXT NOT NULL DEFAULT '',
    ref_url TEXT NOT NULL DEFAULT '', ref_version TEXT NOT NULL DEFAULT '',
    low INTEGER NOT NULL DEFAULT 0, high INTEGER NOT NULL DEFAULT 0,
    num REAL NOT NULL DEFAULT 0, num_low REAL NOT NULL DEFAULT 0, num_high REAL NOT NULL DEFAULT 0,
    unit TEXT NOT NULL DEFAULT '',
    canon REAL NOT NULL DEFAULT 0, canon_code TEXT NOT NULL DEFAULT '', has_canon INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rid, n)
) WITHOUT ROWID;
CREATE INDEX idx_composite_search ON idx_composite (type, param, pos, code, rid);
CREATE INDEX idx_composite_group ON idx_composite (rid, param, grp, pos);

-- Patient compartment membership (a resource may be in several).
CREATE TABLE compartments (
    patient TEXT NOT NULL, rid INTEGER NOT NULL,
    PRIMARY KEY (patient, rid)
) WITHOUT ROWID;
CREATE INDEX compartments_rid ON compartments (rid);

-- +goose Down
DROP TABLE compartments;
DROP TABLE idx_composite;
DROP TABLE idx_uri;
DROP TABLE idx_quantity;
DROP TABLE idx_number;
DROP TABLE idx_date;
DROP TABLE idx_reference;
DROP TABLE idx_string;
DROP TABLE idx_token;
