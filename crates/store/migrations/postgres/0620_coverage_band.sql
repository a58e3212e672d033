-- Each covered response's band, kept beside its coverage (written when it is covered, and
-- again when an import changes the response): the Reviews page counts a page's covered
-- responses per band from this index alone, without reading the responses they cover.
ALTER TABLE review_coverage ADD COLUMN band TEXT;
UPDATE review_coverage SET band =
    (SELECT r.band FROM responses r WHERE r.response_key = review_coverage.response_key);
DROP INDEX review_coverage_by_issue_time;
CREATE INDEX review_coverage_by_issue_time
    ON review_coverage (review_issue_id, covered_at, response_key, note_id, band);
