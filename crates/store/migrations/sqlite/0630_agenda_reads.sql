-- What the monthly agenda reads cheaply at any history: the review issues recorded since the
-- last monthly sync (a range of recording times), and the open ones (and those not seen yet)
-- in issue-number order, so the first few of each part are read without going through the
-- closed history, and each part is counted in an index range.
CREATE INDEX review_issues_by_project_time ON review_issues (project, recorded_at, iid);
CREATE INDEX review_issues_by_project_state ON review_issues (project, state, iid, recorded_at);

-- The local tracker's issues changed since a time (the agenda's review issues closed since the
-- last monthly sync), read from an index range instead of every issue of the project.
CREATE INDEX local_issues_by_update ON local_issues (project, updated_at);
