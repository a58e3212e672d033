//! Moving a scheduled session to another time: the Support Shadowing issue gets a note with the
//! new time in the member's and the region's zones (no second issue is filed), then the store
//! records the new start.
//!
//! Like scheduling, the tracker is written first and the store second, and the note is not
//! added twice: it carries a hidden marker naming the session and its new start, so running
//! the command again after an interruption finds the note and only records the move.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use supportops_domain::shadow::{SessionId, SessionState, ShadowSession};
use supportops_ports::Tracker;
use supportops_ports::store::ShadowStore;

use super::issue::span_in;
use super::record::{check_start, parse_start};
use super::{ShadowError, Shadowing, load, zone};

/// What to move, and where to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RescheduleRequest {
    /// The scheduled session.
    pub id: SessionId,
    /// The new start as typed: `2026-12-10 15:00`.
    pub at: String,
    /// The IANA zone `at` is in; the member's zone when `None`.
    pub zone: Option<String>,
    /// Move it even outside the member's or the region's working hours.
    pub force: bool,
    /// Show what would be noted and recorded, change nothing.
    pub dry_run: bool,
}

/// The answer of [`reschedule`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RescheduleReport {
    /// Nothing was written.
    pub dry_run: bool,
    /// The session, as recorded (or as it would be).
    pub session: ShadowSession,
    /// The start before the move.
    pub previous_start: Timestamp,
    /// The member's new time, e.g. `Thu 10 Dec 2026, 10:00–11:00 EST`.
    pub member_time: String,
    /// The region's new time.
    pub region_time: String,
    /// The note on the Support Shadowing issue.
    pub note: String,
    /// What was (or would be) done in the tracker, one line each.
    pub tracker_actions: Vec<String>,
    /// Things worth knowing that did not stop the command.
    pub warnings: Vec<String>,
}

fn reschedule_marker(id: SessionId, start: Timestamp) -> String {
    supportops_domain::markers::shadow_reschedule(id, start).comment()
}

/// Moves scheduled session `req.id` to a new start: notes the new time (in the member's and
/// the region's zones) on its Support Shadowing issue, and records the new start (and the
/// month it now counts toward).
pub async fn reschedule<S>(
    store: &S,
    tracker: &dyn Tracker,
    sh: &Shadowing,
    req: &RescheduleRequest,
    now: Timestamp,
) -> Result<RescheduleReport, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    let mut session = load(store, req.id).await?;
    let (Some(previous), SessionState::Scheduled) = (session.start, session.state) else {
        return Err(ShadowError::NotScheduled {
            id: session.id,
            state: session.state,
        });
    };
    let (member, region) = sh.member_and_region(&session)?;
    let start_zone = match &req.zone {
        Some(name) => zone(name).map_err(|_| ShadowError::UnknownZone {
            input: name.clone(),
        })?,
        None => member.zone.clone(),
    };
    let start = parse_start(&req.at, &start_zone)?;
    let length = session.length_minutes;
    let mut warnings = Vec::new();
    let month = check_start(
        &session,
        (member, region),
        (start, &start_zone),
        now,
        req.force,
        true,
        &mut warnings,
    )?;
    let zone_name = |z: &TimeZone| z.iana_name().unwrap_or("UTC").to_owned();
    let member_time = span_in(start, length, &member.zone);
    let region_time = span_in(start, length, &region.zone);
    let note = format!(
        "**Rescheduled.** The session now takes place:\n\n\
         - **{}'s time** ({}): {member_time}\n\
         - **{} time** ({}): {region_time}\n\n\
         It was {}.\n\n{}",
        member.name,
        zone_name(&member.zone),
        region.name,
        zone_name(&region.zone),
        span_in(previous, length, &member.zone),
        reschedule_marker(session.id, start)
    );

    let mut tracker_actions = Vec::new();
    if let Some(issue) = &session.issue {
        let fail = |doing: &str| {
            let doing = format!("{doing} {}", issue.web_url);
            move |source| ShadowError::Tracker { doing, source }
        };
        let notes = tracker
            .notes(&issue.project, issue.iid)
            .await
            .map_err(fail("read the notes of"))?;
        let marker = reschedule_marker(session.id, start);
        if !notes.iter().any(|n| n.body.contains(&marker)) {
            tracker_actions.push(format!("add a note with the new time to {}", issue.web_url));
            if !req.dry_run {
                tracker
                    .add_note(&issue.project, issue.iid, &note)
                    .await
                    .map_err(fail("add a note to"))?;
            }
        }
    }
    session.start = Some(start);
    session.month = month;
    session.updated_at = now;
    if !req.dry_run {
        store
            .update_session(&session, SessionState::Scheduled)
            .await
            .map_err(|source| ShadowError::NotRecorded {
                url: session
                    .issue
                    .as_ref()
                    .map_or_else(|| "the note".to_owned(), |i| i.web_url.clone()),
                source,
            })?;
    }
    Ok(RescheduleReport {
        dry_run: req.dry_run,
        session,
        previous_start: previous,
        member_time,
        region_time,
        note,
        tracker_actions,
        warnings,
    })
}
