//! Store port for the action log: an append-only record of every change made in a tracker
//! (issues created, notes added, labels and states changed), whichever loop made it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::StoreError;

/// One change made in a tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerAction {
    /// When it was made.
    pub at: Timestamp,
    /// The tracker (its `describe()`), e.g. `local` or `gitlab at https://gitlab.com`.
    pub tracker: String,
    /// What was done: `create_issue`, `add_note`, `update_labels`, `set_state`, ….
    pub action: String,
    /// The project.
    pub project: String,
    /// The issue, when there is one.
    pub iid: Option<u64>,
    /// The note, for `add_note`.
    pub note_id: Option<u64>,
    /// A link to what was made or changed.
    pub web_url: Option<String>,
    /// One line for people, e.g. the issue title.
    pub summary: String,
}

/// A logged action with its position in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedAction {
    /// Position in the log, increasing.
    pub id: i64,
    /// The action.
    #[serde(flatten)]
    pub action: TrackerAction,
}

/// The append-only log of tracker actions.
#[async_trait::async_trait]
pub trait ActionLog: Send + Sync {
    /// Appends an action; returns its position.
    async fn log_action(&self, action: &TrackerAction) -> Result<i64, StoreError>;

    /// The log, oldest first.
    async fn actions(&self) -> Result<Vec<LoggedAction>, StoreError>;

    /// Records the intent to make a change, before the tracker is called; returns its id.
    async fn begin_action(&self, intent: &TrackerAction) -> Result<i64, StoreError>;

    /// Records the change made for intent `id`: appends `done` to the log and marks the intent
    /// done, with every earlier pending intent of the same write (same action, project, issue
    /// and summary: an interrupted run of the same command), in one transaction.
    async fn finish_action(&self, id: i64, done: &TrackerAction) -> Result<i64, StoreError>;

    /// Marks intent `id` as refused by the tracker, with its message.
    async fn fail_action(&self, id: i64, failure: &str, at: Timestamp) -> Result<(), StoreError>;

    /// Intents neither finished nor failed, oldest first.
    async fn pending_actions(&self) -> Result<Vec<LoggedAction>, StoreError>;
}
