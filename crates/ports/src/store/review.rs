//! Store port for Feedback Review filing: the review issues of each subject, which responses
//! each covers, and the filing intents that make filing crash-safe.
//!
//! Filing one issue or note is three steps: [`ReviewStore::begin_filing`] records the intent,
//! the tracker is called, then [`ReviewStore::finish_filing`] records the issue or note, the
//! responses it covers and the tracker action, in one transaction. A filing still pending on
//! the next run is checked against the tracker before anything is filed again.
//!
//! One run files at a time: a run holds the review lock, a lease kept in the store
//! ([`ReviewStore::acquire_review_lock`]), renews it while it works and releases it at the
//! end. A lease its holder stopped renewing (the run crashed) lapses and may be taken over.

use std::collections::HashSet;
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use supportops_domain::review::IssueRef;
use supportops_domain::{ResponseKey, SubjectUrl};

use super::StoreError;

/// How a review issue became known to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOrigin {
    /// supportops filed it.
    Filed,
    /// It was found in the tracker by its hidden marker (e.g. the store was new or lost).
    Found,
}

impl ReviewOrigin {
    /// The stored name: `filed` or `found`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewOrigin::Filed => "filed",
            ReviewOrigin::Found => "found",
        }
    }
}

/// A review issue the store knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewIssueRecord {
    /// The store's id for it.
    pub id: i64,
    /// The subject it reviews.
    pub subject: SubjectUrl,
    /// The issue in the tracker.
    pub issue: IssueRef,
    /// The subject's earlier, closed review issue that this one links.
    pub previous: Option<IssueRef>,
    /// Whether supportops filed it or found it.
    pub origin: ReviewOrigin,
    /// When the store recorded it.
    pub recorded_at: Timestamp,
    /// How many responses it covers (in its description and its notes).
    pub responses: u64,
}

/// Whether a filing opens an issue or adds a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingKind {
    /// A new review issue.
    Create,
    /// A note on the subject's open review issue.
    Note,
}

impl FilingKind {
    /// The stored name: `create` or `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            FilingKind::Create => "create",
            FilingKind::Note => "note",
        }
    }
}

/// An intent to file, recorded before the tracker is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFiling {
    /// Issue or note.
    pub kind: FilingKind,
    /// The tracker it goes to (its `describe()`), for the action log.
    pub tracker: String,
    /// The project the issue is (or will be) in.
    pub project: String,
    /// The subject.
    pub subject: SubjectUrl,
    /// For a note: the issue it goes on. For an issue: the closed review issue it links.
    pub issue: Option<IssueRef>,
    /// The responses it covers.
    pub keys: Vec<ResponseKey>,
    /// When the intent was recorded.
    pub at: Timestamp,
}

/// A recorded filing intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    /// The store's id for it.
    pub id: i64,
    /// What was intended.
    #[serde(flatten)]
    pub intent: NewFiling,
}

/// What the tracker did for a filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FilingOutcome {
    /// The issue was created.
    Created {
        /// The new issue.
        issue: IssueRef,
    },
    /// The note was added.
    Noted {
        /// The note's id.
        note_id: u64,
    },
}

/// The review lock as stored: which run holds it, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewLease {
    /// Who holds it, as the run named itself (e.g. `supportops review (pid 4242)`).
    pub holder: String,
    /// When the holder took it.
    pub acquired_at: Timestamp,
    /// When the holder last renewed it.
    pub renewed_at: Timestamp,
    /// When it lapses unless renewed; from then on another run may take it over.
    pub expires_at: Timestamp,
}

/// What [`ReviewStore::acquire_review_lock`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockAttempt {
    /// The caller holds the lock now.
    Acquired {
        /// The lapsed lease of another run, which stopped without releasing it, taken over.
        took_over: Option<ReviewLease>,
    },
    /// Another run holds it, and its lease has not lapsed.
    Held(ReviewLease),
}

/// Storage for review issues, coverage, filing intents and the review lock.
#[async_trait::async_trait]
pub trait ReviewStore: Send + Sync {
    /// The keys of every response some review issue covers.
    async fn covered_keys(&self) -> Result<HashSet<ResponseKey>, StoreError>;

    /// Which of `keys` some review issue covers. Costs the keys asked (indexed lookups in
    /// batches), not the table: a rerun asks for the flagged responses at hand only.
    async fn covered_among(&self, keys: &[ResponseKey])
    -> Result<HashSet<ResponseKey>, StoreError>;

    /// Whether the store records any review issue at all (a new store finds its subjects' issues
    /// in the tracker by one listing).
    async fn has_review_issues(&self) -> Result<bool, StoreError>;

    /// The subject's most recently recorded review issue.
    async fn latest_review_issue(
        &self,
        subject: &SubjectUrl,
    ) -> Result<Option<ReviewIssueRecord>, StoreError>;

    /// Every review issue, oldest first.
    async fn review_issues(&self) -> Result<Vec<ReviewIssueRecord>, StoreError>;

    /// Records the intent to file, before the tracker is called.
    async fn begin_filing(&self, filing: &NewFiling) -> Result<Filing, StoreError>;

    /// Intents begun but neither finished nor abandoned: a run stopped between asking the
    /// tracker and recording its answer.
    async fn pending_filings(&self) -> Result<Vec<Filing>, StoreError>;

    /// Records what the tracker did for a pending filing, in one transaction: the issue (for a
    /// create), the responses now covered, the entry in the action log, and the filing as done.
    async fn finish_filing(
        &self,
        id: i64,
        outcome: &FilingOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Marks a pending filing as never having reached the tracker; its responses stay uncovered
    /// and are filed again.
    async fn abandon_filing(&self, id: i64, at: Timestamp) -> Result<(), StoreError>;

    /// Marks a pending filing as refused by the tracker (nothing was filed), with the tracker's
    /// message; its responses stay uncovered and the next run files them after the others.
    async fn fail_filing(&self, id: i64, failure: &str, at: Timestamp) -> Result<(), StoreError>;

    /// Subjects whose latest filing failed: the next run files them after the others.
    async fn failed_subjects(&self) -> Result<HashSet<SubjectUrl>, StoreError>;

    /// Records a review issue found in the tracker by its marker, and the responses its
    /// description and notes list (keys the store does not hold are ignored).
    async fn record_found_issue(
        &self,
        subject: &SubjectUrl,
        issue: &IssueRef,
        keys: &[ResponseKey],
        at: Timestamp,
    ) -> Result<ReviewIssueRecord, StoreError>;

    /// Takes the review lock for `holder` until `now + ttl`, in one write transaction: when no
    /// run holds it, when `holder` already does, or when the holder's lease lapsed before `now`
    /// (it is then taken over). Otherwise reports who holds it, and changes nothing.
    async fn acquire_review_lock(
        &self,
        holder: &str,
        now: Timestamp,
        ttl: Duration,
    ) -> Result<LockAttempt, StoreError>;

    /// Extends `holder`'s lease to `now + ttl`. `false` when `holder` no longer holds the lock
    /// (another run took it over after the lease lapsed); a lapsed lease no one took over is
    /// still the holder's and is extended.
    async fn renew_review_lock(
        &self,
        holder: &str,
        now: Timestamp,
        ttl: Duration,
    ) -> Result<bool, StoreError>;

    /// Releases the lock if `holder` holds it; `false` when it did not.
    async fn release_review_lock(&self, holder: &str) -> Result<bool, StoreError>;

    /// The lease of the run that holds the review lock, lapsed or not; none when no run does.
    async fn review_lock(&self) -> Result<Option<ReviewLease>, StoreError>;
}
