-- Changes to single monthly syncs: moved to another time, or cancelled. Like the weekly ones
-- (`sync_occurrence_changes`), rows are appended and kept as history; the latest row for a
-- date wins. An occurrence is named by the date the monthly rule gives it.

CREATE TABLE sync_monthly_changes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    occurrence_date TEXT NOT NULL,             -- the date the rule gives it: its name
    kind            TEXT NOT NULL CHECK (kind IN ('moved', 'cancelled')),
    moved_to        TEXT,                      -- local date-time in `moved_zone`, when moved
    moved_zone      TEXT,
    recorded_at     TEXT NOT NULL,
    CHECK ((kind = 'moved') = (moved_to IS NOT NULL AND moved_zone IS NOT NULL))
);

CREATE INDEX sync_monthly_changes_by_date ON sync_monthly_changes (occurrence_date);
