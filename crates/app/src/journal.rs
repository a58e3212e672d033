//! Tracker writes journaled in the store: the intent is recorded, the tracker called, the
//! result recorded (in the action log), so that ARCHITECTURE.md's rule "a tracker call that
//! changes anything sits between recording the intent and recording the result" holds for every
//! write, not only review filing (which has its own filing intents, see [`crate::review`]).
//!
//! [`Journaled`] wraps a [`Tracker`]: its reads pass through; `create_issue`, `add_note`,
//! `update_labels`, `edit_description` and `set_state` go through [`write()`]. The commands that write besides
//! `review` (shadowing `schedule`, `done`, `cancel`, `improve`; `sync agenda --file`,
//! `sync outcome`; `issues close|reopen|note|edit`) are handed a journaled tracker. What those commands
//! create carries a hidden marker and is looked for before it is created, notes are not added
//! twice, and label and state changes are idempotent, so running an interrupted command again
//! settles it; the rerun's finished write also finishes the interrupted one's pending intent.

use std::future::Future;
use std::sync::Arc;

use jiff::Timestamp;
use supportops_ports::store::ActionLog;
use supportops_ports::store::actions::TrackerAction;
use supportops_ports::{
    Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User,
};

/// Records `intent`, runs `call`, then records what it did (`done` turns the answer into the
/// log entry). A refusal marks the intent failed; an unknown outcome leaves it pending, for a
/// rerun to settle. A store failure is [`TrackerError::Store`].
pub async fn write<T, F, L>(
    log: &L,
    intent: TrackerAction,
    call: F,
    done: impl FnOnce(&T, TrackerAction) -> TrackerAction,
) -> Result<T, TrackerError>
where
    F: Future<Output = Result<T, TrackerError>>,
    L: ActionLog + ?Sized,
{
    let id = log.begin_action(&intent).await?;
    match call.await {
        Ok(answer) => {
            let entry = done(&answer, intent);
            log.finish_action(id, &entry).await?;
            Ok(answer)
        }
        Err(e @ TrackerError::OutcomeUnknown { .. }) => Err(e),
        Err(e) => {
            log.fail_action(id, &e.to_string(), intent.at).await?;
            Err(e)
        }
    }
}

/// How many times [`create_marked`] sends a create again when its answer was lost and the
/// issue is nowhere to be found.
const RESENDS: u32 = 2;

/// Creates an issue whose description carries `marker`, settling a lost answer in the same
/// run: when the create may or may not have happened ([`TrackerError::OutcomeUnknown`]), the
/// project is searched for `search` and, should the search index lag, its issues created
/// since `since` (when given) are listed; an issue carrying `marker` is the one made; none → the create is
/// sent again, at most twice. Review filing has its own, richer settling.
pub async fn create_marked(
    tracker: &dyn Tracker,
    project: &str,
    new: &NewIssue,
    search: &str,
    marker: &str,
    since: Option<Timestamp>,
) -> Result<Issue, TrackerError> {
    let mut resends = 0;
    loop {
        let lost = match tracker.create_issue(project, new).await {
            Err(e @ TrackerError::OutcomeUnknown { .. }) => e,
            other => return other,
        };
        let mut queries = vec![IssueQuery {
            search: Some(search.to_owned()),
            ..IssueQuery::default()
        }];
        if since.is_some() {
            queries.push(IssueQuery {
                created_after: since,
                ..IssueQuery::default()
            });
        }
        for query in &queries {
            if let Some(made) = tracker
                .list_issues(project, query)
                .await?
                .into_iter()
                .find(|i| i.description.contains(marker))
            {
                return Ok(made);
            }
        }
        if resends >= RESENDS {
            return Err(lost);
        }
        resends += 1;
    }
}

/// The clock a [`Journaled`] tracker stamps its entries with.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// A tracker whose writes are journaled in `log`.
pub struct Journaled {
    inner: Arc<dyn Tracker>,
    log: Arc<dyn ActionLog>,
    now: Clock,
}

impl Journaled {
    /// Wraps `inner`, journaling its writes in `log`, stamped by `now`.
    pub fn new(inner: Arc<dyn Tracker>, log: Arc<dyn ActionLog>, now: Clock) -> Journaled {
        Journaled { inner, log, now }
    }

    fn intent(
        &self,
        action: &str,
        project: &str,
        iid: Option<u64>,
        summary: String,
    ) -> TrackerAction {
        TrackerAction {
            at: (self.now)(),
            tracker: self.inner.describe(),
            action: action.to_owned(),
            project: project.to_owned(),
            iid,
            note_id: None,
            web_url: None,
            summary,
        }
    }
}

/// The issue's link in the log entry.
fn with_issue(issue: &Issue, mut entry: TrackerAction) -> TrackerAction {
    entry.iid = Some(issue.iid);
    entry.web_url = Some(issue.web_url.clone());
    entry
}

/// A note's first line, short, as the log's summary.
fn first_line(body: &str) -> String {
    let line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let mut short: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        short.push('…');
    }
    short
}

#[async_trait::async_trait]
impl Tracker for Journaled {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    async fn read_template(
        &self,
        project: &str,
        name: &str,
    ) -> Result<Option<String>, TrackerError> {
        self.inner.read_template(project, name).await
    }

    async fn resolve_users(&self, usernames: &[String]) -> Result<Vec<User>, TrackerError> {
        self.inner.resolve_users(usernames).await
    }

    async fn group_members(&self, group: &str) -> Result<Vec<User>, TrackerError> {
        self.inner.group_members(group).await
    }

    async fn create_issue(&self, project: &str, issue: &NewIssue) -> Result<Issue, TrackerError> {
        let intent = self.intent("create_issue", project, None, issue.title.clone());
        write(
            self.log.as_ref(),
            intent,
            self.inner.create_issue(project, issue),
            with_issue,
        )
        .await
    }

    async fn issue(&self, project: &str, iid: u64) -> Result<Issue, TrackerError> {
        self.inner.issue(project, iid).await
    }

    async fn list_issues(
        &self,
        project: &str,
        query: &IssueQuery,
    ) -> Result<Vec<Issue>, TrackerError> {
        self.inner.list_issues(project, query).await
    }

    async fn add_note(&self, project: &str, iid: u64, body: &str) -> Result<Note, TrackerError> {
        let intent = self.intent("add_note", project, Some(iid), first_line(body));
        write(
            self.log.as_ref(),
            intent,
            self.inner.add_note(project, iid, body),
            |note: &Note, mut entry| {
                entry.note_id = Some(note.id);
                entry
            },
        )
        .await
    }

    async fn notes(&self, project: &str, iid: u64) -> Result<Vec<Note>, TrackerError> {
        self.inner.notes(project, iid).await
    }

    async fn update_labels(
        &self,
        project: &str,
        iid: u64,
        add: &[String],
        remove: &[String],
    ) -> Result<Issue, TrackerError> {
        let summary = format!("labels +{} -{}", add.join(" +"), remove.join(" -"));
        let intent = self.intent("update_labels", project, Some(iid), summary);
        write(
            self.log.as_ref(),
            intent,
            self.inner.update_labels(project, iid, add, remove),
            with_issue,
        )
        .await
    }

    async fn edit_description(
        &self,
        project: &str,
        iid: u64,
        description: &str,
    ) -> Result<Issue, TrackerError> {
        let intent = self.intent(
            "edit_description",
            project,
            Some(iid),
            first_line(description),
        );
        write(
            self.log.as_ref(),
            intent,
            self.inner.edit_description(project, iid, description),
            with_issue,
        )
        .await
    }

    async fn set_state(
        &self,
        project: &str,
        iid: u64,
        state: IssueState,
    ) -> Result<Issue, TrackerError> {
        let verb = match state {
            IssueState::Opened => "reopen",
            IssueState::Closed => "close",
        };
        let intent = self.intent("set_state", project, Some(iid), verb.to_owned());
        write(
            self.log.as_ref(),
            intent,
            self.inner.set_state(project, iid, state),
            with_issue,
        )
        .await
    }
}
