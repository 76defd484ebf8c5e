-- A composite value becomes ONE row instead of one row per component
-- (docs/scaling.md: composite rows were a quarter of all index rows). The
-- columns of component k are prefixed ck_ and are the union of what a
-- component's search condition reads (token: system, code; string: norm;
-- uri: value; reference: ref_type, ref_id, ref_url; date: low, high;
-- number: num; quantity: num, system, code, unit, canon, canon_code,
-- has_canon). The R4 parameters have at most three components.

-- +goose Up
CREATE TABLE idx_composite1 (
    rid BIGINT NOT NULL, n BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL, param TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL DEFAULT '',
    c0_system TEXT COLLATE "C" NOT NULL DEFAULT '', c0_code TEXT COLLATE "C" NOT NULL DEFAULT '', c0_value TEXT COLLATE "C" NOT NULL DEFAULT '', c0_norm TEXT COLLATE "C" NOT NULL DEFAULT '', c0_ref_type TEXT COLLATE "C" NOT NULL DEFAULT '', c0_ref_id TEXT COLLATE "C" NOT NULL DEFAULT '', c0_ref_url TEXT COLLATE "C" NOT NULL DEFAULT '', c0_low BIGINT NOT NULL DEFAULT 0, c0_high BIGINT NOT NULL DEFAULT 0, c0_num DOUBLE PRECISION NOT NULL DEFAULT 0, c0_unit TEXT COLLATE "C" NOT NULL DEFAULT '', c0_canon DOUBLE PRECISION NOT NULL DEFAULT 0, c0_canon_code TEXT COLLATE "C" NOT NULL DEFAULT '', c0_has_canon BIGINT NOT NULL DEFAULT 0,
    c1_system TEXT COLLATE "C" NOT NULL DEFAULT '', c1_code TEXT COLLATE "C" NOT NULL DEFAULT '', c1_value TEXT COLLATE "C" NOT NULL DEFAULT '', c1_norm TEXT COLLATE "C" NOT NULL DEFAULT '', c1_ref_type TEXT COLLATE "C" NOT NULL DEFAULT '', c1_ref_id TEXT COLLATE "C" NOT NULL DEFAULT '', c1_ref_url TEXT COLLATE "C" NOT NULL DEFAULT '', c1_low BIGINT NOT NULL DEFAULT 0, c1_high BIGINT NOT NULL DEFAULT 0, c1_num DOUBLE PRECISION NOT NULL DEFAULT 0, c1_unit TEXT COLLATE "C" NOT NULL DEFAULT '', c1_canon DOUBLE PRECISION NOT NULL DEFAULT 0, c1_canon_code TEXT COLLATE "C" NOT NULL DEFAULT '', c1_has_canon BIGINT NOT NULL DEFAULT 0,
    c2_system TEXT COLLATE "C" NOT NULL DEFAULT '', c2_code TEXT COLLATE "C" NOT NULL DEFAULT '', c2_value TEXT COLLATE "C" NOT NULL DEFAULT '', c2_norm TEXT COLLATE "C" NOT NULL DEFAULT '', c2_ref_type TEXT COLLATE "C" NOT NULL DEFAULT '', c2_ref_id TEXT COLLATE "C" NOT NULL DEFAULT '', c2_ref_url TEXT COLLATE "C" NOT NULL DEFAULT '', c2_low BIGINT NOT NULL DEFAULT 0, c2_high BIGINT NOT NULL DEFAULT 0, c2_num DOUBLE PRECISION NOT NULL DEFAULT 0, c2_unit TEXT COLLATE "C" NOT NULL DEFAULT '', c2_canon DOUBLE PRECISION NOT NULL DEFAULT 0, c2_canon_code TEXT COLLATE "C" NOT NULL DEFAULT '', c2_has_canon BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (rid, n)
);
INSERT INTO idx_composite1 (rid, n, type, param, pkey, c0_system, c0_code, c0_value, c0_norm, c0_ref_type, c0_ref_id, c0_ref_url, c0_low, c0_high, c0_num, c0_unit, c0_canon, c0_canon_code, c0_has_canon, c1_system, c1_code, c1_value, c1_norm, c1_ref_type, c1_ref_id, c1_ref_url, c1_low, c1_high, c1_num, c1_unit, c1_canon, c1_canon_code, c1_has_canon, c2_system, c2_code, c2_value, c2_norm, c2_ref_type, c2_ref_id, c2_ref_url, c2_low, c2_high, c2_num, c2_unit, c2_canon, c2_canon_code, c2_has_canon)
SELECT a.rid, a.n, a.type, a.param, a.pkey, a.system, a.code, a.value, a.norm, a.ref_type, a.ref_id, a.ref_url, a.low, a.high, a.num, a.unit, a.canon, a.canon_code, a.has_canon, COALESCE(b.system, ''), COALESCE(b.code, ''), COALESCE(b.value, ''), COALESCE(b.norm, ''), COALESCE(b.ref_type, ''), COALESCE(b.ref_id, ''), COALESCE(b.ref_url, ''), COALESCE(b.low, 0), COALESCE(b.high, 0), COALESCE(b.num, 0), COALESCE(b.unit, ''), COALESCE(b.canon, 0), COALESCE(b.canon_code, ''), COALESCE(b.has_canon, 0), COALESCE(c.system, ''), COALESCE(c.code, ''), COALESCE(c.value, ''), COALESCE(c.norm, ''), COALESCE(c.ref_type, ''), COALESCE(c.ref_id, ''), COALESCE(c.ref_url, ''), COALESCE(c.low, 0), COALESCE(c.high, 0), COALESCE(c.num, 0), COALESCE(c.unit, ''), COALESCE(c.canon, 0), COALESCE(c.canon_code, ''), COALESCE(c.has_canon, 0)
FROM idx_composite a
LEFT JOIN idx_composite b ON b.rid = a.rid AND b.param = a.param AND b.grp = a.grp AND b.pos = 1
LEFT JOIN idx_composite c ON c.rid = a.rid AND c.param = a.param AND c.grp = a.grp AND c.pos = 2
WHERE a.pos = 0;
DROP TABLE idx_composite;
ALTER TABLE idx_composite1 RENAME TO idx_composite;
CREATE INDEX idx_composite_search ON idx_composite (type, param, c0_code, rid);

-- +goose Down
CREATE TABLE idx_composite0 (
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
INSERT INTO idx_composite0 (rid, n, type, param, pkey, grp, pos, kind, system, code, value, norm, ref_type, ref_id, ref_url, low, high, num, unit, canon, canon_code, has_canon)
SELECT rid, n * 3 + 0, type, param, pkey, n, 0, '', c0_system, c0_code, c0_value, c0_norm, c0_ref_type, c0_ref_id, c0_ref_url, c0_low, c0_high, c0_num, c0_unit, c0_canon, c0_canon_code, c0_has_canon FROM idx_composite;
INSERT INTO idx_composite0 (rid, n, type, param, pkey, grp, pos, kind, system, code, value, norm, ref_type, ref_id, ref_url, low, high, num, unit, canon, canon_code, has_canon)
SELECT rid, n * 3 + 1, type, param, pkey, n, 1, '', c1_system, c1_code, c1_value, c1_norm, c1_ref_type, c1_ref_id, c1_ref_url, c1_low, c1_high, c1_num, c1_unit, c1_canon, c1_canon_code, c1_has_canon FROM idx_composite WHERE c1_system <> '' OR c1_code <> '' OR c1_value <> '' OR c1_norm <> '' OR c1_ref_id <> '' OR c1_ref_url <> '' OR c1_low <> 0 OR c1_high <> 0 OR c1_num <> 0;
INSERT INTO idx_composite0 (rid, n, type, param, pkey, grp, pos, kind, system, code, value, norm, ref_type, ref_id, ref_url, low, high, num, unit, canon, canon_code, has_canon)
SELECT rid, n * 3 + 2, type, param, pkey, n, 2, '', c2_system, c2_code, c2_value, c2_norm, c2_ref_type, c2_ref_id, c2_ref_url, c2_low, c2_high, c2_num, c2_unit, c2_canon, c2_canon_code, c2_has_canon FROM idx_composite WHERE c2_system <> '' OR c2_code <> '' OR c2_value <> '' OR c2_norm <> '' OR c2_ref_id <> '' OR c2_ref_url <> '' OR c2_low <> 0 OR c2_high <> 0 OR c2_num <> 0;
DROP TABLE idx_composite;
ALTER TABLE idx_composite0 RENAME TO idx_composite;
CREATE INDEX idx_composite_search ON idx_composite (type, param, pos, code, rid);
