-- The chat outbox: one row per message to the team's chat (a flagged response, a shadowing
-- session that needs an engineer, the weekly digest). A row is queued, then sent, or failed
-- once its tries are used up; `attempts` and `last_error` say what happened. `dedupe_key` keeps
-- a message from being queued twice (a digest per week, a session's ask once). A process
-- sending a row claims it first (`claimed_until`), so two processes never send it twice.

CREATE TABLE notify_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event           TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL UNIQUE,
    body            TEXT NOT NULL,             -- the chat text
    state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TEXT NOT NULL,             -- RFC 3339
    next_attempt_at TEXT NOT NULL,             -- RFC 3339: due from then on, while queued
    claimed_until   TEXT,                      -- RFC 3339: a sender's claim, while it tries
    sent_at         TEXT
);

CREATE INDEX notify_outbox_by_state ON notify_outbox (state, next_attempt_at);
