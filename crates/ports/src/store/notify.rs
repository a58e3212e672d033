//! Store port for chat notifications: the outbox. Each message is a row that goes
//! `queued → sent`, or `queued → failed` once its tries are used up, with the number of
//! attempts and the last error, so a message survives a restart and anyone can see what was
//! (not) delivered. A message is claimed for a short lease before it is sent, so two processes
//! sharing the store never send it twice.

use jiff::Timestamp;
use serde::Serialize;

use super::StoreError;

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting to be sent (first try, or a retry after a failure).
    Queued,
    /// The chat accepted it.
    Sent,
    /// Given up: tries used up, or refused for good (e.g. the URL is wrong).
    Failed,
}

impl DeliveryState {
    /// `queued`, `sent` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
        }
    }

    /// The inverse of [`DeliveryState::as_str`].
    pub fn parse(text: &str) -> Option<DeliveryState> {
        match text {
            "queued" => Some(DeliveryState::Queued),
            "sent" => Some(DeliveryState::Sent),
            "failed" => Some(DeliveryState::Failed),
            _ => None,
        }
    }
}

/// A message to add to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The event, e.g. `flagged_response`.
    pub event: String,
    /// Unique per message: a second message with the same key is not queued (a digest per
    /// week, a session's ask once).
    pub dedupe_key: String,
    /// The chat text.
    pub text: String,
    /// When it was queued.
    pub created_at: Timestamp,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Its id.
    pub id: i64,
    /// The event.
    pub event: String,
    /// Its unique key.
    pub dedupe_key: String,
    /// The chat text.
    pub text: String,
    /// Queued, sent or failed.
    pub state: DeliveryState,
    /// Tries so far.
    pub attempts: u32,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: Timestamp,
    /// When it is due (next) to be tried.
    pub next_attempt_at: Timestamp,
    /// When the chat accepted it.
    pub sent_at: Option<Timestamp>,
}

/// What became of one try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    /// Accepted.
    Sent,
    /// Failed; tried again at `next_attempt_at`.
    Retry {
        /// Why.
        error: String,
        /// When to try again.
        next_attempt_at: Timestamp,
    },
    /// Failed for good.
    Failed {
        /// Why.
        error: String,
    },
}

/// Storage for the chat outbox.
#[async_trait::async_trait]
pub trait NotifyStore: Send + Sync {
    /// Queues a message, due at once. `None` when a message with its key is already there.
    async fn enqueue_delivery(&self, new: &NewDelivery) -> Result<Option<i64>, StoreError>;

    /// Claims the oldest queued message due at `now` that no one else holds, until
    /// `lease_until`; `None` when nothing is due.
    async fn claim_delivery(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<Delivery>, StoreError>;

    /// Records a try of message `id` (claimed before) and releases the claim.
    async fn record_attempt(
        &self,
        id: i64,
        result: &AttemptResult,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// The latest `limit` messages, newest first.
    async fn deliveries(&self, limit: u32) -> Result<Vec<Delivery>, StoreError>;

    /// The message with this key, if any.
    async fn delivery_by_key(&self, dedupe_key: &str) -> Result<Option<Delivery>, StoreError>;

    /// When the next queued message is due, if any is queued.
    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError>;
}
