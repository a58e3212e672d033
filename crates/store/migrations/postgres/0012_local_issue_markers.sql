-- The hidden markers (`<!-- supportops:… -->`, whole) in each local issue's description, so
-- that finding an issue by its marker is an indexed lookup. A new PostgreSQL store has no
-- issues yet, so there is nothing to backfill (`supportops store copy` brings the index along).
CREATE TABLE local_issue_markers (
    issue_id BIGINT NOT NULL REFERENCES local_issues (id),
    marker   TEXT NOT NULL,
    UNIQUE (issue_id, marker)
);

CREATE INDEX local_issue_markers_by_marker ON local_issue_markers (marker);
