//! Store port for Support Shadowing: sessions (planned, scheduled, done, cancelled) and the
//! improvement issues filed from them.

use jiff::Timestamp;
use supportops_domain::shadow::{
    Improvement, Month, NewSession, SessionId, SessionState, ShadowSession,
};

use super::StoreError;

/// Which sessions to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionQuery {
    /// Only sessions of this month or later.
    pub from: Option<Month>,
    /// Only sessions of this month or earlier.
    pub to: Option<Month>,
    /// Only this member's sessions.
    pub member: Option<String>,
    /// Only sessions in this state.
    pub state: Option<SessionState>,
}

/// Storage for shadowing sessions.
#[async_trait::async_trait]
pub trait ShadowStore: Send + Sync {
    /// Records planned sessions, all or none, stamped `at`; returns them with their ids.
    async fn add_sessions(
        &self,
        sessions: &[NewSession],
        at: Timestamp,
    ) -> Result<Vec<ShadowSession>, StoreError>;

    /// One session with its improvements, or `None`.
    async fn session(&self, id: SessionId) -> Result<Option<ShadowSession>, StoreError>;

    /// The sessions matching `query`, by month, then id.
    async fn sessions(&self, query: &SessionQuery) -> Result<Vec<ShadowSession>, StoreError>;

    /// Saves a session's month, engineer, start, state, issue, notes, cancel reason and
    /// `updated_at`, provided its stored state is still `expected`; otherwise nothing is
    /// written and the answer is [`StoreError::Conflict`] (someone else changed it first).
    async fn update_session(
        &self,
        session: &ShadowSession,
        expected: SessionState,
    ) -> Result<(), StoreError>;

    /// Records an improvement issue filed from session `id`. Recording the same issue twice
    /// keeps one record.
    async fn add_improvement(
        &self,
        id: SessionId,
        improvement: &Improvement,
    ) -> Result<(), StoreError>;
}
