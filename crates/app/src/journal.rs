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
//!
//! A lost answer (a 5xx, a timeout, a reset after sending) is settled in the same run
//! ([`settled`]): a create is looked for by the marker in its description, a note by its
//! marker or its text, a label, state or description change by reading the issue; found →
//! its result is recorded and the intent finished; not found → sent again with backoff and
//! jitter, a bounded number of times. Only then does the intent stay pending for a rerun.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use std::pin::Pin;
use supportops_ports::store::ActionLog;
use supportops_ports::store::actions::TrackerAction;
use supportops_ports::{
    Backoff, Clock, Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User,
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

/// How a write whose answer was lost is settled within the run: looked for, then sent again
/// at most `resends` times, with backoff and jitter. Review filing uses the same waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settle {
    /// How many times a write found nowhere is sent again.
    pub resends: u32,
    /// The wait before the first resend; it doubles, with jitter, up to `max_backoff`.
    pub first_backoff: Duration,
    /// The longest wait before a resend.
    pub max_backoff: Duration,
}

impl Default for Settle {
    /// Up to three resends after 1 s, 2 s, 4 s, each with up to half taken off at random.
    fn default() -> Settle {
        Settle {
            resends: 3,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl Settle {
    /// The wait before resend number `n` (0 first): `first_backoff × 2^n`, capped at
    /// `max_backoff`, less a jitter of up to half drawn from `seed`, so that two machines do
    /// not retry in step.
    pub fn backoff(&self, n: u32, seed: u64) -> Duration {
        Backoff {
            first: self.first_backoff,
            max: self.max_backoff,
        }
        .jittered(n, seed)
    }
}

/// How the backoff of [`settled`] waits (the binary: `tokio::time::sleep`).
pub type Sleep = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Sends a write and settles a lost answer at once: when `send` may or may not have reached
/// the tracker ([`TrackerError::OutcomeUnknown`]), `look` checks whether it did (the marker
/// found, the note there, the state or labels already applied); found → that is the answer;
/// not found → sent again after [`Settle::backoff`] (slept with `sleep`, when given), at most [`Settle::resends`] times. A
/// refusal, or an answer still lost after that, is returned as is. An `idempotent` write
/// (labels, state, description), which the tracker client already resends itself, is also
/// looked for after it ended [`TrackerError::Unavailable`] or [`TrackerError::Network`].
pub async fn settled<T, S, SF, L, LF>(
    policy: Settle,
    sleep: Option<&Sleep>,
    idempotent: bool,
    mut send: S,
    mut look: L,
) -> Result<T, TrackerError>
where
    S: FnMut() -> SF,
    SF: Future<Output = Result<T, TrackerError>>,
    L: FnMut() -> LF,
    LF: Future<Output = Result<Option<T>, TrackerError>>,
{
    let mut resends = 0;
    loop {
        let lost = match send().await {
            Err(e @ TrackerError::OutcomeUnknown { .. }) => e,
            // The client resends an idempotent write itself; after its last try failed with
            // a 5xx or a broken connection, the change may still have been made.
            Err(e @ (TrackerError::Unavailable { .. } | TrackerError::Network { .. }))
                if idempotent =>
            {
                e
            }
            other => return other,
        };
        if let Some(found) = look().await? {
            return Ok(found);
        }
        if resends >= policy.resends {
            return Err(lost);
        }
        if let Some(sleep) = sleep {
            let seed = supportops_ports::backoff::random_seed() ^ u64::from(resends);
            sleep(policy.backoff(resends, seed)).await;
        }
        resends += 1;
    }
}

pub use crate::review::find_marked;

/// Creates an issue whose description carries `marker`, settling a lost answer in the same
/// run with [`settled`]: the issue carrying `marker` ([`find_marked`]) is the one made; none →
/// the create is sent again, at once. A [`Journaled`] tracker settles its creates this way
/// itself, with backoff, and records the result.
pub async fn create_marked(
    tracker: &dyn Tracker,
    project: &str,
    new: &NewIssue,
    search: &str,
    marker: &str,
    since: Option<Timestamp>,
) -> Result<Issue, TrackerError> {
    create_settled(
        tracker,
        (Settle::default(), None),
        project,
        new,
        (marker, search),
        since,
    )
    .await
}

/// [`create_marked`] with `(policy, sleep)` for [`settled`] and `(marker, search)`.
async fn create_settled(
    tracker: &dyn Tracker,
    (policy, sleep): (Settle, Option<&Sleep>),
    project: &str,
    new: &NewIssue,
    (marker, search): (&str, &str),
    since: Option<Timestamp>,
) -> Result<Issue, TrackerError> {
    settled(
        policy,
        sleep,
        false,
        || tracker.create_issue(project, new),
        || async {
            Ok(find_marked(tracker, project, search, marker, since)
                .await?
                .into_iter()
                .next())
        },
    )
    .await
}

pub use supportops_domain::markers::first_marker;

/// A tracker whose writes are journaled in `log`.
pub struct Journaled {
    inner: Arc<dyn Tracker>,
    log: Arc<dyn ActionLog>,
    now: Clock,
    settle: Settle,
    sleep: Option<Sleep>,
}

impl Journaled {
    /// Wraps `inner`, journaling its writes in `log`, stamped by `now`; lost answers are
    /// settled with the default [`Settle`].
    pub fn new(
        inner: Arc<dyn Tracker>,
        log: Arc<dyn ActionLog>,
        now: impl Into<Clock>,
    ) -> Journaled {
        Journaled {
            inner,
            log,
            now: now.into(),
            settle: Settle::default(),
            sleep: None,
        }
    }

    /// Waits between resends with `sleep` (without it, a resend follows at once).
    pub fn with_sleep(mut self, sleep: Sleep) -> Journaled {
        self.sleep = Some(sleep);
        self
    }

    /// Settles lost answers with `settle` instead of the default.
    pub fn with_settle(mut self, settle: Settle) -> Journaled {
        self.settle = settle;
        self
    }

    fn intent(
        &self,
        action: &str,
        project: &str,
        iid: Option<u64>,
        summary: String,
    ) -> TrackerAction {
        TrackerAction {
            at: self.now.now(),
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

    fn has_web_pages(&self) -> bool {
        self.inner.has_web_pages()
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
        let inner = self.inner.as_ref();
        // Allow for clocks that disagree: look back a little before the intent.
        let since = intent
            .at
            .checked_sub(jiff::SignedDuration::from_mins(10))
            .ok();
        let call = async {
            match first_marker(&issue.description) {
                Some((marker, search)) => {
                    create_settled(
                        inner,
                        (self.settle, self.sleep.as_ref()),
                        project,
                        issue,
                        (marker, search),
                        since,
                    )
                    .await
                }
                // Nothing to find it by: a lost answer waits for the rerun.
                None => inner.create_issue(project, issue).await,
            }
        };
        write(self.log.as_ref(), intent, call, with_issue).await
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
        let inner = self.inner.as_ref();
        write(
            self.log.as_ref(),
            intent,
            settled(
                self.settle,
                self.sleep.as_ref(),
                false,
                || inner.add_note(project, iid, body),
                || async {
                    // The note is there when one carries its marker, or reads the same.
                    let marker = first_marker(body).map(|(m, _)| m);
                    Ok(inner
                        .notes(project, iid)
                        .await?
                        .into_iter()
                        .find(|n| match marker {
                            Some(m) => n.body.contains(m),
                            None => n.body.trim() == body.trim(),
                        }))
                },
            ),
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

    async fn marked_issues(
        &self,
        project: &str,
        marker: &str,
    ) -> Result<Option<Vec<Issue>>, TrackerError> {
        self.inner.marked_issues(project, marker).await
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
        let inner = self.inner.as_ref();
        write(
            self.log.as_ref(),
            intent,
            settled(
                self.settle,
                self.sleep.as_ref(),
                true,
                || inner.update_labels(project, iid, add, remove),
                || async {
                    let now = inner.issue(project, iid).await?;
                    let applied = add.iter().all(|l| now.labels.contains(l))
                        && !remove.iter().any(|l| now.labels.contains(l));
                    Ok(applied.then_some(now))
                },
            ),
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
        let inner = self.inner.as_ref();
        write(
            self.log.as_ref(),
            intent,
            settled(
                self.settle,
                self.sleep.as_ref(),
                true,
                || inner.edit_description(project, iid, description),
                || async {
                    let now = inner.issue(project, iid).await?;
                    Ok((now.description == description).then_some(now))
                },
            ),
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
        let inner = self.inner.as_ref();
        write(
            self.log.as_ref(),
            intent,
            settled(
                self.settle,
                self.sleep.as_ref(),
                true,
                || inner.set_state(project, iid, state),
                || async {
                    let now = inner.issue(project, iid).await?;
                    Ok((now.state == state).then_some(now))
                },
            ),
            with_issue,
        )
        .await
    }
}
