//! The monthly sync: its meetings as the store has them, moving and cancelling one, the agenda
//! built from the review issues and filed in the tracker, the record that a meeting was held,
//! and review outcomes.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use supportops_domain::sync::{
    self as domain, AGENDA_LIST_LIMIT, Agenda, AgendaInput, AgendaPart, BandMix, Change,
    HeldMeeting, MeetingItem, MonthlySchedule, Outcome, ReviewIssue, ReviewState, Since, SinceKind,
    SyncError, Unread,
};
use supportops_ports::store::SyncStore;
use supportops_ports::store::pages::SeenState;
use supportops_ports::store::sync::{AgendaQuery, KnownReview, OccurrenceChange, OutcomeRecord};
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
/// issues, at a cost bounded by what it lists, whatever the history (the Syncs page builds it
/// on every request):
///
/// - The tracker lists the review issues closed since the last sync (what the team closed in
///   the period, a hundred a request): only it knows when an issue was closed.
/// - The store decides which review issues each part holds and hands back the first
///   [`AGENDA_LIST_LIMIT`] of each, by number, with each part's total
///   ([`SyncStore::agenda_reviews`]: the issues it records, with their tracker state as last
///   seen, the items the last meeting carried forward, and those closed since).
/// - When no part holds more than that (a team's usual month), the tracker's open review
///   issues are listed as well, as they always were: issues filed by hand are then on the
///   agenda, and every state is the tracker's.
/// - Otherwise the listed issues are read from the tracker by number (GitLab's `iids[]`, a
///   hundred a request), and only those: the totals count the others as the store last saw
///   them, whether those have an action plan is not read (`totals.unchecked`), and open issues
///   filed by hand are not looked for. The Reviews page lists them all (`more_url`).
///
/// Each issue's responses per band come from the store's coverage (one grouped query per
/// hundred issues; the bands as scored now), or, for an issue the store does not record,
/// from its description's table: no note is read. The tracker states read are kept in the
/// store, as the Reviews page keeps them, so the next agenda's counts follow them.
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
    let project = &settings.review_project;
    let limit = AGENDA_LIST_LIMIT;
    let aged_before = now
        .checked_sub(SignedDuration::from_hours(
            24 * i64::from(settings.neglected_after_days),
        ))
        .unwrap_or(Timestamp::MIN);
    // The review issues closed since the last sync, as the tracker lists them (what the team
    // closed in the period, a hundred a request): the store does not know when an issue it saw
    // closed was closed.
    let closed = reviews_in(settings, tracker, IssueState::Closed, Some(since.at)).await?;
    let plan = store
        .agenda_reviews(&AgendaQuery {
            project: project.clone(),
            since: since.at,
            previous: previous.as_ref().map(|m| m.date),
            aged_before,
            limit: limit as u64,
            closed_since: closed.iter().map(|i| i.iid).collect(),
        })
        .await?;
    let listed_in = |part: AgendaPart| plan.listed.iter().filter(|(_, p)| *p == part).count();
    let whole = plan.new_total <= limit as u64 && plan.past_total <= limit as u64;
    let mut by_iid: BTreeMap<u64, Issue> = closed.into_iter().map(|i| (i.iid, i)).collect();
    let unread = if whole {
        for issue in reviews_in(settings, tracker, IssueState::Opened, None).await? {
            by_iid.entry(issue.iid).or_insert(issue);
        }
        Unread::default()
    } else {
        Unread {
            new: plan
                .new_total
                .saturating_sub(listed_in(AgendaPart::New) as u64),
            past: plan
                .past_total
                .saturating_sub(listed_in(AgendaPart::Past) as u64),
            aged_open: plan.aged_unlisted,
        }
    };
    // The listed issues the listings did not bring (all of them when there were none): read
    // by number. One deleted since, or no longer labelled a review, is simply not found.
    let missing: Vec<u64> = plan
        .listed
        .iter()
        .map(|(iid, _)| *iid)
        .filter(|iid| !by_iid.contains_key(iid))
        .collect();
    let mut issues: Vec<Issue> = by_iid.into_values().collect();
    issues.extend(by_number(settings, tracker, &missing).await?);
    // Agendas filed in the same project are not reviews, whatever `review.labels` says.
    issues.retain(|i| !i.labels.iter().any(|l| settings.agenda_labels.contains(l)));

    let iids: Vec<u64> = issues.iter().map(|i| i.iid).collect();
    let known = store.known_reviews(project, &iids).await?;
    if !whole {
        // A closed issue the store counts in a part without listing it is in `unread`: only
        // those it does not record (filed by hand) are added.
        let listed: BTreeSet<u64> = plan.listed.iter().map(|(iid, _)| *iid).collect();
        let items: BTreeSet<u64> = previous
            .iter()
            .flat_map(|m| m.items.iter().map(|i| i.iid))
            .collect();
        issues.retain(|i| {
            listed.contains(&i.iid) || !(known.contains_key(&i.iid) || items.contains(&i.iid))
        });
    }
    let iids: Vec<u64> = issues.iter().map(|i| i.iid).collect();
    let recorded = store.outcomes_of(project, &iids).await?;
    let changed: Vec<SeenState> = issues
        .iter()
        .filter_map(|issue| {
            let was = known.get(&issue.iid)?;
            let now = SeenState::of(issue);
            (was.state.as_deref() != Some(now.state.as_str()) || was.outcome != now.outcome)
                .then_some(now)
        })
        .collect();
    if !changed.is_empty() {
        store.keep_review_states(&changed).await?;
    }
    let issues: Vec<ReviewIssue> = issues
        .into_iter()
        .map(|issue| {
            let (known, outcome) = (known.get(&issue.iid), recorded.get(&issue.iid).copied());
            review_issue(issue, known, outcome)
        })
        .collect();
    Ok(Agenda::build(&AgendaInput {
        title: &settings.monthly_title,
        date,
        now,
        since,
        previous: previous.as_ref(),
        issues: &issues,
        neglected_after_days: settings.neglected_after_days,
        limit,
        unread,
        reviews_url: &settings.reviews_url,
    }))
}

/// Issue numbers asked of the tracker in one listing: GitLab's page of a hundred.
const BY_NUMBER: usize = 100;

/// The review issues with these numbers, a hundred per listing (one GitLab request each).
async fn by_number(
    settings: &SyncSettings,
    tracker: &dyn Tracker,
    iids: &[u64],
) -> Result<Vec<Issue>, SyncAppError> {
    let mut out = Vec::new();
    for batch in iids.chunks(BY_NUMBER) {
        let query = IssueQuery {
            labels: settings.review_labels.clone(),
            iids: batch.to_vec(),
            ..IssueQuery::default()
        };
        out.extend(
            tracker
                .list_issues(&settings.review_project, &query)
                .await?,
        );
    }
    Ok(out)
}

/// The review issues in `state` (changed since `changed_since`, if given) as the tracker lists
/// them, a hundred a request.
async fn reviews_in(
    settings: &SyncSettings,
    tracker: &dyn Tracker,
    state: IssueState,
    changed_since: Option<Timestamp>,
) -> Result<Vec<Issue>, SyncAppError> {
    let query = IssueQuery {
        state: Some(state),
        labels: settings.review_labels.clone(),
        updated_after: changed_since,
        ..IssueQuery::default()
    };
    Ok(tracker
        .list_issues(&settings.review_project, &query)
        .await?)
}

/// What the agenda shows of a review issue: its responses per band from the store's coverage
/// when the store records any, else from the table of its description (an issue filed by
/// hand; its notes are not read).
fn review_issue(
    issue: Issue,
    known: Option<&KnownReview>,
    recorded: Option<Outcome>,
) -> ReviewIssue {
    let bands = match known {
        Some(k) if k.bands.total() > 0 => k.bands,
        _ => {
            let mut bands = BandMix::default();
            domain::tally_bands(&issue.description, &mut bands);
            bands
        }
    };
    ReviewIssue {
        iid: issue.iid,
        subject: domain::review_subject(&issue.description),
        state: review_state(issue.state),
        created_at: issue.created_at,
        closed_at: issue.closed_at,
        has_action_plan: domain::has_action_plan(&issue.description),
        responses: bands.total(),
        bands,
        outcome: Outcome::from_labels(&issue.labels).or(recorded),
        title: issue.title,
        web_url: issue.web_url,
    }
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
/// The items are the issues the agenda lists: on a busy month's agenda, the ones counted but
/// not listed were not items, and those still open come back in part 2.
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
