-- Formula versions: each scoring formula (normalised text and band thresholds) the product
-- has scored stored responses with, and which version scored each response. Responses stored
-- before this migration keep a NULL version: an unrecorded formula scored them.
-- Timestamps are RFC 3339 text in UTC.

CREATE TABLE formula_versions (
    id            INTEGER PRIMARY KEY,
    hash          TEXT NOT NULL UNIQUE,      -- FormulaSpec::hash
    formula       TEXT NOT NULL,             -- normalised, with the leading `=`
    green         DOUBLE PRECISION NOT NULL, -- band thresholds scored with
    yellow        DOUBLE PRECISION NOT NULL,
    note          TEXT,                      -- score.formula_note, latest given
    first_used_at TEXT NOT NULL,
    last_used_at  TEXT NOT NULL
);

ALTER TABLE responses ADD COLUMN formula_version BIGINT REFERENCES formula_versions (id);

CREATE INDEX responses_by_formula_version ON responses (formula_version);
