//! Store port for reading which review issue covers each flagged response, so the dashboard can
//! list a review issue's responses without asking the tracker.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use supportops_domain::ResponseKey;

use super::StoreError;

/// One covered response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// The response.
    pub key: ResponseKey,
    /// The store's id of the review issue covering it ([`ReviewIssueRecord::id`](super::review::ReviewIssueRecord::id)).
    pub review_issue_id: i64,
    /// The note that listed it, when it was added to an open issue later.
    pub note_id: Option<u64>,
    /// When the coverage was recorded.
    pub covered_at: Timestamp,
}

/// Reading review coverage.
#[async_trait::async_trait]
pub trait CoverageStore: Send + Sync {
    /// Every covered response, oldest coverage first.
    async fn review_coverage(&self) -> Result<Vec<Coverage>, StoreError>;
}
