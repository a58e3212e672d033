-- The Reviews page's band filter asks, for each issue, whether it covers a response of a
-- band: one seek in this index instead of a walk through all the issue's coverage.
CREATE INDEX review_coverage_by_issue_band ON review_coverage (review_issue_id, band);
