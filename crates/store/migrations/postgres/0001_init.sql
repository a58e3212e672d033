-- The store's bookkeeping table; areas add their own migrations after this one.
-- PostgreSQL twin of `migrations/sqlite/0001_init.sql`: the same tables and columns, integers
-- as BIGINT and row ids as identity columns.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
