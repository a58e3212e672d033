-- Every tracker write outside review filing (shadowing issues and notes, the agenda issue,
-- outcome labels, `issues close|reopen`) is recorded as an intent before the tracker is
-- called, then finished with its entry in `tracker_actions`, or marked failed. An intent still
-- pending belongs to a command that was interrupted; running the command again finds what it
-- made by its marker and finishes every pending intent of the same write.
CREATE TABLE tracker_intents (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    tracker     TEXT NOT NULL,
    action      TEXT NOT NULL,
    project     TEXT NOT NULL,
    iid         BIGINT,
    summary     TEXT NOT NULL,
    state       TEXT NOT NULL,               -- pending | done | failed
    action_id   BIGINT REFERENCES tracker_actions (id),
    failure     TEXT,
    finished_at TEXT
);

CREATE INDEX tracker_intents_pending ON tracker_intents (state);
