//! Store port for intake: a webhook delivery stored and, when flagged, queued for background
//! filing in one transaction, and the durable queue the filing job drains.
//!
//! A queued response leaves the queue only after its subject was filed
//! ([`IntakeQueue::finish_intake`]): a service killed mid-filing finds it queued again, and the
//! filing markers and intents make the second attempt file nothing twice.

use std::time::Duration;

use jiff::Timestamp;
use supportops_domain::{ResponseKey, ScoredResponse, SubjectUrl};

use super::StoreError;
use super::responses::ImportCounts;

/// What storing one delivered response did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Seen for the first time.
    Inserted,
    /// Already stored, with other cells or another score: stored again.
    Updated,
    /// Already stored as it is: nothing written.
    Unchanged,
}

/// Who claims queued responses, until when, and how many.
#[derive(Debug, Clone)]
pub struct IntakeClaim<'a> {
    /// The filer, e.g. `serve on host-a (pid 42)`; kept on the rows it holds.
    pub holder: &'a str,
    /// The time of the claim: rows whose lease ended by then may be claimed again.
    pub now: Timestamp,
    /// How long the claimed rows stay held unless finished or released.
    pub lease: Duration,
    /// At most this many rows.
    pub limit: usize,
}

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
    /// Stores delivered responses as [`super::ResponseStore::import_responses`] does and
    /// queues each flagged one that is new or changed, all in one transaction (one commit for
    /// many deliveries): one indexed lookup and a few multi-row inserts, whatever the store
    /// holds. What happened to each response, in order; a key given twice is stored as the
    /// later one says, the later one counted against the earlier.
    async fn accept_responses(
        &self,
        responses: &[ScoredResponse],
        at: Timestamp,
    ) -> Result<Vec<Accepted>, StoreError>;

    /// [`IntakeQueue::accept_responses`] for one response, counted.
    async fn accept_response(
        &self,
        response: &ScoredResponse,
        at: Timestamp,
    ) -> Result<ImportCounts, StoreError> {
        let mut counts = ImportCounts::default();
        for accepted in self
            .accept_responses(std::slice::from_ref(response), at)
            .await?
        {
            match accepted {
                Accepted::Inserted => counts.inserted += 1,
                Accepted::Updated => counts.updated += 1,
                Accepted::Unchanged => counts.unchanged += 1,
            }
        }
        Ok(counts)
    }

    /// Claims up to `claim.limit` queued responses nobody holds (or whose holder's lease
    /// ended), oldest first, for `claim.holder`: filers on several replicas take different
    /// rows. They stay queued until [`IntakeQueue::finish_intake`]; a filer that died leaves
    /// them to be claimed again when the lease ends.
    async fn claim_intake(&self, claim: &IntakeClaim<'_>) -> Result<Vec<IntakeEntry>, StoreError>;

    /// Extends `holder`'s lease on the claimed responses `ids` to `until`, while it files them;
    /// returns how many it still holds (fewer when its lease had ended and another filer took
    /// them over).
    async fn renew_intake(
        &self,
        holder: &str,
        ids: &[i64],
        until: Timestamp,
    ) -> Result<u64, StoreError>;

    /// Removes filed responses from the queue.
    async fn finish_intake(&self, ids: &[i64]) -> Result<(), StoreError>;

    /// Gives claimed responses back to the queue at once (their filing failed and is to be
    /// tried again by whichever filer comes next).
    async fn release_intake(&self, ids: &[i64]) -> Result<(), StoreError>;

    /// How many responses are queued.
    async fn intake_len(&self) -> Result<u64, StoreError>;
}
