//! Why a review run failed: [`ReviewError`] (store, tracker lookups, the issue template, a
//! tracker that is down, the review lock) and [`FilingError`] for one subject the tracker
//! refused, each carrying what was done before.

use std::time::Duration;

use jiff::Timestamp;
use supportops_domain::SubjectUrl;
use supportops_ports::{StoreError, TrackerError};

use super::ReviewReport;
use super::template::TEMPLATE_VARIABLES;

/// Why `review` failed.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The tracker failed while looking something up, before anything was filed.
    #[error("cannot {doing} in the tracker")]
    Lookup {
        /// What was being looked up.
        doing: String,
        /// The tracker's error.
        #[source]
        source: TrackerError,
    },
    /// The issue template is not a valid template.
    #[error("the issue template {origin} is not a valid template (line {line}): {message}")]
    Template {
        /// Which template.
        origin: String,
        /// The line of the fault, 1-based.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The issue template could not be filled, e.g. it names an unknown variable.
    #[error(
        "cannot fill the issue template {origin} (line {line}): {message}; templates can use \
         {TEMPLATE_VARIABLES}"
    )]
    TemplateFill {
        /// Which template.
        origin: String,
        /// The line of the fault, 1-based.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The tracker refused or failed to file an issue or note.
    #[error(transparent)]
    Filing(Box<FilingError>),
    /// The tracker failed (unreachable, or 5xx past the retries) for several subjects in a row:
    /// it is down, so the run stopped rather than fail every subject. What was filed is
    /// recorded and in `report`.
    #[error(
        "the tracker failed for {count} subjects in a row, so the run stopped; what was filed \
         is recorded, and the next run goes on: {last}"
    )]
    TrackerDown {
        /// Subjects that failed in a row.
        count: usize,
        /// The last failure.
        last: String,
        /// What the run did before it stopped.
        report: Box<ReviewReport>,
    },
    /// Another run holds the review lock, and did not end within the wait.
    #[error(
        "another review is running on this store (`{holder}`, since {since}){}; try again later",
        waited_note(*waited)
    )]
    Busy {
        /// The run holding the lock.
        holder: String,
        /// Since when it holds it.
        since: Timestamp,
        /// How long this run waited.
        waited: Duration,
    },
    /// The lease lapsed while this run worked (it stalled longer than the lease lasts) and
    /// another run took the lock over; this run stopped before filing more. What it filed is
    /// recorded.
    #[error(
        "this run (`{holder}`) lost the review lock to {}: its lease lapsed while it worked; \
         what it filed is recorded, run the review again to file the rest",
        taken_by.as_deref().map_or_else(|| "another run".to_owned(), |t| format!("`{t}`"))
    )]
    LockLost {
        /// This run.
        holder: String,
        /// The run that holds the lock now, if any.
        taken_by: Option<String>,
    },
}

fn waited_note(waited: Duration) -> String {
    if waited.is_zero() {
        String::new()
    } else {
        let waited = jiff::SignedDuration::try_from(waited).unwrap_or(jiff::SignedDuration::MAX);
        format!(" and did not end within {waited:#}")
    }
}

/// The tracker refused or failed to file an issue or note. What was filed before is recorded
/// and listed in `report`; the filing stays pending, so the next run checks the tracker for it
/// before filing again.
#[derive(Debug, thiserror::Error)]
#[error("cannot {doing} for `{subject}`")]
pub struct FilingError {
    /// The subject being filed.
    pub subject: SubjectUrl,
    /// What was being done.
    pub doing: String,
    /// What was done before the failure.
    pub report: ReviewReport,
    /// The tracker's error.
    #[source]
    pub source: TrackerError,
}
