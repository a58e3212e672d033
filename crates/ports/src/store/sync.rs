//! Store port for the syncs: reschedules of the weekly series (all kept, so the past keeps its
//! old schedule), changes to single weekly occurrences, monthly syncs held (with which agenda
//! items were discussed), and review outcomes recorded.
//!
//! Every record is appended; later records win where they overlap, earlier ones stay as history.
//!
//! The monthly agenda's reads are bounded like a page's: which review issues each part holds
//! is decided in SQL over the review issues the store records (their tracker state as last
//! seen), and only the first few of each part come back ([`SyncStore::agenda_reviews`]); the
//! responses each listed issue covers are counted per band from the coverage index
//! ([`SyncStore::known_reviews`]), never from the tracker's notes.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use supportops_domain::sync::{AgendaPart, BandMix, Change, HeldMeeting, Outcome, SeriesSpec};

use super::StoreError;
use super::pages::SeenState;

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

/// Which review issues a monthly agenda holds: see [`SyncStore::agenda_reviews`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaQuery {
    /// The review project.
    pub project: String,
    /// When the period starts (the last monthly sync): issues recorded from then on are new.
    pub since: Timestamp,
    /// The date of the monthly sync held last before this one, whose items carry forward
    /// (left undiscussed) or come back (discussed).
    pub previous: Option<Date>,
    /// Open issues recorded at or before this are old enough to be neglected.
    pub aged_before: Timestamp,
    /// How many issues of each part to list.
    pub limit: u64,
    /// The issues the tracker lists as closed since `since`: part 2 holds them whatever state
    /// the store last saw (it does not know when an issue it saw closed was closed).
    pub closed_since: Vec<u64>,
}

/// The review issues of a monthly agenda as the store last saw them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgendaReviews {
    /// The first `limit` issues of each part, by number, with their part.
    pub listed: Vec<(u64, AgendaPart)>,
    /// Issues in part 1, listed or not.
    pub new_total: u64,
    /// Issues in part 2, listed or not.
    pub past_total: u64,
    /// Open issues old enough to be neglected among those not listed.
    pub aged_unlisted: u64,
}

/// A review issue the store records, as an agenda shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownReview {
    /// `opened` or `closed` as last seen in the tracker; none before it was first seen.
    pub state: Option<String>,
    /// The outcome label last seen (`resolved`, `not-resolved`).
    pub outcome: Option<String>,
    /// The responses it covers (its description's and its notes'), per band as scored now.
    pub bands: BandMix,
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

    /// The latest outcome recorded for each of `iids` in `project` that has one (indexed
    /// lookups, in batches).
    async fn outcomes_of(
        &self,
        project: &str,
        iids: &[u64],
    ) -> Result<HashMap<u64, Outcome>, StoreError>;

    /// Which review issues of `query.project` a monthly agenda holds, and the first
    /// `query.limit` of each part by number. One query, whatever the history:
    ///
    /// - part 1: the items the previous meeting left undiscussed in part 1, and the issues
    ///   recorded since `query.since` that were not items of it;
    /// - part 2: the rest of the items it left undiscussed, then every other issue last seen
    ///   open (or not seen yet), every other item of the previous meeting (closed since,
    ///   perhaps: the tracker says when) and the issues of `query.closed_since`.
    ///
    /// Items the store does not record (issues filed by hand) are listed in their part too.
    /// Times are compared to the second. The tracker may disagree with the states last seen:
    /// the caller reads the listed issues and keeps what it saw
    /// ([`SyncStore::keep_review_states`]).
    async fn agenda_reviews(&self, query: &AgendaQuery) -> Result<AgendaReviews, StoreError>;

    /// The review issues of `project` among `iids` that the store records, each with the
    /// responses it covers counted per band: one grouped query per batch of numbers, reading
    /// the coverage index only.
    async fn known_reviews(
        &self,
        project: &str,
        iids: &[u64],
    ) -> Result<HashMap<u64, KnownReview>, StoreError>;

    /// Keeps the tracker states an agenda just read, as the Reviews page does, so the next
    /// agenda's counts follow them.
    async fn keep_review_states(&self, seen: &[SeenState]) -> Result<(), StoreError>;
}
