//! Store port for intake: a webhook delivery stored and, when flagged, queued for background
//! filing in one transaction, and the durable queue the filing job drains.
//!
//! A queued response leaves the queue only after its subject was filed
//! ([`IntakeQueue::finish_intake`]): a service killed mid-filing finds it queued again, and the
//! filing markers and intents make the second attempt file nothing twice.

use jiff::Timestamp;
use supportops_domain::{ResponseKey, ScoredResponse, SubjectUrl};

use super::StoreError;
use super::responses::ImportCounts;

/// A queued response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeEntry {
    /// The queue's id for it, oldest lowest.
    pub id: i64,
    /// The response.
    pub key: ResponseKey,
    /// Its subject.
    pub subject: SubjectUrl,
    /// When it was queued.
    pub enqueued_at: Timestamp,
}

/// The intake queue.
#[async_trait::async_trait]
pub trait IntakeQueue: Send + Sync {
    /// Stores one delivered response as [`super::ResponseStore::import_responses`] does and,
    /// when it is flagged and new or changed, queues it, in one transaction: one indexed
    /// lookup and a few inserts, whatever the store holds.
    async fn accept_response(
        &self,
        response: &ScoredResponse,
        at: Timestamp,
    ) -> Result<ImportCounts, StoreError>;

    /// Up to `limit` queued responses, oldest first. They stay queued until
    /// [`IntakeQueue::finish_intake`]; the review lock keeps two filers apart (a backend with
    /// row locks may also skip rows another filer claimed).
    async fn claim_intake(&self, limit: usize) -> Result<Vec<IntakeEntry>, StoreError>;

    /// Removes filed responses from the queue.
    async fn finish_intake(&self, ids: &[i64]) -> Result<(), StoreError>;

    /// How many responses are queued.
    async fn intake_len(&self) -> Result<u64, StoreError>;
}
