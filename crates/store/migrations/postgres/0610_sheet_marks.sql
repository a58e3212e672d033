-- Where the last clean `supportops review` of a sheet stopped reading (the bytes before its
-- last row, their XXH3-128 hash in hex, the rows and lines they hold), under the context it
-- read them in (formula, thresholds, layout, version), with the counts of the responses before
-- the mark: the next run hashes those bytes again and, when they are the same, reads on from
-- there.
CREATE TABLE sheet_marks (
    source TEXT PRIMARY KEY,
    context TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    hash TEXT NOT NULL,
    sheet_row BIGINT NOT NULL,
    line BIGINT NOT NULL,
    responses BIGINT NOT NULL,
    flagged BIGINT NOT NULL,
    uncovered BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
