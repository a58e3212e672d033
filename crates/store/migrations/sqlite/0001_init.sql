-- The store's bookkeeping table; areas add their own migrations after this one.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
