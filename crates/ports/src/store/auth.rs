//! Store port for who may use the service: browser sessions (so replicas share them), sign-ins
//! under way (the OAuth `state` and its PKCE verifier), API tokens kept only as hashes, and the
//! activity list of what each person did from the dashboard.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::StoreError;

/// What a signed-in person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads pages and `GET /api/v1/…`.
    Viewer,
    /// Also acts: forms and state-changing API calls.
    Editor,
}

impl Role {
    /// `viewer` or `editor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
        }
    }

    /// The role named `text` (`viewer` or `editor`).
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            _ => None,
        }
    }
}

/// A browser session. The cookie holds a random id; the store keeps only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie's value, hex.
    pub id_hash: String,
    /// The GitLab username (or `demo`, `local`).
    pub username: String,
    /// The person's display name.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// The session's CSRF token, sent back in every form and state-changing call.
    pub csrf: String,
    /// When it began.
    pub created_at: Timestamp,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// A sign-in under way: GitLab sends the browser back with `state`; its PKCE verifier and
/// where to go next wait here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// SHA-256 of the OAuth `state`, hex.
    pub state_hash: String,
    /// The PKCE code verifier.
    pub verifier: String,
    /// The page to show after signing in.
    pub next: String,
    /// When it began (sign-ins older than ten minutes are refused).
    pub created_at: Timestamp,
}

/// An API token for scripts. The token itself is shown once; the store keeps its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// Its name, unique.
    pub name: String,
    /// SHA-256 of the token, hex (never shown).
    #[serde(skip)]
    pub hash: String,
    /// What it may do.
    pub role: Role,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// When it was last used.
    pub last_used_at: Option<Timestamp>,
}

/// One thing a person did from the dashboard or the API, shown on the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// The item: `review:<project>#<iid>`, `sync:<date>`, `shadow:<id>`.
    pub item: String,
    /// Who did it (username).
    pub actor: String,
    /// What was done, e.g. `action plan written`.
    pub action: String,
    /// One line of detail (may be empty).
    pub detail: String,
    /// When.
    pub at: Timestamp,
}

/// Sessions, sign-ins, API tokens and the activity list.
#[async_trait::async_trait]
pub trait AuthStore: Send + Sync {
    /// Stores a new session.
    async fn create_session(&self, session: &SessionRecord) -> Result<(), StoreError>;

    /// The session with this hash, if it exists and has not ended at `now`.
    async fn find_session(
        &self,
        id_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionRecord>, StoreError>;

    /// Ends a session (signing out); ended sessions are removed too.
    async fn delete_session(&self, id_hash: &str, now: Timestamp) -> Result<(), StoreError>;

    /// Records a sign-in under way.
    async fn begin_sign_in(&self, pending: &PendingSignIn) -> Result<(), StoreError>;

    /// Takes (and removes) the sign-in with this state hash: each can be finished once.
    async fn take_sign_in(&self, state_hash: &str) -> Result<Option<PendingSignIn>, StoreError>;

    /// Stores a new token; [`StoreError::Conflict`] when a token not revoked has its name. A
    /// revoked token's name may be used again.
    async fn create_token(&self, token: &ApiToken) -> Result<(), StoreError>;

    /// The token not revoked with this hash, marking it used at `now`.
    async fn use_token(&self, hash: &str, now: Timestamp) -> Result<Option<ApiToken>, StoreError>;

    /// Every token, by name.
    async fn tokens(&self) -> Result<Vec<ApiToken>, StoreError>;

    /// Revokes the token `name`; `false` when there is no such token not yet revoked.
    async fn revoke_token(&self, name: &str, at: Timestamp) -> Result<bool, StoreError>;

    /// Appends to the activity list.
    async fn log_activity(&self, activity: &Activity) -> Result<(), StoreError>;

    /// The activity of `item`, oldest first.
    async fn activity(&self, item: &str) -> Result<Vec<Activity>, StoreError>;
}
