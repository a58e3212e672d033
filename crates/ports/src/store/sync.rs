//! Store port for the syncs: reschedules of the weekly series (all kept, so the past keeps its
//! old schedule), changes to single weekly occurrences, monthly syncs held (with which agenda
//! items were discussed), and review outcomes recorded.
//!
//! Every record is appended; later records win where they overlap, earlier ones stay as history.

use jiff::Timestamp;
use jiff::civil::Date;
use supportops_domain::sync::{Change, HeldMeeting, Outcome, SeriesSpec};

use super::StoreError;

/// A reschedule of the weekly sync: from `from` on, it meets as `spec` says.
#[derive(Debug, Clone, PartialEq)]
pub struct Reschedule {
    /// The first date it applies to, in `spec`'s zone.
    pub from: Date,
    /// When the series meets from then on. Its zone must have an IANA name.
    pub spec: SeriesSpec,
    /// When it was recorded.
    pub recorded_at: Timestamp,
}

/// A change to one weekly occurrence, named by the date it was scheduled on.
#[derive(Debug, Clone, PartialEq)]
pub struct OccurrenceChange {
    /// The occurrence's scheduled date, in the series' zone.
    pub date: Date,
    /// Moved or cancelled. A moved time's zone must have an IANA name.
    pub change: Change,
    /// When it was recorded.
    pub recorded_at: Timestamp,
}

/// A review's outcome, as recorded by `sync outcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRecord {
    /// The review project.
    pub project: String,
    /// The review issue.
    pub iid: u64,
    /// Resolved or not.
    pub outcome: Outcome,
    /// When it was recorded.
    pub recorded_at: Timestamp,
}

/// Storage for the syncs.
#[async_trait::async_trait]
pub trait SyncStore: Send + Sync {
    /// Appends a reschedule of the weekly series.
    async fn record_reschedule(&self, reschedule: &Reschedule) -> Result<(), StoreError>;

    /// Every reschedule, in the order recorded.
    async fn reschedules(&self) -> Result<Vec<Reschedule>, StoreError>;

    /// Appends a change to one weekly occurrence.
    async fn record_occurrence_change(&self, change: &OccurrenceChange) -> Result<(), StoreError>;

    /// Every change to single occurrences, in the order recorded.
    async fn occurrence_changes(&self) -> Result<Vec<OccurrenceChange>, StoreError>;

    /// Appends a change to one monthly sync (named by the date the monthly rule gives it).
    async fn record_monthly_change(&self, change: &OccurrenceChange) -> Result<(), StoreError>;

    /// Every change to single monthly syncs, in the order recorded.
    async fn monthly_changes(&self) -> Result<Vec<OccurrenceChange>, StoreError>;

    /// Records a monthly sync as held, with its agenda items. Recording the same date again
    /// replaces that meeting's record.
    async fn record_meeting(
        &self,
        meeting: &HeldMeeting,
        recorded_at: Timestamp,
    ) -> Result<(), StoreError>;

    /// The last monthly sync held before `date`, if any.
    async fn meeting_before(&self, date: Date) -> Result<Option<HeldMeeting>, StoreError>;

    /// Every monthly sync held, oldest first.
    async fn meetings(&self) -> Result<Vec<HeldMeeting>, StoreError>;

    /// Appends a review outcome.
    async fn record_outcome(&self, outcome: &OutcomeRecord) -> Result<(), StoreError>;

    /// The outcomes recorded for `project`'s issues, in the order recorded.
    async fn outcomes(&self, project: &str) -> Result<Vec<OutcomeRecord>, StoreError>;
}
