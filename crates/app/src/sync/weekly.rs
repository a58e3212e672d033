//! The weekly sync: its series as the store has it, the next meetings (`sync next`), moving and
//! cancelling one occurrence, rescheduling the whole series, and the slot finder
//! (`sync slots`).

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use serde::Serialize;
use supportops_domain::sync::{
    self as domain, Change, MeetingKind, OccurrenceStatus, Relation, SeriesSpec, SlotQuery,
    SyncError, WeeklySeries,
};
use supportops_ports::store::SyncStore;
use supportops_ports::store::sync::{OccurrenceChange, Reschedule};

use super::monthly::load_monthly;
use super::settings::{SyncSettings, config_err};
use super::{
    MemberTime, MoveTarget, OccurrenceView, SyncAppError, check_members_hours, member_times,
};

/// The weekly series as the store has it: the configured schedule, the reschedules, the changes.
pub async fn load_series(
    settings: &SyncSettings,
    store: &dyn SyncStore,
) -> Result<WeeklySeries, SyncAppError> {
    let mut series = WeeklySeries::new(settings.weekly.clone());
    for r in store.reschedules().await? {
        series.reschedule(r.from, r.spec);
    }
    for c in store.occurrence_changes().await? {
        // A change to a date a later reschedule removed from the series no longer applies.
        let _ = series.record(c.date, c.change);
    }
    Ok(series)
}

/// One meeting as `sync next` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeetingView {
    /// `weekly` or `monthly`.
    pub kind: MeetingKind,
    /// Its title.
    pub title: String,
    /// Its name: the date it was scheduled on (what `sync move` and `sync cancel` take).
    pub date: Date,
    /// `scheduled`, `moved` or `cancelled`.
    pub status: OccurrenceStatus,
    /// Start, in its schedule's zone.
    pub start: ZonedDateTime,
    /// End.
    pub end: ZonedDateTime,
    /// Start in UTC.
    pub start_utc: Timestamp,
    /// When it was scheduled to start (differs from `start_utc` when moved).
    pub scheduled_utc: Timestamp,
    /// For a monthly sync, how it sits next to that day's weekly sync.
    pub relation: Option<Relation>,
    /// Each member's local start time.
    pub members: Vec<MemberTime>,
}

/// What `sync next` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextReport {
    /// The meetings, in order of start.
    pub meetings: Vec<MeetingView>,
}

/// The next `count` meetings: weekly syncs (cancelled ones included, so nobody turns up to
/// one) and the monthly syncs among them, in order of start.
pub async fn next(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    now: Timestamp,
    count: usize,
) -> Result<NextReport, SyncAppError> {
    let series = load_series(settings, store).await?;
    let monthly = load_monthly(settings, store).await?;
    let meetings = domain::upcoming(&series, &monthly, now, count)?;
    let meetings = meetings
        .into_iter()
        .map(|m| {
            let title = match m.kind {
                MeetingKind::Weekly => settings.weekly_title.clone(),
                MeetingKind::Monthly => settings.monthly_title.clone(),
            };
            let length = m.end.timestamp().duration_since(m.start.timestamp());
            MeetingView {
                kind: m.kind,
                title,
                date: m.date,
                status: m.status,
                start_utc: m.start.timestamp(),
                scheduled_utc: m.scheduled.timestamp(),
                relation: m.relation,
                members: member_times(&settings.members, m.start.timestamp(), length),
                start: m.start,
                end: m.end,
            }
        })
        .take(count)
        .collect();
    Ok(NextReport { meetings })
}

async fn change_occurrence(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    date: Date,
    change: Change,
    now: Timestamp,
) -> Result<OccurrenceView, SyncAppError> {
    let mut series = load_series(settings, store).await?;
    series.record(date, change.clone())?;
    store
        .record_occurrence_change(&OccurrenceChange {
            date,
            change,
            recorded_at: now,
        })
        .await?;
    let occ = series
        .occurrence_on(date)?
        .ok_or_else(|| SyncError::Range {
            message: format!("the occurrence of `{date}` vanished"),
        })?;
    Ok(OccurrenceView::new(occ, &settings.members))
}

/// Moves the weekly occurrence scheduled on `date`. Moving it back to its scheduled time
/// restores it (a cancelled one too). A new time outside a member's working hours is refused
/// unless `force`.
pub async fn move_occurrence(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    date: Date,
    to: MoveTarget,
    force: bool,
    now: Timestamp,
) -> Result<OccurrenceView, SyncAppError> {
    let series = load_series(settings, store).await?;
    let version = series.version_on(date).spec.clone();
    let to = match to {
        MoveTarget::Zoned(z) => z,
        MoveTarget::Local(dt) => dt
            .to_zoned_datetime(version.zone.clone())
            .map_err(SyncError::from)?,
    };
    let scheduled = version.start_on(date)?;
    if !force && to.timestamp() != scheduled.timestamp() {
        check_members_hours(&settings.members, &to, version.length)?;
    }
    change_occurrence(settings, store, date, Change::Moved(to), now).await
}

/// Cancels the weekly occurrence scheduled on `date`.
pub async fn cancel_occurrence(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    date: Date,
    now: Timestamp,
) -> Result<OccurrenceView, SyncAppError> {
    change_occurrence(settings, store, date, Change::Cancelled, now).await
}

/// A reschedule of the whole weekly series.
#[derive(Debug, Clone, PartialEq)]
pub struct RescheduleRequest {
    /// From this date on (in the new zone).
    pub from: Date,
    /// The new weekday.
    pub weekday: Weekday,
    /// The new local start time.
    pub time: Time,
    /// The new zone; the current one if `None`.
    pub zone: Option<TimeZone>,
    /// The new length; the current one if `None`.
    pub length: Option<SignedDuration>,
}

/// What `sync reschedule` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RescheduleReport {
    /// The first date the new schedule applies to.
    pub from: Date,
    /// The weekday.
    pub weekday: String,
    /// The local start time, `HH:MM`.
    pub time: String,
    /// The zone.
    pub timezone: String,
    /// The length in minutes.
    pub length_minutes: i64,
    /// The first occurrences under the new schedule.
    pub next: Vec<OccurrenceView>,
}

/// Moves the weekly series from `request.from` on; the past keeps its schedule.
pub async fn reschedule(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    request: RescheduleRequest,
    now: Timestamp,
) -> Result<RescheduleReport, SyncAppError> {
    let mut series = load_series(settings, store).await?;
    let current = series.version_on(request.from).spec.clone();
    let spec = SeriesSpec {
        weekday: request.weekday,
        time: request.time,
        zone: request.zone.unwrap_or(current.zone),
        length: request.length.unwrap_or(current.length),
    };
    let today = now.to_zoned_datetime(spec.zone.clone()).date();
    if request.from < today {
        return Err(SyncAppError::RescheduleInPast {
            from: request.from,
            today,
        });
    }
    let timezone =
        spec.zone
            .iana_name()
            .map(str::to_owned)
            .ok_or_else(|| SyncAppError::UnknownZone {
                zone: "(unnamed)".into(),
            })?;
    store
        .record_reschedule(&Reschedule {
            from: request.from,
            spec: spec.clone(),
            recorded_at: now,
        })
        .await?;
    series.reschedule(request.from, spec.clone());
    let first = spec.start_on(domain::first_on_or_after(request.from, spec.weekday)?)?;
    let next = series
        .next(first.timestamp(), 3)?
        .into_iter()
        .map(|o| OccurrenceView::new(o, &settings.members))
        .collect();
    Ok(RescheduleReport {
        from: request.from,
        weekday: domain::weekday_name(spec.weekday).to_owned(),
        time: spec.time.strftime("%H:%M").to_string(),
        timezone,
        length_minutes: spec.length.as_mins(),
        next,
    })
}

/// One slot as `sync slots` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotView {
    /// 1 for the best; `null` for the current time when it suits fewer members than the
    /// slots found.
    pub rank: Option<usize>,
    /// The weekday, in the series' zone.
    pub weekday: String,
    /// The local start time in the series' zone, `HH:MM`.
    pub time: String,
    /// The start in the week looked at.
    pub start: ZonedDateTime,
    /// Members inside their working hours.
    pub inside: usize,
    /// Members comfortably inside (an hour from either edge).
    pub comfortable: usize,
    /// Minutes from the series' current weekday and time.
    pub distance_minutes: i64,
    /// Whether it is the series' current weekday and time.
    pub current: bool,
    /// Members outside their working hours.
    pub outside: Vec<String>,
    /// The first later week (within a year) the slot stops suiting someone, and who.
    pub breaks_on: Option<Date>,
    /// Who it stops suiting then.
    pub breaks_for: Vec<String>,
    /// Each member's local start time.
    pub members: Vec<MemberTime>,
}

/// What `sync slots` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotsReport {
    /// The Monday of the week looked at.
    pub week_start: Date,
    /// The zone slots are written in.
    pub timezone: String,
    /// The meeting length.
    pub length_minutes: i64,
    /// How many members the team has.
    pub team_size: usize,
    /// Whether the slots suit everyone (else they suit as many as possible).
    pub everyone_fits: bool,
    /// Best first.
    pub slots: Vec<SlotView>,
    /// The series' current weekday and time that week, with how it suits each member, whether
    /// or not it is among `slots` (its `rank` is `null` when no other slot is worse).
    pub current: Option<SlotView>,
}

/// The week `sync slots` looks at by default: the next week that has not begun, so every slot
/// it lists is still ahead (today's week when today is a Monday).
pub fn next_full_week(today: Date) -> Result<Date, SyncAppError> {
    if today.weekday() == Weekday::Monday {
        return Ok(today);
    }
    Ok(today
        .nth_weekday(1, Weekday::Monday)
        .map_err(SyncError::from)?)
}

/// What to look for with `sync slots`.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotsRequest {
    /// The meeting length; the series' if `None`.
    pub length: Option<SignedDuration>,
    /// Any date of the week to look at; the next full week ([`next_full_week`]) if `None`.
    pub week_of: Option<Date>,
    /// How many slots to list.
    pub count: usize,
}

/// Candidate starts are this far apart.
const SLOT_STEP: SignedDuration = SignedDuration::from_mins(30);

/// Finds weekly slots where every member is inside their working hours, best first.
pub async fn slots(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    request: SlotsRequest,
    now: Timestamp,
) -> Result<SlotsReport, SyncAppError> {
    if settings.members.is_empty() {
        return Err(config_err(
            "team.members",
            "no team members are configured; add [[team.members]] entries with a timezone and hours",
        ));
    }
    let series = load_series(settings, store).await?;
    let today = now.to_zoned_datetime(settings.weekly.zone.clone()).date();
    let week_of = match request.week_of {
        Some(date) => date,
        None => next_full_week(today)?,
    };
    let spec = series.version_on(week_of).spec.clone();
    let length = request.length.unwrap_or(spec.length);
    let report = domain::find_slots(&SlotQuery {
        members: &settings.members,
        zone: spec.zone.clone(),
        week_of,
        length,
        step: SLOT_STEP,
        current: Some((spec.weekday, spec.time)),
        horizon_weeks: 52,
    })?;
    let view = |rank: Option<usize>, s: domain::Slot| SlotView {
        rank,
        weekday: domain::weekday_name(s.weekday).to_owned(),
        time: s.time.strftime("%H:%M").to_string(),
        inside: s.inside,
        comfortable: s.comfortable,
        distance_minutes: s.distance.as_mins(),
        current: s.weekday == spec.weekday && s.time == spec.time,
        outside: s.outside().into_iter().map(str::to_owned).collect(),
        breaks_on: s.breaks.as_ref().map(|b| b.date),
        breaks_for: s.breaks.map(|b| b.outside).unwrap_or_default(),
        members: member_times(&settings.members, s.start.timestamp(), length),
        start: s.start,
    };
    // The current time's place among all the slots found, whether or not it is listed.
    let current_rank = report
        .slots
        .iter()
        .position(|s| s.weekday == spec.weekday && s.time == spec.time)
        .map(|i| i + 1);
    let current = report.current.map(|s| view(current_rank, s));
    let slots = report
        .slots
        .into_iter()
        .take(request.count)
        .enumerate()
        .map(|(i, s)| view(Some(i + 1), s))
        .collect();
    Ok(SlotsReport {
        week_start: report.week_start,
        timezone: spec.zone.iana_name().unwrap_or("UTC").to_owned(),
        length_minutes: length.as_mins(),
        team_size: settings.members.len(),
        everyone_fits: report.everyone_fits,
        slots,
        current,
    })
}
