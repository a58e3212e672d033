-- The local tracker: issues, notes, labels and assignees kept in the store.

CREATE TABLE local_users (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL
);

CREATE TABLE local_issues (
    id          INTEGER PRIMARY KEY,
    project     TEXT NOT NULL,
    iid         BIGINT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    state       TEXT NOT NULL,               -- opened | closed
    labels      TEXT NOT NULL,               -- JSON array, in the order given
    assignees   TEXT NOT NULL,               -- JSON array of usernames
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    closed_at   TEXT,
    UNIQUE (project, iid)
);

CREATE TABLE local_notes (
    id         INTEGER PRIMARY KEY,
    issue_id   BIGINT NOT NULL REFERENCES local_issues (id),
    body       TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX local_notes_by_issue ON local_notes (issue_id);
