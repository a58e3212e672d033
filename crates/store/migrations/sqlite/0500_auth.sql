-- Who may use the service: browser sessions (shared by every replica), sign-ins under way,
-- API tokens (only their SHA-256 is kept), and the activity list of what people did from the
-- dashboard. Timestamps are RFC 3339 text in UTC.

CREATE TABLE auth_sessions (
    id_hash    TEXT PRIMARY KEY,   -- SHA-256 of the cookie's value, hex
    username   TEXT NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,      -- viewer | editor
    csrf       TEXT NOT NULL,      -- the session's CSRF token
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE auth_sign_ins (
    state_hash TEXT PRIMARY KEY,   -- SHA-256 of the OAuth state, hex
    verifier   TEXT NOT NULL,      -- the PKCE code verifier
    next       TEXT NOT NULL,      -- the page to show after signing in
    created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,    -- viewer | editor
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);

-- One token not revoked per name.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;

CREATE TABLE activity (
    id     INTEGER PRIMARY KEY,
    item   TEXT NOT NULL,          -- review:<project>#<iid>, sync:<date>, shadow:<id>
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    at     TEXT NOT NULL
);

CREATE INDEX activity_by_item ON activity (item, id);
