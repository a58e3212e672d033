//! Filing one subject: intent recorded, tracker called, result recorded, and what to do when
//! the tracker's answer is uncertain or a refusal.
//!
//! - An answer that never came, or a 5xx to a create or a note ([`TrackerError::OutcomeUnknown`]),
//!   is settled at once: the tracker is searched for the issue's marker (or the note's list of
//!   responses), a few times with a short wait for GitLab's search to catch up; found → recorded;
//!   not found → sent again, at most [`SettlePolicy::resends`] times, with backoff and jitter.
//! - A refusal (400, 413, 422, a deleted project, a note on an issue that is gone) is that
//!   subject's failure: recorded as failed, listed in the report, and the run goes on. Only an
//!   authentication failure (401, 403) stops the run.
//! - A body longer than GitLab takes is never sent: the responses are split, the first part
//!   opens the issue and the rest follow as notes on it.
//! - After a create, the subject's marker is searched again: when another machine made an
//!   issue for the same subject at the same time, the older is kept and the newer closed as its
//!   duplicate, its responses moved into a note on the older ([`converge`]).

use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use supportops_domain::review::{self as domain, Decision, IssueRef};
use supportops_domain::{ResponseKey, ScoredResponse, SubjectUrl};
use supportops_ports::store::actions::TrackerAction;
use supportops_ports::store::review::{Filing, FilingKind, FilingOutcome, NewFiling};
use supportops_ports::store::{ActionLog, ReviewStore};
use supportops_ports::{Issue, IssueState, NewIssue, Tracker, TrackerError};

use super::finder::{Finder, pick};
use super::lock::Pace;
use super::{
    ActionStatus, FilingError, ReportedResponse, ReviewAction, ReviewError, ReviewOptions,
    ReviewReport, Template, TemplateSource, issue_ref, reported, template_context,
};
use crate::journal;

/// How an uncertain create or note is settled within the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettlePolicy {
    /// How many times the tracker is searched for what may have been filed.
    pub searches: u32,
    /// The wait between two searches, for the tracker's search index to catch up.
    pub search_wait: Duration,
    /// How many times a filing found nowhere is sent again.
    pub resends: u32,
    /// The wait before the first resend; it doubles, with jitter, up to `max_backoff`.
    pub first_backoff: Duration,
    /// The longest wait before a resend.
    pub max_backoff: Duration,
}

impl Default for SettlePolicy {
    /// Three searches 2 s apart, then up to three resends after 1 s, 2 s, 4 s (each with up to
    /// half taken off at random, so that two machines do not retry in step).
    fn default() -> SettlePolicy {
        SettlePolicy {
            searches: 3,
            search_wait: Duration::from_secs(2),
            resends: 3,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl SettlePolicy {
    /// The wait before resend number `n` (0 first): `first_backoff × 2^n`, capped, less a
    /// jitter of up to half drawn from `seed`.
    fn backoff(&self, n: u32, seed: u64) -> Duration {
        journal::Settle {
            resends: self.resends,
            first_backoff: self.first_backoff,
            max_backoff: self.max_backoff,
        }
        .backoff(n, seed)
    }
}

/// A subject this run could not file, and why. Its responses stay uncovered; the next run
/// files them after the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedFiling {
    /// `create` or `note`.
    pub kind: FilingKind,
    /// The subject.
    pub subject: SubjectUrl,
    /// For a note: the issue it was for.
    pub issue: Option<IssueRef>,
    /// The responses not filed.
    pub responses: Vec<ReportedResponse>,
    /// The tracker's error, for people.
    pub error: String,
    /// For scripts: `rejected`, `not_found`, `unavailable`, `network`, `outcome_unknown`,
    /// `protocol`.
    pub code: &'static str,
    /// The HTTP status of a refusal.
    pub status: Option<u16>,
    /// Whether it may still have reached the tracker: the next run searches for it before
    /// filing again.
    pub pending: bool,
}

/// A create or note whose answer was lost or a 5xx, settled within the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settled {
    /// `create` or `note`.
    pub kind: FilingKind,
    /// The subject.
    pub subject: SubjectUrl,
    /// What the tracker answered.
    pub answer: String,
    /// `found` (it had been filed: recorded, not sent again) or `sent_again` (it had not).
    pub outcome: &'static str,
}

/// Two issues for one subject, made by two runs at once, converged: the newer closed as a
/// duplicate of the older, its responses moved into a note on the older.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Converged {
    /// The subject.
    pub subject: SubjectUrl,
    /// The issue kept (the older).
    pub kept: IssueRef,
    /// The issue closed (the newer).
    pub closed: IssueRef,
    /// Responses moved from the closed issue to the kept one.
    pub moved: usize,
}

/// What filing needs, the same for every subject of a run.
pub(super) struct Filer<'a, S: ?Sized> {
    pub store: &'a S,
    pub tracker: &'a dyn Tracker,
    pub options: &'a ReviewOptions,
    /// None only for converging duplicates, which creates nothing.
    pub template: Option<&'a Template>,
    pub assignees: &'a [String],
    pub pace: Option<&'a dyn Pace>,
    pub now: Timestamp,
}

/// Whether an error stops the run rather than one subject: the token is refused, or the store
/// or a setting fails.
pub(super) fn is_fatal(e: &TrackerError) -> bool {
    matches!(
        e,
        TrackerError::Unauthorized { .. }
            | TrackerError::Forbidden { .. }
            | TrackerError::InvalidSetting { .. }
            | TrackerError::Store(_)
    )
}

/// The code and status of a subject's failure.
pub(super) fn failure_code(e: &TrackerError) -> (&'static str, Option<u16>) {
    match e {
        TrackerError::NotFound { .. } => ("not_found", Some(404)),
        TrackerError::Rejected { status, .. } => ("rejected", Some(*status)),
        TrackerError::Unavailable { .. } => ("unavailable", None),
        TrackerError::Network { .. } => ("network", None),
        TrackerError::OutcomeUnknown { .. } => ("outcome_unknown", None),
        _ => ("protocol", None),
    }
}

/// The largest `k` in `1..=n` for which `fits(k)` holds (1 when none does), by bisection.
fn largest_fitting(
    n: usize,
    mut fits: impl FnMut(usize) -> Result<bool, ReviewError>,
) -> Result<usize, ReviewError> {
    if n <= 1 || fits(n)? {
        return Ok(n.max(1));
    }
    let (mut lo, mut hi) = (1, n); // fits(lo) assumed, fits(hi) false
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid)? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

impl<S> Filer<'_, S>
where
    S: ReviewStore + ActionLog + ?Sized,
{
    /// The description of a new issue for `responses`.
    fn issue_body(
        &self,
        subject: &SubjectUrl,
        responses: &[&ScoredResponse],
        previous: Option<&IssueRef>,
    ) -> Result<String, ReviewError> {
        let origin = match &self.options.template {
            TemplateSource::Text { origin, .. } => origin.clone(),
            TemplateSource::Tracker { name } => format!("`{name}`"),
        };
        let context = template_context(subject, responses, previous, &self.options.render);
        let filled = match self.template {
            Some(template) => template.render(&origin, &context)?,
            None => String::new(),
        };
        let section = domain::issue_section(subject, responses, previous, &self.options.render);
        Ok(if filled.trim().is_empty() {
            section
        } else {
            format!("{}\n\n{section}", filled.trim_end())
        })
    }

    /// Files a subject's responses as decided: one issue or note when its text fits the
    /// tracker's limit, else the first part as decided and the rest as notes on the issue.
    pub async fn file_subject(
        &self,
        finder: &mut Finder<'_>,
        subject: &SubjectUrl,
        responses: Vec<&ScoredResponse>,
        decision: Decision,
        report: &mut ReviewReport,
    ) -> Result<(), ReviewError> {
        let mut rest: &[&ScoredResponse] = &responses;
        let mut decision = Some(decision);
        let mut target: Option<IssueRef> = None;
        while !rest.is_empty() {
            let (kind, previous) = match decision.take() {
                Some(Decision::Create { previous }) => (FilingKind::Create, previous),
                Some(Decision::Note { issue }) => {
                    target = Some(issue);
                    (FilingKind::Note, None)
                }
                None => (FilingKind::Note, None),
            };
            let n = largest_fitting(rest.len(), |k| {
                let body = match kind {
                    FilingKind::Create => {
                        self.issue_body(subject, &rest[..k], previous.as_ref())?
                    }
                    FilingKind::Note => {
                        domain::note_body(subject, &rest[..k], &self.options.render)
                    }
                };
                Ok(body.chars().count() <= domain::BODY_LIMIT)
            })?;
            let (part, later) = rest.split_at(n);
            rest = later;
            let body = match kind {
                FilingKind::Create => self.issue_body(subject, part, previous.as_ref())?,
                FilingKind::Note => domain::note_body(subject, part, &self.options.render),
            };
            let action = ReviewAction {
                kind,
                status: ActionStatus::Planned,
                subject: subject.clone(),
                issue: if kind == FilingKind::Note {
                    target.clone()
                } else {
                    None
                },
                previous_issue: previous.clone(),
                note_id: None,
                title: (kind == FilingKind::Create).then(|| domain::title(subject)),
                body,
                assignees: if kind == FilingKind::Create {
                    self.assignees.to_vec()
                } else {
                    Vec::new()
                },
                labels: if kind == FilingKind::Create {
                    self.options.labels.clone()
                } else {
                    Vec::new()
                },
                responses: reported(part),
            };
            if self.options.dry_run {
                report.actions.push(action);
                continue;
            }
            if kind == FilingKind::Note && target.is_none() {
                // The issue the rest belongs on was not made: the rest waits for the next run.
                break;
            }
            let keys: Vec<ResponseKey> = part.iter().map(|r| r.response.key.clone()).collect();
            match self
                .file_one(finder, action, keys, previous.clone(), report)
                .await?
            {
                Some(issue) => target = Some(issue),
                None => break,
            }
        }
        Ok(())
    }

    /// Files one issue or note; the issue it made or went on, or `None` when it failed (the
    /// failure is in `report.failures`).
    async fn file_one(
        &self,
        finder: &mut Finder<'_>,
        mut action: ReviewAction,
        keys: Vec<ResponseKey>,
        previous: Option<IssueRef>,
        report: &mut ReviewReport,
    ) -> Result<Option<IssueRef>, ReviewError> {
        let filing = self
            .store
            .begin_filing(&NewFiling {
                kind: action.kind,
                tracker: report.tracker.clone(),
                project: self.options.project.clone(),
                subject: action.subject.clone(),
                issue: match action.kind {
                    FilingKind::Create => previous,
                    FilingKind::Note => action.issue.clone(),
                },
                keys,
                at: self.now,
            })
            .await?;
        let mut resends = 0;
        let outcome = loop {
            let sent = match (&action.kind, &action.issue) {
                (FilingKind::Create, _) => {
                    let new = NewIssue {
                        title: action.title.clone().unwrap_or_default(),
                        description: action.body.clone(),
                        labels: action.labels.clone(),
                        assignees: action.assignees.clone(),
                    };
                    self.tracker
                        .create_issue(&self.options.project, &new)
                        .await
                        .map(|issue| FilingOutcome::Created {
                            issue: issue_ref(&issue),
                        })
                }
                (FilingKind::Note, Some(issue)) => self
                    .tracker
                    .add_note(&issue.project, issue.iid, &action.body)
                    .await
                    .map(|note| FilingOutcome::Noted { note_id: note.id }),
                (FilingKind::Note, None) => Err(TrackerError::Protocol {
                    what: "adding a note".to_owned(),
                    message: "no issue to add it to".to_owned(),
                }),
            };
            let error = match sent {
                Ok(outcome) => break outcome,
                Err(e) if is_fatal(&e) => {
                    self.store.abandon_filing(filing.id, self.now).await?;
                    return Err(self.fatal(&action, e, report));
                }
                Err(e @ TrackerError::OutcomeUnknown { .. }) => e,
                Err(e) => {
                    // Refused: nothing was filed.
                    self.store
                        .fail_filing(filing.id, &e.to_string(), self.now)
                        .await?;
                    report.failures.push(failed(&action, &e, false));
                    return Ok(None);
                }
            };
            let answer = match &error {
                TrackerError::OutcomeUnknown { message, .. } => message
                    .strip_prefix("GitLab answered ")
                    .unwrap_or(message)
                    .to_owned(),
                other => other.to_string(),
            };
            match settle(
                self.store,
                finder,
                &filing,
                self.options.settle.searches,
                self.pace,
                self.options.settle.search_wait,
            )
            .await
            {
                Ok(Some(outcome)) => {
                    report.settled.push(Settled {
                        kind: action.kind,
                        subject: action.subject.clone(),
                        answer,
                        outcome: "found",
                    });
                    break outcome;
                }
                Ok(None) if resends < self.options.settle.resends => {
                    report.settled.push(Settled {
                        kind: action.kind,
                        subject: action.subject.clone(),
                        answer,
                        outcome: "sent_again",
                    });
                }
                Ok(None) => {}
                Err(ReviewError::Lookup { source, .. }) if !is_fatal(&source) => {
                    report.failures.push(failed(&action, &error, true));
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
            if resends >= self.options.settle.resends {
                // Still unknown: the filing stays pending, and the next run searches first.
                report.failures.push(failed(&action, &error, true));
                return Ok(None);
            }
            if let Some(pace) = self.pace {
                let seed = pace.now().as_nanosecond() as u64 ^ u64::from(resends);
                pace.sleep(self.options.settle.backoff(resends, seed)).await;
            }
            resends += 1;
        };
        self.store
            .finish_filing(filing.id, &outcome, self.now)
            .await?;
        let issue = match outcome {
            FilingOutcome::Created { issue } => {
                action.issue = Some(issue.clone());
                issue
            }
            FilingOutcome::Noted { note_id } => {
                action.note_id = Some(note_id);
                action.issue.clone().unwrap_or_else(|| IssueRef {
                    project: String::new(),
                    iid: 0,
                    web_url: String::new(),
                })
            }
        };
        action.status = ActionStatus::Done;
        let kind = action.kind;
        let subject = action.subject.clone();
        report.actions.push(action);
        if kind == FilingKind::Create
            && let Some(kept) =
                super::converge_after_create(self, finder, &subject, &issue, report).await?
        {
            return Ok(Some(kept));
        }
        Ok(Some(issue))
    }

    fn fatal(
        &self,
        action: &ReviewAction,
        source: TrackerError,
        report: &ReviewReport,
    ) -> ReviewError {
        ReviewError::Filing(Box::new(FilingError {
            doing: match action.kind {
                FilingKind::Create => "create the review issue".to_owned(),
                FilingKind::Note => "add a note to the review issue".to_owned(),
            },
            subject: action.subject.clone(),
            report: report.clone(),
            source,
        }))
    }

    /// Of the issues carrying the subject's marker, keeps the oldest open one and closes the
    /// newer open ones as its duplicates, moving their responses into a note on it (skipped
    /// when an earlier convergence moved them already). Returns the kept issue when it closed
    /// any. Recorded in the store and the action log.
    pub async fn converge(
        &self,
        finder: &mut Finder<'_>,
        subject: &SubjectUrl,
        marked: Vec<Issue>,
        report: &mut ReviewReport,
    ) -> Result<Option<IssueRef>, ReviewError> {
        let Some((keep, newer)) = pick(marked) else {
            return Ok(None);
        };
        if newer.is_empty() || keep.state != IssueState::Opened || self.options.dry_run {
            return Ok(None);
        }
        let kept = issue_ref(&keep);
        let lookup = |doing: String| move |source| ReviewError::Lookup { doing, source };
        let mut kept_keys = finder.keys_of(&keep).await?;
        for dup in newer {
            let closed = issue_ref(&dup);
            let keys = finder.keys_of(&dup).await?;
            let missing: Vec<&ResponseKey> =
                keys.iter().filter(|k| !kept_keys.contains(k)).collect();
            let intent = |action: &str, issue: &IssueRef, summary: String| TrackerAction {
                at: self.now,
                tracker: report.tracker.clone(),
                action: action.to_owned(),
                project: issue.project.clone(),
                iid: Some(issue.iid),
                note_id: None,
                web_url: Some(issue.web_url.clone()),
                summary,
            };
            let noted = |note: &supportops_ports::Note, mut entry: TrackerAction| {
                entry.note_id = Some(note.id);
                entry
            };
            if !missing.is_empty() {
                let body = moved_note(&dup, &missing);
                journal::write(
                    self.store,
                    intent(
                        "add_note",
                        &kept,
                        format!(
                            "moved {} responses of the duplicate review {} of {subject}",
                            missing.len(),
                            closed.web_url
                        ),
                    ),
                    self.tracker.add_note(&kept.project, kept.iid, &body),
                    noted,
                )
                .await
                .map_err(lookup(format!(
                    "move the responses of the duplicate review {} to {}",
                    closed.web_url, kept.web_url
                )))?;
                kept_keys.extend(missing.iter().map(|k| (*k).clone()));
            }
            let comment = format!(
                "Closed as a duplicate of {}: two supportops runs filed a review of this subject \
                 at the same time. Its responses are listed there.",
                kept.web_url
            );
            if let Err(e) = journal::write(
                self.store,
                intent(
                    "add_note",
                    &closed,
                    format!("duplicate of {}", kept.web_url),
                ),
                self.tracker.add_note(&closed.project, closed.iid, &comment),
                noted,
            )
            .await
                && is_fatal(&e)
            {
                return Err(lookup(format!("comment on {}", closed.web_url))(e));
            }
            journal::write(
                self.store,
                intent(
                    "set_state",
                    &closed,
                    format!(
                        "closed the duplicate review of {subject}, kept {}",
                        kept.web_url
                    ),
                ),
                self.tracker
                    .set_state(&closed.project, closed.iid, IssueState::Closed),
                |_, entry| entry,
            )
            .await
            .map_err(lookup(format!(
                "close the duplicate review {}",
                closed.web_url
            )))?;
            report.converged.push(Converged {
                subject: subject.clone(),
                kept: kept.clone(),
                closed,
                moved: missing.len(),
            });
        }
        let all: Vec<ResponseKey> = kept_keys.into_iter().collect();
        self.store
            .record_found_issue(subject, &kept, &all, self.now)
            .await?;
        Ok(Some(kept))
    }
}

/// The note that carries a duplicate's responses over to the kept issue: its table rows and
/// the hidden list of its responses.
fn moved_note(dup: &Issue, keys: &[&ResponseKey]) -> String {
    let table: Vec<&str> = dup
        .description
        .lines()
        .filter(|l| l.starts_with('|'))
        .collect();
    format!(
        "{} responses moved here from {}, a duplicate review filed at the same time by another \
         supportops run (now closed):\n\n{}\n\n{}\n",
        keys.len(),
        dup.web_url,
        table.join("\n"),
        domain::responses_marker(keys.iter().copied())
    )
}

fn failed(action: &ReviewAction, e: &TrackerError, pending: bool) -> FailedFiling {
    let (code, status) = failure_code(e);
    FailedFiling {
        kind: action.kind,
        subject: action.subject.clone(),
        issue: action.issue.clone(),
        responses: action.responses.clone(),
        error: e.to_string(),
        code,
        status,
        pending,
    }
}

/// Looks in the tracker for what a filing may have made: the issue carrying the subject's
/// marker (made since shortly before the intent, and newer than the one the store knows), or
/// the note listing the filing's responses. Asks up to `tries` times, `wait` apart.
pub(super) async fn settle<S>(
    store: &S,
    finder: &mut Finder<'_>,
    filing: &Filing,
    tries: u32,
    pace: Option<&dyn Pace>,
    wait: Duration,
) -> Result<Option<FilingOutcome>, ReviewError>
where
    S: ReviewStore + ?Sized,
{
    let intent = &filing.intent;
    for n in 0..tries.max(1) {
        if n > 0
            && let Some(pace) = pace
        {
            pace.sleep(wait).await;
        }
        let outcome = match intent.kind {
            FilingKind::Create => {
                let recorded = store.latest_review_issue(&intent.subject).await?;
                // Allow for clocks that disagree: look back a little before the intent.
                let since = intent
                    .at
                    .checked_sub(jiff::SignedDuration::from_mins(10))
                    .ok();
                finder
                    .fresh(&intent.project, &intent.subject, since)
                    .await?
                    .into_iter()
                    .filter(|i| {
                        recorded
                            .as_ref()
                            .is_none_or(|r| r.issue.project != i.project || r.issue.iid < i.iid)
                    })
                    .filter(|i| {
                        intent
                            .issue
                            .as_ref()
                            .is_none_or(|p| p.project != i.project || p.iid != i.iid)
                    })
                    .max_by_key(|i| i.iid)
                    .map(|i| FilingOutcome::Created {
                        issue: issue_ref(&i),
                    })
            }
            FilingKind::Note => match &intent.issue {
                None => None,
                Some(issue) => finder
                    .notes(&issue.project, issue.iid, &issue.web_url)
                    .await?
                    .into_iter()
                    .find(|n| {
                        let keys = domain::covered_keys_in(&n.body);
                        intent.keys.iter().any(|k| keys.contains(k))
                    })
                    .map(|n| FilingOutcome::Noted { note_id: n.id }),
            },
        };
        if outcome.is_some() {
            return Ok(outcome);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resend_waits_double_with_at_most_half_taken_off() {
        let policy = SettlePolicy::default();
        for seed in [0, 1, 42, u64::MAX] {
            let waits: Vec<Duration> = (0..5).map(|n| policy.backoff(n, seed)).collect();
            for (n, full) in [1, 2, 4, 8, 8].into_iter().enumerate() {
                let full = Duration::from_secs(full);
                assert!(
                    waits[n] <= full && waits[n] >= full / 2,
                    "{seed}: {waits:?}"
                );
            }
        }
        assert_ne!(policy.backoff(0, 1), policy.backoff(0, 2));
    }

    #[test]
    fn the_largest_part_that_fits_is_found() {
        let fit = |n, limit| largest_fitting(n, |k| Ok(k <= limit)).ok();
        assert_eq!(fit(10, 10), Some(10));
        assert_eq!(fit(10, 3), Some(3));
        assert_eq!(fit(10, 0), Some(1));
        assert_eq!(fit(1, 0), Some(1));
    }
}
