//! The monthly sync: its meetings as the store has them, moving and cancelling one, the agenda
//! built from the review issues and filed in the tracker, the record that a meeting was held,
//! and review outcomes.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use supportops_domain::sync::{
    self as domain, Agenda, AgendaInput, AgendaPart, BandMix, Change, HeldMeeting, MeetingItem,
    MonthlySchedule, Outcome, ReviewIssue, ReviewState, Since, SinceKind, SyncError,
};
use supportops_ports::store::SyncStore;
use supportops_ports::store::sync::{OccurrenceChange, OutcomeRecord};
use supportops_ports::{Issue, IssueQuery, IssueState, NewIssue, Tracker};

use super::settings::SyncSettings;
use super::{MoveTarget, OccurrenceView, SyncAppError, check_members_hours, member_times};

/// The monthly sync as the store has it: the configured rule and every change to a single
/// meeting (a change to a date the rule no longer gives is ignored).
pub async fn load_monthly(
    settings: &SyncSettings,
    store: &dyn SyncStore,
) -> Result<MonthlySchedule, SyncAppError> {
    let mut monthly = settings.monthly.clone();
    for c in store.monthly_changes().await? {
        let _ = monthly.record(c.date, c.change);
    }
    Ok(monthly)
}

async fn change_monthly(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    date: Date,
    change: Change,
    now: Timestamp,
) -> Result<OccurrenceView, SyncAppError> {
    let mut monthly = load_monthly(settings, store).await?;
    monthly.record(date, change.clone())?;
    store
        .record_monthly_change(&OccurrenceChange {
            date,
            change,
            recorded_at: now,
        })
        .await?;
    let occ = monthly
        .occurrence_on(date)?
        .ok_or_else(|| SyncError::Range {
            message: format!("the monthly sync of `{date}` vanished"),
        })?;
    let length = occ.end.timestamp().duration_since(occ.start.timestamp());
    Ok(OccurrenceView {
        date: occ.date,
        status: occ.status,
        members: member_times(&settings.members, occ.start.timestamp(), length),
        scheduled: occ.scheduled,
        start: occ.start,
        end: occ.end,
    })
}

/// Whether the monthly sync meets on `date` (the date its rule gives, whatever its changes).
pub fn is_monthly_date(settings: &SyncSettings, date: Date) -> bool {
    settings.monthly.rule.date_in(date).is_ok_and(|d| d == date)
}

/// Moves the monthly sync named `date` (the date its rule gives it). Moving it back to its
/// scheduled time restores it (a cancelled one too). A new time outside a member's working
/// hours is refused unless `force`.
pub async fn move_monthly(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    date: Date,
    to: MoveTarget,
    force: bool,
    now: Timestamp,
) -> Result<OccurrenceView, SyncAppError> {
    let m = &settings.monthly;
    let to = match to {
        MoveTarget::Zoned(z) => z,
        MoveTarget::Local(dt) => dt
            .to_zoned_datetime(m.zone.clone())
            .map_err(SyncError::from)?,
    };
    let scheduled = date
        .to_datetime(m.time)
        .to_zoned_datetime(m.zone.clone())
        .map_err(SyncError::from)?;
    if !force && to.timestamp() != scheduled.timestamp() && is_monthly_date(settings, date) {
        check_members_hours(&settings.members, &to, m.length)?;
    }
    change_monthly(settings, store, date, Change::Moved(to), now).await
}

/// Cancels the monthly sync named `date`.
pub async fn cancel_monthly(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    date: Date,
    now: Timestamp,
) -> Result<OccurrenceView, SyncAppError> {
    change_monthly(settings, store, date, Change::Cancelled, now).await
}

/// The monthly sync's date for an agenda: the meeting `date` names (its scheduled date, or the
/// date it was moved to), else the next monthly sync not over yet and not cancelled. Dates the
/// monthly sync does not meet on are refused with the nearest ones.
pub fn meeting_date(
    monthly: &MonthlySchedule,
    date: Option<Date>,
    now: Timestamp,
) -> Result<Date, SyncAppError> {
    match date {
        Some(d) => Ok(monthly.meeting_for(d)?.date),
        None => Ok(monthly
            .next_held(now, 1)?
            .first()
            .map(|m| m.date)
            .unwrap_or_else(|| now.to_zoned_datetime(monthly.zone.clone()).date())),
    }
}

/// When the monthly sync named `date` starts: its configured time that day, or the time it
/// was moved to.
fn meeting_start(monthly: &MonthlySchedule, date: Date) -> Result<Timestamp, SyncAppError> {
    match monthly.occurrence_on(date)? {
        Some(occ) => Ok(occ.start.timestamp()),
        None => Ok(date
            .to_datetime(monthly.time)
            .to_zoned_datetime(monthly.zone.clone())
            .map_err(SyncError::from)?
            .timestamp()),
    }
}

fn review_state(state: IssueState) -> ReviewState {
    match state {
        IssueState::Opened => ReviewState::Open,
        IssueState::Closed => ReviewState::Closed,
    }
}

/// Builds the agenda of the monthly sync on `date` (the next one if `None`) from the review
/// issues in the tracker.
pub async fn agenda(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    tracker: &dyn Tracker,
    date: Option<Date>,
    now: Timestamp,
) -> Result<Agenda, SyncAppError> {
    let monthly = load_monthly(settings, store).await?;
    let date = meeting_date(&monthly, date, now)?;
    let previous = store.meeting_before(date).await?;
    let since = match &previous {
        Some(m) => Since {
            date: m.date,
            at: m.held_at,
            kind: SinceKind::Held,
        },
        None => {
            let last = monthly.last_before(meeting_start(&monthly, date)?)?;
            Since {
                date: last.date,
                at: last.start.timestamp(),
                kind: SinceKind::Scheduled,
            }
        }
    };
    let carried: Vec<u64> = previous
        .iter()
        .flat_map(|m| m.items.iter().filter(|i| !i.discussed).map(|i| i.iid))
        .collect();
    let project = &settings.review_project;
    let recorded: BTreeMap<u64, Outcome> = store
        .outcomes(project)
        .await?
        .into_iter()
        .map(|o| (o.iid, o.outcome))
        .collect();
    let mut issues = Vec::new();
    for issue in period_issues(settings, tracker, since.at, &carried).await? {
        // Agendas filed in the same project are not reviews, whatever `review.labels` says.
        if issue
            .labels
            .iter()
            .any(|l| settings.agenda_labels.contains(l))
        {
            continue;
        }
        let relevant = issue.state == IssueState::Opened
            || issue.created_at >= since.at
            || issue.closed_at.is_some_and(|c| c >= since.at)
            || carried.contains(&issue.iid);
        issues.push(review_issue(tracker, project, issue, relevant, &recorded).await?);
    }
    Ok(Agenda::build(&AgendaInput {
        title: &settings.monthly_title,
        date,
        now,
        since,
        previous: previous.as_ref(),
        issues: &issues,
        neglected_after_days: settings.neglected_after_days,
    }))
}

/// The review issues an agenda can hold, read for its period only: the open ones, those
/// changed since `since` (which includes every one created or closed since), and the ones the
/// last meeting carried forward; by issue number, each once.
async fn period_issues(
    settings: &SyncSettings,
    tracker: &dyn Tracker,
    since: Timestamp,
    carried: &[u64],
) -> Result<Vec<Issue>, SyncAppError> {
    let project = &settings.review_project;
    let labels = settings.review_labels.clone();
    let open = IssueQuery {
        state: Some(IssueState::Opened),
        labels: labels.clone(),
        ..IssueQuery::default()
    };
    let changed = IssueQuery {
        labels,
        updated_after: Some(since),
        ..IssueQuery::default()
    };
    let mut by_iid: BTreeMap<u64, Issue> = BTreeMap::new();
    for query in [open, changed] {
        for issue in tracker.list_issues(project, &query).await? {
            by_iid.entry(issue.iid).or_insert(issue);
        }
    }
    for iid in carried {
        if !by_iid.contains_key(iid) {
            match tracker.issue(project, *iid).await {
                Ok(issue) => {
                    by_iid.insert(*iid, issue);
                }
                // Deleted from the tracker since: nothing left to discuss.
                Err(supportops_ports::TrackerError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(by_iid.into_values().collect())
}

/// Reads what the agenda needs from a review issue; the notes (which list later responses)
/// only for issues that will be on the agenda.
async fn review_issue(
    tracker: &dyn Tracker,
    project: &str,
    issue: Issue,
    read_notes: bool,
    recorded: &BTreeMap<u64, Outcome>,
) -> Result<ReviewIssue, SyncAppError> {
    let mut bands = BandMix::default();
    domain::tally_bands(&issue.description, &mut bands);
    if read_notes {
        for note in tracker.notes(project, issue.iid).await? {
            domain::tally_bands(&note.body, &mut bands);
        }
    }
    Ok(ReviewIssue {
        iid: issue.iid,
        subject: domain::review_subject(&issue.description),
        state: review_state(issue.state),
        created_at: issue.created_at,
        closed_at: issue.closed_at,
        has_action_plan: domain::has_action_plan(&issue.description),
        responses: bands.total(),
        bands,
        outcome: Outcome::from_labels(&issue.labels).or_else(|| recorded.get(&issue.iid).copied()),
        title: issue.title,
        web_url: issue.web_url,
    })
}

/// What filing the agenda did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FiledAgenda {
    /// The issue number.
    pub iid: u64,
    /// Its link.
    pub web_url: String,
    /// False when an open agenda issue with the same title was already there.
    pub created: bool,
}

/// Files the agenda as an issue in the review project, labelled with `sync.monthly.agenda_labels`.
/// The issue carries the hidden marker `<!-- supportops:agenda=DATE -->` of its meeting, and is
/// found by it (not by its title, which people edit): an open agenda issue for the same meeting
/// is left as it is.
pub async fn file_agenda(
    settings: &SyncSettings,
    tracker: &dyn Tracker,
    agenda: &Agenda,
) -> Result<FiledAgenda, SyncAppError> {
    let project = &settings.review_project;
    let title = agenda.issue_title();
    let found_by = supportops_domain::markers::agenda(agenda.date);
    let (marker_text, marker) = (found_by.search_text().to_owned(), found_by.comment());
    let existing = tracker
        .list_issues(
            project,
            &IssueQuery {
                state: Some(IssueState::Opened),
                search: Some(marker_text.clone()),
                ..IssueQuery::default()
            },
        )
        .await?;
    if let Some(issue) = existing
        .into_iter()
        .find(|i| i.description.contains(&marker))
    {
        return Ok(FiledAgenda {
            iid: issue.iid,
            web_url: issue.web_url,
            created: false,
        });
    }
    let new = NewIssue {
        title,
        description: format!("{}\n{marker}\n", agenda.to_markdown()),
        labels: settings.agenda_labels.clone(),
        assignees: Vec::new(),
    };
    let issue =
        crate::journal::create_marked(tracker, project, &new, &marker_text, &marker, None).await?;
    Ok(FiledAgenda {
        iid: issue.iid,
        web_url: issue.web_url,
        created: true,
    })
}

/// What `sync held` recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldReport {
    /// The meeting.
    #[serde(flatten)]
    pub meeting: HeldMeeting,
}

/// Records that the monthly sync of `date` (the last one begun if `None`) took place; its agenda's items
/// are recorded as discussed except `not_discussed`, which carry forward to the next agenda.
pub async fn held(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    tracker: &dyn Tracker,
    date: Option<Date>,
    not_discussed: &[u64],
    now: Timestamp,
) -> Result<HeldReport, SyncAppError> {
    let monthly = load_monthly(settings, store).await?;
    let today = now.to_zoned_datetime(monthly.zone.clone()).date();
    // The meeting the date names: refused when the monthly sync does not meet that day, so
    // a second record never appears for a meeting that did not take place.
    let date = match date {
        Some(d) => monthly.meeting_for(d)?.date,
        // The meeting that began last: today's, or the one the team forgot to record.
        None => monthly.last_before(now)?.date,
    };
    let start = meeting_start(&monthly, date)?;
    if start.to_zoned_datetime(monthly.zone.clone()).date() > today {
        return Err(SyncAppError::HeldInFuture { date });
    }
    let held_at = start.min(now);
    let agenda = agenda(settings, store, tracker, Some(date), now).await?;
    let items = agenda.items();
    let unknown: Vec<u64> = not_discussed
        .iter()
        .copied()
        .filter(|iid| !items.iter().any(|(i, _)| i == iid))
        .collect();
    if !unknown.is_empty() {
        let list = |iids: &mut dyn Iterator<Item = u64>| {
            let v: Vec<String> = iids.map(|i| format!("#{i}")).collect();
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        return Err(SyncAppError::NotOnAgenda {
            iids: list(&mut unknown.into_iter()),
            date,
            items: list(&mut items.iter().map(|(i, _)| *i)),
        });
    }
    let meeting = HeldMeeting {
        date,
        held_at,
        items: items
            .into_iter()
            .map(|(iid, part): (u64, AgendaPart)| MeetingItem {
                iid,
                part,
                discussed: !not_discussed.contains(&iid),
            })
            .collect(),
    };
    store.record_meeting(&meeting, now).await?;
    Ok(HeldReport { meeting })
}

/// What `sync outcome` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeReport {
    /// The review issue.
    pub iid: u64,
    /// Its link.
    pub web_url: String,
    /// The outcome recorded.
    pub outcome: Outcome,
    /// The scoped label set on it.
    pub label: String,
    /// The issue's labels now.
    pub labels: Vec<String>,
}

/// Records a review's outcome: sets the scoped label `review-outcome::…` on the issue (removing
/// the other one) and keeps the record in the store.
pub async fn outcome(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    tracker: &dyn Tracker,
    iid: u64,
    outcome: Outcome,
    now: Timestamp,
) -> Result<OutcomeReport, SyncAppError> {
    let project = &settings.review_project;
    let issue = tracker.issue(project, iid).await?;
    let missing: Vec<String> = settings
        .review_labels
        .iter()
        .filter(|l| !issue.labels.contains(l))
        .map(|l| format!("`{l}`"))
        .collect();
    if !missing.is_empty() {
        return Err(SyncAppError::NotAReview {
            project: project.clone(),
            iid,
            missing: missing.join(", "),
        });
    }
    let label = outcome.label();
    let others: Vec<String> = Outcome::ALL
        .into_iter()
        .filter(|o| *o != outcome)
        .map(Outcome::label)
        .collect();
    let updated = tracker
        .update_labels(project, iid, std::slice::from_ref(&label), &others)
        .await?;
    store
        .record_outcome(&OutcomeRecord {
            project: project.clone(),
            iid,
            outcome,
            recorded_at: now,
        })
        .await?;
    Ok(OutcomeReport {
        iid,
        web_url: updated.web_url,
        outcome,
        label,
        labels: updated.labels,
    })
}
