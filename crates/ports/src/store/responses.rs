//! Store port for responses: every imported response under its stable key, its score and band,
//! and the subjects (issues and merge requests) responses are about.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use supportops_domain::{Band, ResponseKey, ScoredResponse, SubjectUrl};

use super::StoreError;

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    /// Responses seen for the first time.
    pub inserted: usize,
    /// Responses already stored whose cells or score changed.
    pub updated: usize,
    /// Responses already stored as they are.
    pub unchanged: usize,
}

/// Which stored responses to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseQuery {
    /// Only responses in this band.
    pub band: Option<Band>,
    /// Only responses about this subject.
    pub subject: Option<SubjectUrl>,
    /// Only Yellow, Red and Error responses.
    pub flagged_only: bool,
}

/// A response as stored, with when it was first and last imported.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    /// The response and its score.
    pub scored: ScoredResponse,
    /// When it was first imported.
    pub first_seen_at: Timestamp,
    /// When its stored copy last changed.
    pub updated_at: Timestamp,
    /// The formula version that scored it; none when it was stored before versions were
    /// recorded, or by a store handle that adopted no formula.
    pub formula_version: Option<super::formula::FormulaVersionId>,
}

/// A subject responses are about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRecord {
    /// The normalised subject.
    pub subject: SubjectUrl,
    /// When a response first named it.
    pub first_seen_at: Timestamp,
    /// How many stored responses are about it.
    pub responses: u64,
    /// How many of those are Yellow, Red or Error.
    pub flagged: u64,
}

/// Where the last clean review of a sheet stopped reading, and what the rows before it held:
/// the next review hashes the same bytes again and, when they are unchanged, reads on from the
/// mark. Saved only by a review that left no flagged response before the mark uncovered but the
/// ones it cannot file (no link, a duplicate row), so rows before a mark need nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetMark {
    /// The sheet as configured (`sheet.source` or `--source`).
    pub source: String,
    /// What the rows were read under (formula, thresholds, layout, version), as a hash: a mark
    /// taken under another context is not used.
    pub context: String,
    /// Bytes of the file before the mark.
    pub bytes: u64,
    /// Their XXH3-128 hash, in hex.
    pub hash: String,
    /// Sheet rows before the mark (the header's included).
    pub row: u64,
    /// Line breaks before the mark.
    pub line: u64,
    /// Responses (rows that are not blank) before the mark.
    pub responses: u64,
    /// Of those, the distinct flagged ones.
    pub flagged: u64,
    /// Of the flagged ones, those no review issue covers (no link, not an issue link).
    pub uncovered: u64,
    /// Flagged rows skipped before the mark (those, plus flagged duplicate rows).
    pub skipped: u64,
}

/// Storage for responses and subjects.
#[async_trait::async_trait]
pub trait ResponseStore: Send + Sync {
    /// Stores responses by their key: a key seen before is updated in place (never duplicated),
    /// and its first-seen time kept. Runs in one transaction: all or nothing. Each response
    /// written (new or changed) is stamped with the formula version this handle adopted
    /// ([`super::FormulaStore::adopt_formula`]); one left as it is keeps its version.
    async fn import_responses(
        &self,
        responses: &[ScoredResponse],
        at: Timestamp,
    ) -> Result<ImportCounts, StoreError>;

    /// Stored responses matching the query, in the order of their sheet rows.
    async fn responses(&self, query: &ResponseQuery) -> Result<Vec<StoredResponse>, StoreError>;

    /// The stored copies of the responses with these keys, in the order of their sheet rows;
    /// keys the store does not hold are left out. Costs the keys asked, not the table.
    async fn responses_by_key(
        &self,
        keys: &[ResponseKey],
    ) -> Result<Vec<StoredResponse>, StoreError>;

    /// Every subject, with response counts, in the order they were first seen.
    async fn subjects(&self) -> Result<Vec<SubjectRecord>, StoreError>;

    /// The mark of the last clean review of `source`, if any.
    async fn sheet_mark(&self, source: &str) -> Result<Option<SheetMark>, StoreError>;

    /// Records `mark` as where `mark.source` was last read, replacing the one before.
    async fn save_sheet_mark(&self, mark: &SheetMark, at: Timestamp) -> Result<(), StoreError>;

    /// Forgets every sheet's mark, so the next review reads whole sheets (after stored scores
    /// changed under them, as a rescore does).
    async fn forget_sheet_marks(&self) -> Result<(), StoreError>;
}
