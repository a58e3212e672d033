-- The syncs: reschedules of the weekly series, changes to single weekly occurrences, monthly
-- syncs held with their agenda items, and review outcomes. Rows are appended and kept as
-- history; later rows win where they overlap. Timestamps are RFC 3339 text in UTC, dates
-- ISO 8601 (YYYY-MM-DD), zones IANA names.

CREATE TABLE sync_reschedules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    from_date      TEXT NOT NULL,              -- first date it applies to, in `timezone`
    weekday        TEXT NOT NULL,              -- monday … sunday
    start_time     TEXT NOT NULL,              -- HH:MM in `timezone`
    timezone       TEXT NOT NULL,
    length_minutes INTEGER NOT NULL CHECK (length_minutes > 0),
    recorded_at    TEXT NOT NULL
);

CREATE TABLE sync_occurrence_changes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    occurrence_date TEXT NOT NULL,             -- the date it was scheduled on: its name
    kind            TEXT NOT NULL CHECK (kind IN ('moved', 'cancelled')),
    moved_to        TEXT,                      -- local date-time in `moved_zone`, when moved
    moved_zone      TEXT,
    recorded_at     TEXT NOT NULL,
    CHECK ((kind = 'moved') = (moved_to IS NOT NULL AND moved_zone IS NOT NULL))
);

CREATE INDEX sync_occurrence_changes_by_date ON sync_occurrence_changes (occurrence_date);

CREATE TABLE sync_meetings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_date TEXT NOT NULL UNIQUE,
    held_at      TEXT NOT NULL,                -- "since the last meeting" counts from here
    recorded_at  TEXT NOT NULL
);

CREATE TABLE sync_meeting_items (
    meeting_id INTEGER NOT NULL REFERENCES sync_meetings (id) ON DELETE CASCADE,
    iid        INTEGER NOT NULL,               -- a review issue in the review project
    part       TEXT NOT NULL CHECK (part IN ('new', 'past')),
    discussed  INTEGER NOT NULL CHECK (discussed IN (0, 1)),
    PRIMARY KEY (meeting_id, iid)
);

CREATE TABLE sync_outcomes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project     TEXT NOT NULL,
    iid         INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('resolved', 'not-resolved')),
    recorded_at TEXT NOT NULL
);

CREATE INDEX sync_outcomes_by_issue ON sync_outcomes (project, iid);
