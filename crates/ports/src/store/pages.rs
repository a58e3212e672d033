//! Store port for what pages and the API show: filtered, sorted, paged lists and aggregates,
//! each one bounded query (a page of rows, or a few grouped counts), never a whole table.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use supportops_domain::sync::Outcome;
use supportops_domain::{Band, ResponseKey, SubjectUrl};
use supportops_formula::Value;

use super::StoreError;
use super::formula::FormulaVersionId;
use super::responses::StoredResponse;
use super::review::ReviewIssueRecord;
use crate::Issue;

/// Which slice of an ordered list to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Rows skipped.
    pub offset: u64,
    /// Rows read at most.
    pub limit: u64,
}

/// A page of a list, and how many rows the whole list has.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    /// Rows matching the filter, on all pages.
    pub total: u64,
    /// This page's rows.
    pub items: Vec<T>,
}

/// How stored responses are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseOrder {
    /// By submission time, latest first (unknown times last), then latest imported.
    #[default]
    Newest,
    /// By submission time, earliest first.
    Oldest,
    /// Lowest score first (unscored last).
    ScoreAsc,
    /// Highest score first (unscored last).
    ScoreDesc,
}

impl ResponseOrder {
    /// The name in a query string: `newest`, `oldest`, `score_asc`, `score_desc`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseOrder::Newest => "newest",
            ResponseOrder::Oldest => "oldest",
            ResponseOrder::ScoreAsc => "score_asc",
            ResponseOrder::ScoreDesc => "score_desc",
        }
    }

    /// Reads a name of [`ResponseOrder::as_str`].
    pub fn parse(text: &str) -> Option<ResponseOrder> {
        [
            ResponseOrder::Newest,
            ResponseOrder::Oldest,
            ResponseOrder::ScoreAsc,
            ResponseOrder::ScoreDesc,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

/// How the subject filter matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectMatch {
    /// This subject exactly.
    Is(SubjectUrl),
    /// Subjects whose link contains any of these texts (lowercase; any case matches).
    Contains(Vec<String>),
    /// Subjects whose link ends with any of these texts (lowercase; any case matches).
    EndsWith(Vec<String>),
}

/// Which stored responses a page lists. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseFilter {
    /// Only this band.
    pub band: Option<Band>,
    /// Only this month of submission (`YYYY-MM`, UTC).
    pub month: Option<String>,
    /// Only these subjects.
    pub subject: Option<SubjectMatch>,
    /// Only responses with a cell containing this text (any case).
    pub text: Option<String>,
}

/// Responses per band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandTally {
    /// Green.
    pub green: u64,
    /// Yellow.
    pub yellow: u64,
    /// Red.
    pub red: u64,
    /// Error.
    pub error: u64,
}

impl BandTally {
    /// Adds `n` responses of `band`.
    pub fn add(&mut self, band: Band, n: u64) {
        match band {
            Band::Green => self.green += n,
            Band::Yellow => self.yellow += n,
            Band::Red => self.red += n,
            Band::Error => self.error += n,
        }
    }
}

/// Aggregates over every stored response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseTotals {
    /// Per band.
    pub bands: BandTally,
    /// Responses with a numeric score.
    pub scored: u64,
    /// The sum of their scores.
    pub score_sum: f64,
    /// Responses per numeric score, ascending.
    pub scores: Vec<(f64, u64)>,
    /// Distinct subjects.
    pub subjects: u64,
    /// Responses whose stored score differs from the formula's.
    pub mismatches: u64,
}

/// Aggregates over one month's responses (by submission time, UTC).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthTotals {
    /// `YYYY-MM`.
    pub month: String,
    /// Per band.
    pub bands: BandTally,
    /// Responses with a numeric score.
    pub scored: u64,
    /// The sum of their scores.
    pub score_sum: f64,
}

/// A subject's responses in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectTotals {
    /// The subject.
    pub subject: SubjectUrl,
    /// Its flagged responses per band (green stays 0).
    pub flagged: BandTally,
    /// All its responses.
    pub responses: u64,
}

/// Which review issues a page lists. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    /// Only issues last seen in this tracker state (`opened`, `closed`).
    pub state: Option<String>,
    /// Only issues last seen with this outcome (`resolved`, `not-resolved`).
    pub outcome: Option<String>,
    /// Only issues covering a response in this band.
    pub band: Option<Band>,
    /// Only issues recorded in this month (`YYYY-MM`, UTC).
    pub month: Option<String>,
    /// Only issues whose subject contains this text (any case).
    pub text: Option<String>,
}

/// A review issue as a page lists it: the record and the tracker state last seen.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRow {
    /// The record.
    pub record: ReviewIssueRecord,
    /// `opened` or `closed` as last seen in the tracker; none before it was first seen.
    pub state: Option<String>,
    /// The outcome label last seen.
    pub outcome: Option<String>,
}

/// A review issue's tracker state as just read, to keep in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenState {
    /// The issue's project.
    pub project: String,
    /// The issue's number.
    pub iid: u64,
    /// `opened` or `closed`.
    pub state: String,
    /// Its outcome label, if any.
    pub outcome: Option<String>,
}

impl SeenState {
    /// What the tracker says of `issue` now: its state and its outcome label.
    pub fn of(issue: &Issue) -> SeenState {
        SeenState {
            project: issue.project.clone(),
            iid: issue.iid,
            state: issue.state.as_str().to_owned(),
            outcome: Outcome::from_labels(&issue.labels).map(|o| o.as_str().to_owned()),
        }
    }
}

/// Counts the Reviews page heads with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewTotals {
    /// Review issues last seen open.
    pub open: u64,
    /// Review issues last seen closed.
    pub closed: u64,
    /// Flagged responses no review issue covers.
    pub uncovered: u64,
}

/// A covered response of a listed review issue, with what the list shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct CoveredRow {
    /// Whether a note (not the description) lists it.
    pub in_note: bool,
    /// The response's key.
    pub key: ResponseKey,
    /// Its 1-based data row in the sheet.
    pub row: u64,
    /// When it was submitted, when the sheet's timestamp could be read.
    pub submitted_at: Option<Timestamp>,
    /// Its score.
    pub score: Value,
    /// Its band.
    pub band: Band,
    /// Its cells, as the sheet had them.
    pub cells: Vec<String>,
}

/// What a listed review issue covers: its responses per band, and the latest few of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueCoverage {
    /// Every covered response, per band.
    pub bands: BandTally,
    /// The latest covered responses (at most the number asked for), in the order they were
    /// covered.
    pub latest: Vec<CoveredRow>,
}

/// A formula version as the Overview's charts mark it: when it was first used, and what it is
/// called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaMark {
    /// Its id (1 for the first version recorded).
    pub id: FormulaVersionId,
    /// Its hash.
    pub hash: String,
    /// The latest note it was adopted with.
    pub note: Option<String>,
    /// When it was first adopted.
    pub first_used_at: Timestamp,
}

/// Bounded queries for pages and the API.
#[async_trait::async_trait]
pub trait PageQueries: Send + Sync {
    /// A page of the responses `filter` selects, in `order`.
    async fn response_page(
        &self,
        filter: &ResponseFilter,
        order: ResponseOrder,
        page: PageRequest,
    ) -> Result<Paged<StoredResponse>, StoreError>;

    /// The months (`YYYY-MM`) that have responses, newest first: one index seek per month.
    async fn response_months(&self) -> Result<Vec<String>, StoreError>;

    /// A number that changes whenever stored responses change: what aggregates may be kept
    /// against.
    async fn response_generation(&self) -> Result<i64, StoreError>;

    /// Aggregates over every stored response.
    async fn response_totals(&self) -> Result<ResponseTotals, StoreError>;

    /// Aggregates per month for the months from `first` to `last` (`YYYY-MM`, inclusive);
    /// months without responses are left out.
    async fn month_totals(&self, first: &str, last: &str) -> Result<Vec<MonthTotals>, StoreError>;

    /// When the latest response was submitted.
    async fn latest_submission(&self) -> Result<Option<Timestamp>, StoreError>;

    /// The `limit` subjects with the most flagged responses submitted since `since` (then the
    /// most Red and Error ones, then by subject).
    async fn most_flagged_subjects(
        &self,
        since: Timestamp,
        limit: u64,
    ) -> Result<Vec<SubjectTotals>, StoreError>;

    /// A page of review issues: last seen open first, then latest recorded first.
    async fn review_page(
        &self,
        filter: &ReviewFilter,
        page: PageRequest,
    ) -> Result<Paged<ReviewRow>, StoreError>;

    /// Open, closed and uncovered counts.
    async fn review_totals(&self) -> Result<ReviewTotals, StoreError>;

    /// The open review issues of subjects that have two or more: `(subject, iid)`, by subject
    /// then number.
    async fn open_duplicate_reviews(&self) -> Result<Vec<(SubjectUrl, u64)>, StoreError>;

    /// What the review issues with these ids cover: for each id with coverage, its covered
    /// responses counted per band and the `latest` last covered of them (two grouped reads,
    /// whatever the issues cover).
    async fn coverage_of(
        &self,
        review_issue_ids: &[i64],
        latest: usize,
    ) -> Result<HashMap<i64, IssueCoverage>, StoreError>;

    /// Every formula version recorded, first used first, without the responses each scored
    /// (one read of the versions' table).
    async fn formula_marks(&self) -> Result<Vec<FormulaMark>, StoreError>;

    /// Keeps the tracker states just read for review issues.
    async fn note_review_states(&self, seen: &[SeenState]) -> Result<(), StoreError>;
}
