-- Responses, subjects, Feedback Review issues, their coverage, filing intents, and the
-- append-only log of tracker actions. Timestamps are RFC 3339 text in UTC.

CREATE TABLE subjects (
    subject       TEXT PRIMARY KEY,
    first_seen_at TEXT NOT NULL
);

CREATE TABLE responses (
    response_key   TEXT PRIMARY KEY,
    sheet_row      BIGINT NOT NULL,
    timestamp_text TEXT NOT NULL,
    submitted_at   TEXT,
    subject_raw    TEXT NOT NULL,
    subject        TEXT NOT NULL REFERENCES subjects (subject),
    submitter      TEXT,
    cells          TEXT NOT NULL,            -- JSON array of the row's cells
    score          TEXT NOT NULL,            -- JSON: {"number":1}, {"error":"#VALUE!"}, …
    score_number   DOUBLE PRECISION,         -- the score when it is a number, for reports
    band           TEXT NOT NULL,            -- green | yellow | red | error
    stored_score   TEXT,                     -- JSON like `score`: the sheet's own score cell
    fingerprint    TEXT NOT NULL,            -- hash of the fields above, to see changes
    first_seen_at  TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE INDEX responses_by_subject ON responses (subject);
CREATE INDEX responses_by_band ON responses (band);

CREATE TABLE review_issues (
    id          INTEGER PRIMARY KEY,
    subject     TEXT NOT NULL,
    project     TEXT NOT NULL,
    iid         BIGINT NOT NULL,
    web_url     TEXT NOT NULL,
    previous_id BIGINT REFERENCES review_issues (id),
    origin      TEXT NOT NULL,               -- filed | found
    recorded_at TEXT NOT NULL,
    UNIQUE (project, iid)
);

CREATE INDEX review_issues_by_subject ON review_issues (subject);

-- Which review issue covers each flagged response: through its description, or a note on it.
CREATE TABLE review_coverage (
    response_key    TEXT PRIMARY KEY REFERENCES responses (response_key),
    review_issue_id BIGINT NOT NULL REFERENCES review_issues (id),
    note_id         BIGINT,
    covered_at      TEXT NOT NULL
);

-- An intent is recorded before the tracker is asked, and finished (or abandoned) after.
CREATE TABLE review_filings (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,             -- create | note
    tracker       TEXT NOT NULL,
    project       TEXT NOT NULL,
    subject       TEXT NOT NULL,
    issue_project TEXT,                      -- note: its issue; create: the closed issue it links
    issue_iid     BIGINT,
    issue_web_url TEXT,
    response_keys TEXT NOT NULL,             -- JSON array
    state         TEXT NOT NULL,             -- pending | done | abandoned
    created_at    TEXT NOT NULL,
    finished_at   TEXT
);

CREATE INDEX review_filings_pending ON review_filings (state);

CREATE TABLE tracker_actions (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    tracker TEXT NOT NULL,
    action  TEXT NOT NULL,
    project TEXT NOT NULL,
    iid     BIGINT,
    note_id BIGINT,
    web_url TEXT,
    summary TEXT NOT NULL
);

-- The action log is append-only.
CREATE TRIGGER tracker_actions_no_update BEFORE UPDATE ON tracker_actions
BEGIN
    SELECT RAISE(ABORT, 'the tracker action log is append-only');
END;

CREATE TRIGGER tracker_actions_no_delete BEFORE DELETE ON tracker_actions
BEGIN
    SELECT RAISE(ABORT, 'the tracker action log is append-only');
END;
