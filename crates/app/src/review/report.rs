//! What a review run reports: [`ReviewReport`] with the issues created and notes added
//! ([`ReviewAction`]), the filings recovered from an interrupted run, the review issues found by
//! marker, and the flagged rows not filed.

use serde::Serialize;
use supportops_domain::review::IssueRef;
use supportops_domain::{Band, ResponseKey, SubjectUrl};
use supportops_ports::store::responses::ImportCounts;
use supportops_ports::store::review::FilingKind;

use super::{Converged, FailedFiling, Settled};

/// One response as listed in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedResponse {
    /// The response's stable key.
    pub key: ResponseKey,
    /// Its sheet row.
    pub row: u64,
    /// Its band.
    pub band: Band,
    /// Its score as the sheet shows it (`1`, `#VALUE!`).
    pub score: String,
}

/// Whether an action was carried out or only planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Done (recorded in the store).
    Done,
    /// Planned by a dry run.
    Planned,
}

/// One issue created or note added (or planned).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewAction {
    /// `create` or `note`.
    pub kind: FilingKind,
    /// Done or planned.
    pub status: ActionStatus,
    /// The subject.
    pub subject: SubjectUrl,
    /// The issue created or noted; for a planned create, none.
    pub issue: Option<IssueRef>,
    /// For a create: the closed review issue it links.
    pub previous_issue: Option<IssueRef>,
    /// For a note: its id, once added.
    pub note_id: Option<u64>,
    /// For a create: its title.
    pub title: Option<String>,
    /// The text sent: the issue's description or the note's body.
    pub body: String,
    /// For a create: who is assigned.
    pub assignees: Vec<String>,
    /// For a create: its labels.
    pub labels: Vec<String>,
    /// The responses it covers.
    pub responses: Vec<ReportedResponse>,
}

/// Something an interrupted run had begun, settled now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovered {
    /// `create` or `note`.
    pub kind: FilingKind,
    /// The subject.
    pub subject: SubjectUrl,
    /// The issue the filing made or went to, when it reached the tracker.
    pub issue: Option<IssueRef>,
    /// Whether the tracker has it: `true` → recorded now; `false` → it is filed again below.
    pub found: bool,
    /// How many responses it covers.
    pub responses: usize,
}

/// A review issue found in the tracker by its marker, unknown to the store until now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    /// The subject.
    pub subject: SubjectUrl,
    /// The issue.
    pub issue: IssueRef,
    /// Responses of this run it already covers (listed in its description or notes).
    pub covers: usize,
}

/// A flagged response not filed, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedRow {
    /// The sheet row.
    pub row: u64,
    /// The response's key.
    pub key: ResponseKey,
    /// Its band.
    pub band: Band,
    /// Why, for people.
    pub reason: String,
    /// Why, for scripts.
    pub code: &'static str,
}

/// What `review` did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewReport {
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// The tracker, e.g. `local tracker`.
    pub tracker: String,
    /// The review project.
    pub project: String,
    /// Responses read.
    pub responses: usize,
    /// What the import changed in the store; none in a dry run.
    pub imported: Option<ImportCounts>,
    /// Distinct flagged (Yellow, Red, Error) responses.
    pub flagged: usize,
    /// Flagged responses a review issue already covered before this run.
    pub already_covered: usize,
    /// Filings an interrupted run left unfinished, settled now.
    pub recovered: Vec<Recovered>,
    /// Review issues found in the tracker by their marker.
    pub found: Vec<Found>,
    /// Issues created and notes added, in sheet order of their first response.
    pub actions: Vec<ReviewAction>,
    /// Subjects this run could not file, and why; the run files every other subject first,
    /// and exits 1 when any failed. The next run files them after the others.
    pub failures: Vec<FailedFiling>,
    /// Duplicate review issues (two machines filing at once) closed in favour of the older.
    pub converged: Vec<Converged>,
    /// Creates and notes whose answer was lost or a 5xx, settled within the run.
    pub settled: Vec<Settled>,
    /// Flagged rows not filed.
    pub skipped: Vec<SkippedRow>,
    /// Things the user should know, e.g. that no one is assigned.
    pub warnings: Vec<String>,
    /// Tracker calls made to find review issues by marker (listings, searches, notes read).
    pub lookups: usize,
    /// The sheet's rows an earlier clean run settled, not read again (a sheet read on from
    /// where that run stopped); they are counted in `responses`, `flagged` and
    /// `already_covered`, but their skipped rows are not listed again.
    pub earlier: Option<EarlierRows>,
}

/// The rows of a sheet before where this run resumed reading, settled by an earlier run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EarlierRows {
    /// Sheet rows before the first row read (the header's included).
    pub rows: u64,
    /// Responses among them.
    pub responses: u64,
    /// Distinct flagged responses among them.
    pub flagged: u64,
    /// Of those, the ones no issue covers (no link, not an issue link).
    pub uncovered: u64,
    /// Flagged rows skipped among them (those, and flagged duplicate rows).
    pub skipped: u64,
}

impl ReviewReport {
    /// Whether the run filed (or would file) nothing: every flagged response was covered
    /// already (or could not be filed, see `skipped`).
    pub fn nothing_new(&self) -> bool {
        self.actions.is_empty()
    }
}
