-- The intake queue: flagged responses a webhook delivery stored, waiting for background
-- filing. A delivery inserts its response and its queue row in one transaction; the filing
-- job deletes a row only after its subject was filed. Timestamps are RFC 3339 text in UTC.

CREATE TABLE intake_queue (
    id           INTEGER PRIMARY KEY,
    response_key TEXT NOT NULL UNIQUE REFERENCES responses (response_key),
    subject      TEXT NOT NULL,
    enqueued_at  TEXT NOT NULL
);

-- Flagged responses stored before the queue existed and not yet covered were filed by the
-- service's start-up pass over every response; they are queued once instead.
INSERT INTO intake_queue (response_key, subject, enqueued_at)
SELECT r.response_key, r.subject, r.updated_at FROM responses r
WHERE r.band <> 'green'
  AND NOT EXISTS (SELECT 1 FROM review_coverage c WHERE c.response_key = r.response_key)
ORDER BY r.updated_at, r.response_key;

-- Pages read responses newest first, in a band or not, and count them by month (the band and
-- score at the end make the monthly counts read the index alone).
CREATE INDEX responses_by_time
    ON responses (submitted_at, first_seen_at, sheet_row, band, score_number);
CREATE INDEX responses_by_band_time
    ON responses (band, submitted_at, first_seen_at, sheet_row);
-- The response counts per review issue.
CREATE INDEX review_coverage_by_issue ON review_coverage (review_issue_id);

-- Whether the sheet's stored score differs from the formula's (numbers within 1e-9 agree),
-- written on import so the overview counts mismatches in SQL. Rows stored before are set by
-- comparing the stored texts, which counts numbers written differently (`1` and `1.0`) as
-- differing until the row is imported again with a change.
ALTER TABLE responses ADD COLUMN mismatch BIGINT NOT NULL DEFAULT 0;
UPDATE responses SET mismatch = 1 WHERE stored_score IS NOT NULL AND stored_score <> score;

-- Counts per band and score read a covering index instead of the rows.
CREATE INDEX responses_by_band_score ON responses (band, score_number, mismatch);

-- Changes whenever stored responses change: the overview's aggregates are kept against it.
CREATE TABLE response_generation (
    id    INTEGER PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO response_generation (id, value) VALUES (1, 0);

-- The tracker state of each review issue as last seen (by filing, the Reviews page or the
-- service's refresh), so pages filter and count review issues in SQL.
ALTER TABLE review_issues ADD COLUMN state TEXT;
ALTER TABLE review_issues ADD COLUMN outcome TEXT;
CREATE INDEX review_issues_by_state ON review_issues (state, id);
