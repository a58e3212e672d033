//! Recording a session's life in the store and the tracker: schedule, done, cancel, improve.
//!
//! Each writes to the tracker first and the store second. Whatever the tracker is asked to
//! create is first looked for by its hidden marker, and notes are not added twice, so running
//! a command again after an interruption finishes the job without duplicates.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::Serialize;
use supportops_domain::markers::{self, Marker};
use supportops_domain::shadow::{
    Improvement, IssueRef, Member, Month, Region, Scheduling, SessionId, SessionState,
    ShadowSession,
};
use supportops_ports::store::ShadowStore;
use supportops_ports::{Issue, IssueState, NewIssue, Tracker};

use super::issue::{
    SessionText, cancel_note, done_note, improvement_description, improvement_marker,
    improvement_note, load_template, session_marker, span_in, within_hours,
};
use super::{ShadowError, Shadowing, load, zone};

/// An issue as it is (or would be) filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueDraft {
    /// The project.
    pub project: String,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Labels.
    pub labels: Vec<String>,
    /// Assignees' usernames.
    pub assignees: Vec<String>,
}

/// What to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRequest {
    /// The planned session.
    pub id: SessionId,
    /// The engineer, if already known; otherwise the managers are asked to find one.
    pub engineer: Option<String>,
    /// The start as typed: `2026-12-03 15:00` (or with an offset, `2026-12-03T15:00Z`).
    pub at: String,
    /// The IANA zone `at` is in; the member's zone when `None`.
    pub zone: Option<String>,
    /// Schedule it even outside the member's or the region's working hours.
    pub force: bool,
    /// Show what would be filed and recorded, change nothing.
    pub dry_run: bool,
}

/// The answer of [`schedule`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleReport {
    /// Nothing was written.
    pub dry_run: bool,
    /// The session, as recorded (or as it would be).
    pub session: ShadowSession,
    /// The member's time, e.g. `Thu 3 Dec 2026, 10:00–11:00 EST`.
    pub member_time: String,
    /// The region's time.
    pub region_time: String,
    /// The Support Shadowing issue.
    pub issue: IssueDraft,
    /// The issue filed, or `null` in a dry run.
    pub filed: Option<IssueRef>,
    /// Whether the issue already existed (an earlier run filed it) and was taken over.
    pub found_existing: bool,
    /// Things worth knowing that did not stop the command.
    pub warnings: Vec<String>,
}

/// The answer of [`done`] and [`cancel`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionReport {
    /// Nothing was written.
    pub dry_run: bool,
    /// The session, as recorded (or as it would be).
    pub session: ShadowSession,
    /// What was (or would be) done in the tracker, one line each.
    pub tracker_actions: Vec<String>,
}

/// The answer of [`improve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImproveReport {
    /// Nothing was written.
    pub dry_run: bool,
    /// The session the improvement comes from, with the improvement once recorded.
    pub session: ShadowSession,
    /// The improvement issue.
    pub issue: IssueDraft,
    /// The issue filed, or `null` in a dry run.
    pub filed: Option<IssueRef>,
    /// Whether the issue already existed (an earlier run filed it) and was taken over.
    pub found_existing: bool,
    /// Things worth knowing that did not stop the command.
    pub warnings: Vec<String>,
}

fn issue_ref(issue: &Issue) -> IssueRef {
    IssueRef {
        project: issue.project.clone(),
        iid: issue.iid,
        web_url: issue.web_url.clone(),
    }
}

/// Reads the start: a local date and time in `zone`, or a time with an offset. A date alone
/// is refused: it would be midnight, which nobody means.
pub(super) fn parse_start(at: &str, zone: &TimeZone) -> Result<Timestamp, ShadowError> {
    let text = at.trim();
    if text.parse::<jiff::civil::Date>().is_ok() && !text.contains(':') {
        return Err(ShadowError::NoTime {
            input: text.to_owned(),
        });
    }
    if let Ok(local) = text.parse::<DateTime>() {
        return zone
            .to_ambiguous_timestamp(local)
            .unambiguous()
            .map_err(|_| ShadowError::AmbiguousTime {
                at: text.to_owned(),
                zone: zone.iana_name().unwrap_or("the zone").to_owned(),
            });
    }
    text.parse::<Timestamp>().map_err(|_| ShadowError::BadTime {
        input: text.to_owned(),
    })
}

/// The checks a session's new start passes, for `schedule` and `reschedule` (`moved`): a start
/// in the past and a change of month are warnings, a time outside working hours needs `force`.
/// Returns the month the session counts toward from that start.
pub(super) fn check_start(
    session: &ShadowSession,
    (member, region): (&Member, &Region),
    (start, start_zone): (Timestamp, &TimeZone),
    now: Timestamp,
    force: bool,
    moved: bool,
    warnings: &mut Vec<String>,
) -> Result<Month, ShadowError> {
    let length = session.length_minutes;
    if start < now {
        warnings.push(format!(
            "the session {} in the past ({})",
            if moved { "now starts" } else { "starts" },
            span_in(start, length, start_zone)
        ));
    }
    check_hours(member, region, start, length, start_zone, force, warnings)?;
    let month = Month::of(start.to_zoned_datetime(member.zone.clone()).date());
    if month != session.month {
        warnings.push(format!(
            "session {} {} {}; it now counts toward {month}",
            session.id,
            if moved {
                "counted toward"
            } else {
                "was planned for"
            },
            session.month
        ));
    }
    Ok(month)
}

/// Whose working hours `[start, start + length]` falls outside: the member's, the region's.
/// Outside them the command stops unless `force`, and then warns.
pub(super) fn check_hours(
    member: &Member,
    region: &Region,
    start: Timestamp,
    length: u32,
    given_zone: &TimeZone,
    force: bool,
    warnings: &mut Vec<String>,
) -> Result<(), ShadowError> {
    let mut outside = Vec::new();
    if !within_hours(member.hours, &member.zone, start, length) {
        outside.push(format!(
            "{}'s working hours ({} {})",
            member.username,
            member.hours,
            member.zone.iana_name().unwrap_or("UTC")
        ));
    }
    if !within_hours(region.hours, &region.zone, start, length) {
        outside.push(format!(
            "{}'s working hours ({} {})",
            region.name,
            region.hours,
            region.zone.iana_name().unwrap_or("UTC")
        ));
    }
    if outside.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(ShadowError::OutsideHours {
            when: span_in(start, length, given_zone),
            who: outside.join(" and "),
        });
    }
    warnings.extend(
        outside
            .into_iter()
            .map(|who| format!("the session is outside {who} (kept with --force)")),
    );
    Ok(())
}

/// Issues of `project` carrying `marker` ([`crate::review::find_marked`]: the tracker's
/// marker index, else a search and, should it miss, the issues created since `since`).
async fn marked(
    tracker: &dyn Tracker,
    project: &str,
    marker: &Marker,
    since: Option<Timestamp>,
) -> Result<Vec<Issue>, ShadowError> {
    crate::review::find_marked(
        tracker,
        project,
        marker.search_text(),
        &marker.comment(),
        since,
    )
    .await
    .map_err(|source| ShadowError::Tracker {
        doing: format!("search project `{project}` for issues filed earlier"),
        source,
    })
}

/// The Support Shadowing issue of `session`: the one filed earlier (found by its marker, or by
/// the marker earlier releases wrote), else `draft` created now. `true` when found.
async fn file_session_issue(
    tracker: &dyn Tracker,
    session: &ShadowSession,
    draft: &IssueDraft,
    since: Option<Timestamp>,
) -> Result<(Issue, bool), ShadowError> {
    let project = &draft.project;
    let marker = session_marker(session);
    let mut existing = marked(tracker, project, &marker, since).await?;
    if existing.is_empty()
        && let Some(legacy) =
            markers::legacy_shadowing_session(session.id, &session.member, &session.region)
    {
        existing = marked(tracker, project, &legacy, since).await?;
    }
    if let Some(issue) = existing.into_iter().next() {
        return Ok((issue, true));
    }
    let new = NewIssue {
        title: draft.title.clone(),
        description: draft.description.clone(),
        labels: draft.labels.clone(),
        assignees: draft.assignees.clone(),
    };
    let issue = crate::journal::create_marked(
        tracker,
        project,
        &new,
        marker.search_text(),
        &marker.comment(),
        since,
    )
    .await
    .map_err(|source| ShadowError::Tracker {
        doing: format!("create the Support Shadowing issue in project `{project}`"),
        source,
    })?;
    Ok((issue, false))
}

/// Gives planned session `req.id` a start and an engineer, files its Support Shadowing issue in
/// the shadowing project (assigned to the member, mentioning the region's managers), and
/// records it.
pub async fn schedule<S>(
    store: &S,
    tracker: &dyn Tracker,
    sh: &Shadowing,
    req: &ScheduleRequest,
    now: Timestamp,
) -> Result<ScheduleReport, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    let mut session = load(store, req.id).await?;
    session.check(SessionState::Scheduled)?;
    let (member, region) = sh.member_and_region(&session)?;
    let given_zone = match &req.zone {
        Some(name) => Some(zone(name).map_err(|_| ShadowError::UnknownZone {
            input: name.clone(),
        })?),
        None => None,
    };
    let start_zone = given_zone.clone().unwrap_or_else(|| member.zone.clone());
    let start = parse_start(&req.at, &start_zone)?;
    let engineer = req
        .engineer
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());

    let mut warnings = Vec::new();
    let month = check_start(
        &session,
        (member, region),
        (start, &start_zone),
        now,
        req.force,
        false,
        &mut warnings,
    )?;
    if engineer.is_none() {
        warnings.push(format!(
            "no engineer given: the issue asks {}'s managers to find one",
            region.name
        ));
    }

    let template = load_template(tracker, &sh.project, &sh.template, &mut warnings).await?;
    let given = given_zone.as_ref().filter(|z| {
        z.iana_name() != member.zone.iana_name() && z.iana_name() != region.zone.iana_name()
    });
    let text = SessionText {
        session: &session,
        member,
        region,
        engineer,
        start,
        given_zone: given,
    };
    let draft = IssueDraft {
        project: sh.project.clone(),
        title: text.title(),
        description: text.description(&template)?,
        labels: sh.labels.clone(),
        assignees: vec![member.username.clone()],
    };
    let (member_time, region_time) = (text.member_time(), text.region_time());
    // A lagging search index misses an issue made moments ago by an interrupted run.
    let since = now.checked_sub(jiff::SignedDuration::from_mins(10)).ok();

    let mut scheduled = session.clone();
    let placeholder = IssueRef {
        project: sh.project.clone(),
        iid: 0,
        web_url: String::new(),
    };
    let scheduling = |issue: IssueRef| Scheduling {
        engineer: engineer.map(str::to_owned),
        start,
        month,
        issue,
    };
    if req.dry_run {
        scheduled.schedule(scheduling(placeholder), now)?;
        scheduled.issue = None;
        return Ok(ScheduleReport {
            dry_run: true,
            session: scheduled,
            member_time,
            region_time,
            issue: draft,
            filed: None,
            found_existing: false,
            warnings,
        });
    }

    let (issue, found_existing) = file_session_issue(tracker, &session, &draft, since).await?;
    let filed = issue_ref(&issue);
    session.schedule(scheduling(filed.clone()), now)?;
    store
        .update_session(&session, SessionState::Planned)
        .await
        .map_err(|source| ShadowError::NotRecorded {
            url: filed.web_url.clone(),
            source,
        })?;
    Ok(ScheduleReport {
        dry_run: false,
        session,
        member_time,
        region_time,
        issue: draft,
        filed: Some(filed),
        found_existing,
        warnings,
    })
}

/// Adds `note` to the session's issue unless it is there already, and closes the issue if it
/// is open. Returns what was (or would be) done.
async fn note_and_close(
    tracker: &dyn Tracker,
    issue: &IssueRef,
    note: &str,
    dry_run: bool,
) -> Result<Vec<String>, ShadowError> {
    let fail = |doing: &str| {
        let doing = format!("{doing} {}", issue.web_url);
        move |source| ShadowError::Tracker { doing, source }
    };
    let current = tracker
        .issue(&issue.project, issue.iid)
        .await
        .map_err(fail("read"))?;
    let notes = tracker
        .notes(&issue.project, issue.iid)
        .await
        .map_err(fail("read the notes of"))?;
    let mut actions = Vec::new();
    if !notes.iter().any(|n| n.body.trim() == note.trim()) {
        actions.push(format!("add a note to {}", issue.web_url));
        if !dry_run {
            tracker
                .add_note(&issue.project, issue.iid, note)
                .await
                .map_err(fail("add a note to"))?;
        }
    }
    if current.state == IssueState::Opened {
        actions.push(format!("close {}", issue.web_url));
        if !dry_run {
            tracker
                .set_state(&issue.project, issue.iid, IssueState::Closed)
                .await
                .map_err(fail("close"))?;
        }
    }
    Ok(actions)
}

/// Marks scheduled session `id` done with the member's `notes`: notes them on its issue, closes
/// the issue, records the session as done.
pub async fn done<S>(
    store: &S,
    tracker: &dyn Tracker,
    id: SessionId,
    notes: Option<String>,
    dry_run: bool,
    now: Timestamp,
) -> Result<SessionReport, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    let mut session = load(store, id).await?;
    session.check(SessionState::Done)?;
    // A session is done once it has begun; before that it may still move or fall through.
    if let Some(start) = session.start
        && start > now
    {
        return Err(ShadowError::NotYetHeld {
            id,
            start: span_in(start, session.length_minutes, &TimeZone::UTC),
        });
    }
    let tracker_actions = match &session.issue {
        Some(issue) => {
            note_and_close(tracker, issue, &done_note(notes.as_deref()), dry_run).await?
        }
        None => Vec::new(),
    };
    let notes = notes.filter(|n| !n.trim().is_empty());
    session.complete(notes, now)?;
    if !dry_run {
        store
            .update_session(&session, SessionState::Scheduled)
            .await?;
    }
    Ok(SessionReport {
        dry_run,
        session,
        tracker_actions,
    })
}

/// Cancels planned or scheduled session `id`: notes the `reason` on its issue (if it has one),
/// closes it, records the session as cancelled.
pub async fn cancel<S>(
    store: &S,
    tracker: &dyn Tracker,
    id: SessionId,
    reason: &str,
    dry_run: bool,
    now: Timestamp,
) -> Result<SessionReport, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ShadowError::Empty("the reason"));
    }
    let mut session = load(store, id).await?;
    let was = session.state;
    session.check(SessionState::Cancelled)?;
    let tracker_actions = match &session.issue {
        Some(issue) => note_and_close(tracker, issue, &cancel_note(reason), dry_run).await?,
        None => Vec::new(),
    };
    session.cancel(reason.to_owned(), now)?;
    if !dry_run {
        store.update_session(&session, was).await?;
    }
    Ok(SessionReport {
        dry_run,
        session,
        tracker_actions,
    })
}

/// Files an improvement issue from session `id` in the improvement project: its description
/// mentions the Support Shadowing issue (so GitLab cross-links them); the link is recorded in
/// the store and noted on the shadowing issue.
pub async fn improve<S>(
    store: &S,
    tracker: &dyn Tracker,
    sh: &Shadowing,
    id: SessionId,
    title: &str,
    body: Option<&str>,
    dry_run: bool,
) -> Result<ImproveReport, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    let title = title.trim();
    if title.is_empty() {
        return Err(ShadowError::Empty("the title"));
    }
    let mut session = load(store, id).await?;
    let shadowing = match (&session.issue, session.state) {
        (Some(issue), SessionState::Scheduled | SessionState::Done) => issue.clone(),
        _ => {
            return Err(ShadowError::NoIssue {
                id,
                state: session.state,
            });
        }
    };
    let member_name = sh
        .member(&session.member)
        .map_or_else(|| session.member.clone(), |m| m.name.clone());
    let draft = IssueDraft {
        project: sh.improvement_project.clone(),
        title: title.to_owned(),
        description: improvement_description(&session, &member_name, &shadowing.web_url, body),
        labels: Vec::new(),
        assignees: Vec::new(),
    };
    if dry_run {
        return Ok(ImproveReport {
            dry_run,
            session,
            issue: draft,
            filed: None,
            found_existing: false,
            warnings: Vec::new(),
        });
    }
    let project = &sh.improvement_project;
    let marker = improvement_marker(&session);
    let existing = marked(tracker, project, &marker, None)
        .await?
        .into_iter()
        .find(|i| i.title == title);
    let (issue, found_existing) = match existing {
        Some(issue) => (issue, true),
        None => {
            let new = NewIssue {
                title: draft.title.clone(),
                description: draft.description.clone(),
                labels: Vec::new(),
                assignees: Vec::new(),
            };
            let issue = crate::journal::create_marked(
                tracker,
                project,
                &new,
                marker.search_text(),
                &marker.comment(),
                None,
            )
            .await
            .map_err(|source| ShadowError::Tracker {
                doing: format!("create the improvement issue in project `{project}`"),
                source,
            })?;
            (issue, false)
        }
    };
    let filed = issue_ref(&issue);
    let improvement = Improvement {
        issue: filed.clone(),
        title: title.to_owned(),
        created_at: issue.created_at,
    };
    store
        .add_improvement(id, &improvement)
        .await
        .map_err(|source| ShadowError::NotRecorded {
            url: filed.web_url.clone(),
            source,
        })?;
    if !session.improvements.contains(&improvement) {
        session.improvements.push(improvement);
    }
    let mut warnings = Vec::new();
    let note = improvement_note(&filed.web_url, title);
    let noted = async {
        let notes = tracker.notes(&shadowing.project, shadowing.iid).await?;
        if !notes.iter().any(|n| n.body.trim() == note.trim()) {
            tracker
                .add_note(&shadowing.project, shadowing.iid, &note)
                .await?;
        }
        Ok::<(), supportops_ports::TrackerError>(())
    };
    if let Err(e) = noted.await {
        warnings.push(format!(
            "the improvement is filed and recorded, but noting it on {} failed: {e}",
            shadowing.web_url
        ));
    }
    Ok(ImproveReport {
        dry_run,
        session,
        issue: draft,
        filed: Some(filed),
        found_existing,
        warnings,
    })
}
