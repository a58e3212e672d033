-- What the pages read cheaply at any store size.
--
-- Lists of responses newest first (unknown times last), in a band or not, with the key last:
-- a page's keys are read from the index alone, however deep the page (SQLite sorts NULL lowest, so a
-- descending index puts unknown times last, as PostgreSQL's `NULLS LAST` says).
CREATE INDEX responses_newest
    ON responses (submitted_at DESC, first_seen_at DESC, sheet_row DESC, response_key DESC);
CREATE INDEX responses_by_band_newest
    ON responses (band, submitted_at DESC, first_seen_at DESC, sheet_row DESC, response_key DESC);

-- Subjects with two open review issues are found in this index alone.
CREATE INDEX review_issues_by_state_subject ON review_issues (state, subject, iid);

-- How many responses review issues cover, kept by triggers as coverage is written (the
-- Reviews page's "not filed yet" count), instead of counting the coverage on each request.
CREATE TABLE review_coverage_count (
    id      INTEGER PRIMARY KEY,
    covered BIGINT NOT NULL
);
INSERT INTO review_coverage_count (id, covered) SELECT 1, COUNT(*) FROM review_coverage;

CREATE TRIGGER review_coverage_counted AFTER INSERT ON review_coverage
BEGIN
    UPDATE review_coverage_count SET covered = covered + 1 WHERE id = 1;
END;

CREATE TRIGGER review_coverage_uncounted AFTER DELETE ON review_coverage
BEGIN
    UPDATE review_coverage_count SET covered = covered - 1 WHERE id = 1;
END;
