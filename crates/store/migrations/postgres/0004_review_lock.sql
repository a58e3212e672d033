-- The review-run lock: a lease that one `review` run holds while it files (see the SQLite
-- migration of the same number). At most one row.

CREATE TABLE review_lock (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    holder      TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    renewed_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
