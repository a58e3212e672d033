-- The review-run lock: a lease that one `review` run holds while it files, so that two runs
-- on one store (the service's filing job and a scheduled `supportops review`, say) never file
-- the same subject twice or settle each other's unfinished filings. At most one row. A holder
-- renews `expires_at` while it works; a lease past `expires_at` belongs to a run that stopped
-- (it crashed or was killed) and may be taken over. Timestamps are RFC 3339 text in UTC.

CREATE TABLE review_lock (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    holder      TEXT NOT NULL,               -- who runs, e.g. `supportops review (pid 4242)`
    acquired_at TEXT NOT NULL,
    renewed_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
