-- The Reviews page reads its issues' covered responses from this index in order, each issue's
-- in the order they were covered, without reading the coverage rows (it replaces the index on
-- the issue alone, a prefix of it).
DROP INDEX review_coverage_by_issue;
CREATE INDEX review_coverage_by_issue_time
    ON review_coverage (review_issue_id, covered_at, response_key, note_id);
