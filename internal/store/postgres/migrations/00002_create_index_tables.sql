-- One table per search-parameter KIND (never a column per parameter): a new
-- SearchParameter is data, not a migration. Only the current version of a
-- resource has rows here, so searches need no version filter. Every row
-- carries the patient-compartment key pkey (the distribution column of a
-- Citus-style deployment, see docs/scaling.md). The primary key (rid, n)
-- serves the delete of a resource's rows on update.

-- +goose Up
CREATE TABLE idx_token (
    rid BIGINT NOT NULL, n BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL, param TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL DEFAULT '',
    system TEXT COLLATE "C" NOT NULL DEFAULT '', code TEXT COLLATE "C" NOT NULL DEFAULT '', text TEXT COLLATE "C" NOT NULL DEFAULT '',
    tsys TEXT COLLATE "C" NOT NULL DEFAULT '', tcode TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (rid, n)
);
CREATE INDEX idx_token_search ON idx_token (type, param, code, system, rid);

CREATE TABLE idx_string (
    rid BIGINT NOT NULL, n BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL, param TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL DEFAULT '',
    value TEXT COLLATE "C" NOT NULL DEFAULT '', norm TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (rid, n)
);
CREATE INDEX idx_string_search ON idx_string (type, param, norm, rid);

CREATE TABLE idx_reference (
    rid BIGINT NOT NULL, n BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL, param TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL DEFAULT '',
    ref_type TEXT COLLATE "C" NOT NULL DEFAULT '', ref_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    ref_url TEXT COLLATE "C" NOT NULL DEFAULT '', ref_version TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (rid, n)
);
CREATE INDEX idx_reference_search ON idx_reference (type, param, ref_id, ref_type, rid);
-- reverse lookups: _revinclude and _has start from the target.
CREATE INDEX idx_reference_target ON idx_reference (ref_id, ref_type, param, type, rid);

CREATE TABLE idx_date (
    rid BIGINT NOT NULL, n BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL, param TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL DEFAULT '',
    low BIGINT NOT NULL, high BIGINT NOT NULL,
    PRIMARY KEY (rid, n)
);
CREATE INDEX idx_date_search ON idx_date (type, param, low, high, rid);

CREATE TABLE idx_number (
    rid BIGINT NOT NULL, n BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL, param TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL DEFAULT '',
    num DOUBLE PRECISION NOT NULL, num_low DOUBLE PRECISION NOT NULL, num_high DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (rid, n)
);
CREATE INDEX idx_number_search ON idx_number (type, param, num, rid);

CREATE TABLE idx_quantity (
    rid BIGINT NOT NULL, n BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL, param TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL DEFAULT '',
    num DOUBLE PRECISION NOT NULL, num_low DOUBLE PRECISION NOT NULL, num_high DOUBLE PRECISION NOT NULL,
    system TEXT COLLATE "C" NOT NULL DEFAULT '', code TEXT COLLATE "C" NOT NULL DEFAULT '', unit TEXT COLLATE "C" NOT NULL DEFAULT '',
    canon DOUBLE PRECISION NOT NULL DEFAULT 0, canon_code TEXT COLLATE "C" NOT NULL DEFAULT '', has_canon BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (rid, n)
);
CREATE INDEX idx_quantity_search ON idx_quantity (type, param, num, rid);
CREATE INDEX idx_quantity_canon ON idx_quantity (type, param, canon_code, canon, rid);

CREATE TABLE idx_uri (
    rid BIGINT NOT NULL, n BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL, param TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL DEFAULT '',
    value TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (rid, n)
);
CREATE INDEX idx_uri_search ON idx_uri (type, param, value, rid);

-- A composite value is several rows sharing (rid, param, grp), one per
-- component (pos), with the columns of the component's own kind.
CREATE TABLE idx_composite (
    rid BIGINT NOT NULL, n BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL, param TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL DEFAULT '',
    grp BIGINT NOT NULL, pos BIGINT NOT NULL, kind TEXT COLLATE "C" NOT NULL,
    system TEXT COLLATE "C" NOT NULL DEFAULT '', code TEXT COLLATE "C" NOT NULL DEFAULT '', text TEXT COLLATE "C" NOT NULL DEFAULT '',
    tsys TEXT COLLATE "C" NOT NULL DEFAULT '', tcode TEXT COLLATE "C" NOT NULL DEFAULT '',
    value TEXT COLLATE "C" NOT NULL DEFAULT '', norm TEXT COLLATE "C" NOT NULL DEFAULT '',
    ref_type TEXT COLLATE "C" NOT NULL DEFAULT '', ref_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    ref_url TEXT COLLATE "C" NOT NULL DEFAULT '', ref_version TEXT COLLATE "C" NOT NULL DEFAULT '',
    low BIGINT NOT NULL DEFAULT 0, high BIGINT NOT NULL DEFAULT 0,
    num DOUBLE PRECISION NOT NULL DEFAULT 0, num_low DOUBLE PRECISION NOT NULL DEFAULT 0, num_high DOUBLE PRECISION NOT NULL DEFAULT 0,
    unit TEXT COLLATE "C" NOT NULL DEFAULT '',
    canon DOUBLE PRECISION NOT NULL DEFAULT 0, canon_code TEXT COLLATE "C" NOT NULL DEFAULT '', has_canon BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (rid, n)
);
CREATE INDEX idx_composite_search ON idx_composite (type, param, pos, code, rid);
CREATE INDEX idx_composite_group ON idx_composite (rid, param, grp, pos);

-- Patient compartment membership (a resource may be in several).
CREATE TABLE compartments (
    patient TEXT COLLATE "C" NOT NULL, rid BIGINT NOT NULL,
    PRIMARY KEY (patient, rid)
);
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
