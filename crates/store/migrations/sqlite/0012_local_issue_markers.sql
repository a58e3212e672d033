-- The hidden markers (`<!-- supportops:… -->`, whole) in each local issue's description, so
-- that finding an issue by its marker is an indexed lookup, not a listing of the project.
-- Filled when an issue is created or its description edited; backfilled here for the issues
-- already kept. Lists of responses (`supportops:responses=…`) are not markers of an issue.
CREATE TABLE local_issue_markers (
    issue_id BIGINT NOT NULL REFERENCES local_issues (id),
    marker   TEXT NOT NULL,
    UNIQUE (issue_id, marker)
);

CREATE INDEX local_issue_markers_by_marker ON local_issue_markers (marker);

-- Each step takes the first `<!-- supportops:` of the rest of the text through its ` -->`.
WITH RECURSIVE scan (issue_id, marker, rest) AS (
    SELECT id, NULL, description FROM local_issues
    UNION ALL
    SELECT
        issue_id,
        substr(
            substr(rest, instr(rest, '<!-- supportops:')),
            1,
            instr(substr(rest, instr(rest, '<!-- supportops:')), ' -->') + 3
        ),
        substr(
            substr(rest, instr(rest, '<!-- supportops:')),
            instr(substr(rest, instr(rest, '<!-- supportops:')), ' -->') + 4
        )
    FROM scan
    WHERE instr(rest, '<!-- supportops:') > 0
      AND instr(substr(rest, instr(rest, '<!-- supportops:')), ' -->') > 0
)
INSERT OR IGNORE INTO local_issue_markers (issue_id, marker)
SELECT issue_id, marker FROM scan
WHERE marker IS NOT NULL
  AND marker NOT LIKE '<!-- supportops:responses=%'
  AND instr(marker, char(10)) = 0;
