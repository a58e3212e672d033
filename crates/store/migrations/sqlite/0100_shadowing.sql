-- Support Shadowing: sessions and the improvement issues filed from them.
-- Months are `YYYY-MM` text (so they sort), timestamps RFC 3339 text in UTC.

CREATE TABLE shadow_sessions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    month          TEXT NOT NULL,
    member         TEXT NOT NULL,
    region         TEXT NOT NULL,
    engineer       TEXT,
    start_at       TEXT,
    length_minutes INTEGER NOT NULL,
    state          TEXT NOT NULL
                   CHECK (state IN ('planned', 'scheduled', 'done', 'cancelled')),
    reason         TEXT NOT NULL DEFAULT '',
    issue_project  TEXT,
    issue_iid      BIGINT,
    issue_web_url  TEXT,
    notes          TEXT,
    cancel_reason  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE INDEX shadow_sessions_by_month ON shadow_sessions (month);

CREATE TABLE shadow_improvements (
    session_id INTEGER NOT NULL REFERENCES shadow_sessions (id),
    project    TEXT NOT NULL,
    iid        BIGINT NOT NULL,
    web_url    TEXT NOT NULL,
    title      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (session_id, project, iid)
);
