//! Acting on one tracker issue, as the command line (`issues note|edit|close|reopen`) and the
//! dashboard both do: a note, a new description, the action plan written into its section, the
//! state. Each is safe to repeat: what the issue already has is not written again.
//!
//! Callers hand these the journaled tracker (`journal::Journaled`), so every write records its
//! intent and result, and a lost answer is settled in the run.

use supportops_domain::sync::with_action_plan;
use supportops_ports::{Issue, IssueState, Note, Tracker, TrackerError};

/// What an action did.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    /// It was done; what the tracker answered.
    Done(T),
    /// The issue already had it; nothing was written.
    Already(T),
}

impl<T> Change<T> {
    /// What the issue has now.
    pub fn value(&self) -> &T {
        match self {
            Change::Done(v) | Change::Already(v) => v,
        }
    }
}

/// Why an action on an issue was not done.
#[derive(Debug, thiserror::Error)]
pub enum IssueActionError {
    /// Nothing to write.
    #[error("the {what} is empty; write its Markdown")]
    Empty {
        /// `note`, `description`, `action plan`.
        what: &'static str,
    },
    /// The tracker refused or failed.
    #[error(transparent)]
    Tracker(#[from] TrackerError),
    /// The tracker's answer to a note was lost, and the note is not on the issue yet.
    #[error(
        "cannot tell whether the note reached issue #{iid}; try again: the note is added only \
         if the issue does not end with it"
    )]
    NoteUnknown {
        /// The issue.
        iid: u64,
        /// The lost answer.
        #[source]
        source: TrackerError,
    },
}

impl IssueActionError {
    /// Whether the user can fix it by changing what they sent.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, IssueActionError::Empty { .. })
    }
}

fn not_blank(text: &str, what: &'static str) -> Result<(), IssueActionError> {
    if text.trim().is_empty() {
        return Err(IssueActionError::Empty { what });
    }
    Ok(())
}

/// Replaces the description of issue `iid`; a description it already has is not sent again.
pub async fn edit_description(
    tracker: &dyn Tracker,
    project: &str,
    iid: u64,
    text: &str,
) -> Result<Change<Issue>, IssueActionError> {
    not_blank(text, "description")?;
    let issue = tracker.issue(project, iid).await?;
    if issue.description.trim_end() == text.trim_end() {
        return Ok(Change::Already(issue));
    }
    Ok(Change::Done(
        tracker.edit_description(project, iid, text).await?,
    ))
}

/// Writes `plan` into the "Action plan" section of issue `iid`'s description (adding the section
/// when there is none), every other section kept.
pub async fn write_action_plan(
    tracker: &dyn Tracker,
    project: &str,
    iid: u64,
    plan: &str,
) -> Result<Change<Issue>, IssueActionError> {
    not_blank(plan, "action plan")?;
    let issue = tracker.issue(project, iid).await?;
    let text = with_action_plan(&issue.description, plan);
    if issue.description.trim_end() == text.trim_end() {
        return Ok(Change::Already(issue));
    }
    Ok(Change::Done(
        tracker.edit_description(project, iid, &text).await?,
    ))
}

/// Adds a note to issue `iid`. A note identical to the issue's latest one is taken as this
/// one, sent again after an interruption, and not added twice; a note whose answer was lost is
/// looked for before saying so.
pub async fn add_note(
    tracker: &dyn Tracker,
    project: &str,
    iid: u64,
    body: &str,
) -> Result<Change<Note>, IssueActionError> {
    not_blank(body, "note")?;
    let latest = |notes: Vec<Note>| {
        notes
            .into_iter()
            .last()
            .filter(|n| n.body.trim() == body.trim())
    };
    tracker.issue(project, iid).await?;
    if let Some(there) = latest(tracker.notes(project, iid).await?) {
        return Ok(Change::Already(there));
    }
    match tracker.add_note(project, iid, body).await {
        Ok(note) => Ok(Change::Done(note)),
        Err(e @ TrackerError::OutcomeUnknown { .. }) => {
            match tracker.notes(project, iid).await.ok().and_then(latest) {
                Some(note) => Ok(Change::Done(note)),
                None => Err(IssueActionError::NoteUnknown { iid, source: e }),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Closes or reopens issue `iid`; an issue already in that state is left alone.
pub async fn set_state(
    tracker: &dyn Tracker,
    project: &str,
    iid: u64,
    state: IssueState,
) -> Result<Change<Issue>, IssueActionError> {
    let before = tracker.issue(project, iid).await?;
    if before.state == state {
        return Ok(Change::Already(before));
    }
    Ok(Change::Done(tracker.set_state(project, iid, state).await?))
}
