//! The sync use cases: the weekly sync's next occurrences, moves, cancellations and
//! reschedules; the slot finder; the calendar feed ([`ics`]); and the monthly sync's agenda,
//! meeting record and review outcomes.
//!
//! [`SyncSettings::from_config`] validates the `[sync]`, `[review]` and `[team]` settings once
//! (errors name the config key). Each use case then takes the store and, where it needs one,
//! the tracker, plus `now`: nothing here reads the clock.
//!
//! The weekly series is the configured schedule, then every reschedule recorded in the store
//! (in the order recorded), then every change to a single occurrence; a change recorded before a
//! reschedule that removed its date no longer applies.

pub mod ics;

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use serde::Serialize;
use supportops_config::Config;
use supportops_domain::sync::{
    self as domain, Agenda, AgendaInput, AgendaPart, BandMix, Change, Fit, HeldMeeting,
    MeetingItem, MeetingKind, MonthlyRule, MonthlySchedule, Occurrence, OccurrenceStatus, Outcome,
    Relation, ReviewIssue, ReviewState, SeriesSpec, Since, SinceKind, SlotQuery, SyncError,
    TeamMember, WeeklySeries, WorkingHours,
};
use supportops_ports::store::SyncStore;
use supportops_ports::store::sync::{OccurrenceChange, OutcomeRecord, Reschedule};
use supportops_ports::{
    Issue, IssueQuery, IssueState, NewIssue, StoreError, Tracker, TrackerError,
};

/// Why a sync use case failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncAppError {
    /// A configuration value is wrong.
    #[error("invalid config key `{key}`: {message}")]
    Config {
        /// The dotted key, e.g. `sync.weekly.weekday`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A time zone name is unknown.
    #[error("unknown time zone `{zone}`; use an IANA name such as `Europe/Berlin` or `UTC`")]
    UnknownZone {
        /// What was given.
        zone: String,
    },
    /// A date, time or schedule change given by the user does not fit the schedule.
    #[error(transparent)]
    Schedule(#[from] SyncError),
    /// A reschedule from a date already past.
    #[error(
        "cannot reschedule from `{from}`: it is in the past and the series' history is kept; choose today (`{today}`) or later"
    )]
    RescheduleInPast {
        /// The date given.
        from: Date,
        /// Today, in the series' zone.
        today: Date,
    },
    /// A new time outside some attendees' working hours, without `--force`.
    #[error(
        "{when} is outside the working hours of {who}; pick a time inside them (`supportops sync slots` lists some), or add `--force` to keep this one"
    )]
    OutsideHours {
        /// The new start.
        when: String,
        /// Who would be outside, with their local time, e.g. `dana (Tue 01:00)`.
        who: String,
    },
    /// A meeting recorded as held in the future.
    #[error("cannot record the monthly sync of `{date}` as held: that date is still to come")]
    HeldInFuture {
        /// The date given.
        date: Date,
    },
    /// An issue that is not a Feedback Review issue.
    #[error(
        "issue #{iid} in `{project}` is not a Feedback Review issue: it lacks the label(s) {missing} (config key `review.labels`)"
    )]
    NotAReview {
        /// The review project.
        project: String,
        /// The issue.
        iid: u64,
        /// The review labels it lacks, quoted.
        missing: String,
    },
    /// Issues marked undiscussed that were not on the meeting's agenda.
    #[error(
        "issue(s) {iids} were not on the agenda of the monthly sync of `{date}`; its items are: {items}"
    )]
    NotOnAgenda {
        /// The issues given, e.g. `#4, #9`.
        iids: String,
        /// The meeting.
        date: Date,
        /// The agenda's items, e.g. `#1, #2`, or `none`.
        items: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The tracker failed.
    #[error(transparent)]
    Tracker(#[from] TrackerError),
}

impl SyncAppError {
    /// Whether the user's input (command line or configuration) is at fault: exit code 2.
    pub fn is_bad_input(&self) -> bool {
        match self {
            SyncAppError::Config { .. }
            | SyncAppError::UnknownZone { .. }
            | SyncAppError::Schedule(_)
            | SyncAppError::RescheduleInPast { .. }
            | SyncAppError::OutsideHours { .. }
            | SyncAppError::HeldInFuture { .. }
            | SyncAppError::NotAReview { .. }
            | SyncAppError::NotOnAgenda { .. } => true,
            SyncAppError::Tracker(TrackerError::NotFound { .. }) => true,
            SyncAppError::Store(_) | SyncAppError::Tracker(_) => false,
        }
    }
}

/// Looks up an IANA time zone.
pub fn zone(name: &str) -> Result<TimeZone, SyncAppError> {
    TimeZone::get(name.trim()).map_err(|_| SyncAppError::UnknownZone {
        zone: name.to_owned(),
    })
}

/// Everything the sync use cases need from the configuration, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncSettings {
    /// `sync.weekly.title`.
    pub weekly_title: String,
    /// The configured weekly schedule (before any reschedule).
    pub weekly: SeriesSpec,
    /// `sync.monthly.title`.
    pub monthly_title: String,
    /// The monthly schedule.
    pub monthly: MonthlySchedule,
    /// `sync.monthly.neglected_after_days`.
    pub neglected_after_days: u32,
    /// `sync.monthly.agenda_labels`.
    pub agenda_labels: Vec<String>,
    /// `review.project`: where review issues are, and where agendas are filed.
    pub review_project: String,
    /// `review.labels`: what makes an issue a Feedback Review issue.
    pub review_labels: Vec<String>,
    /// `[[team.members]]`.
    pub members: Vec<TeamMember>,
}

fn config_err(key: &str, e: impl std::fmt::Display) -> SyncAppError {
    SyncAppError::Config {
        key: key.to_owned(),
        message: e.to_string(),
    }
}

fn config_zone(key: &str, name: &str) -> Result<TimeZone, SyncAppError> {
    zone(name).map_err(|e| config_err(key, e))
}

fn config_length(key: &str, minutes: u32) -> Result<SignedDuration, SyncAppError> {
    domain::meeting_length(i64::from(minutes)).map_err(|e| config_err(key, e))
}

impl SyncSettings {
    /// Validates the settings. Errors name the config key, e.g. `sync.monthly.rule`.
    pub fn from_config(config: &Config) -> Result<SyncSettings, SyncAppError> {
        let w = &config.sync.weekly;
        let weekly = SeriesSpec {
            weekday: domain::parse_weekday(&w.weekday)
                .map_err(|e| config_err("sync.weekly.weekday", e))?,
            time: domain::parse_time(&w.time).map_err(|e| config_err("sync.weekly.time", e))?,
            zone: config_zone("sync.weekly.timezone", &w.timezone)?,
            length: config_length("sync.weekly.length_minutes", w.length_minutes)?,
        };
        let m = &config.sync.monthly;
        let monthly = MonthlySchedule {
            rule: MonthlyRule::parse(&m.rule).map_err(|e| config_err("sync.monthly.rule", e))?,
            time: domain::parse_time(&m.time).map_err(|e| config_err("sync.monthly.time", e))?,
            zone: config_zone("sync.monthly.timezone", &m.timezone)?,
            length: config_length("sync.monthly.length_minutes", m.length_minutes)?,
            changes: BTreeMap::new(),
        };
        let mut members = Vec::new();
        for (i, member) in config.team.members.iter().enumerate() {
            let key = |field: &str| format!("team.members[{i}].{field}");
            let workdays = match &member.workdays {
                None => TeamMember::WEEKDAYS.to_vec(),
                Some(days) => days
                    .iter()
                    .map(|d| domain::parse_weekday(d).map_err(|e| config_err(&key("workdays"), e)))
                    .collect::<Result<Vec<Weekday>, _>>()?,
            };
            members.push(TeamMember {
                username: member.username.clone(),
                zone: config_zone(&key("timezone"), &member.timezone)?,
                hours: WorkingHours::parse(&member.hours)
                    .map_err(|e| config_err(&key("hours"), e))?,
                workdays,
            });
        }
        Ok(SyncSettings {
            weekly_title: w.title.clone(),
            weekly,
            monthly_title: m.title.clone(),
            monthly,
            neglected_after_days: m.neglected_after_days,
            agenda_labels: m.agenda_labels.clone(),
            review_project: config.review.project.clone(),
            review_labels: config.review.labels.clone(),
            members,
        })
    }
}

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

/// A member's view of a meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberTime {
    /// Username.
    pub username: String,
    /// The start on their clock.
    pub local: ZonedDateTime,
    /// Whether they are working then.
    pub fit: Fit,
}

fn member_times(
    members: &[TeamMember],
    start: Timestamp,
    length: SignedDuration,
) -> Vec<MemberTime> {
    members
        .iter()
        .map(|m| MemberTime {
            username: m.username.clone(),
            local: m.local(start),
            fit: m.fit(start, length),
        })
        .collect()
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

/// One weekly occurrence after a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OccurrenceView {
    /// Its name: the date it was scheduled on.
    pub date: Date,
    /// `scheduled`, `moved` or `cancelled`.
    pub status: OccurrenceStatus,
    /// When it was scheduled.
    pub scheduled: ZonedDateTime,
    /// When it takes place.
    pub start: ZonedDateTime,
    /// When it ends.
    pub end: ZonedDateTime,
    /// Each member's local start time.
    pub members: Vec<MemberTime>,
}

impl OccurrenceView {
    fn new(occ: Occurrence, members: &[TeamMember]) -> OccurrenceView {
        let length = occ.end.timestamp().duration_since(occ.start.timestamp());
        OccurrenceView {
            date: occ.date,
            status: occ.status,
            members: member_times(members, occ.start.timestamp(), length),
            scheduled: occ.scheduled,
            start: occ.start,
            end: occ.end,
        }
    }
}

/// Where `sync move` moves an occurrence to.
#[derive(Debug, Clone, PartialEq)]
pub enum MoveTarget {
    /// A local date and time in the series' zone.
    Local(DateTime),
    /// A date and time in a named zone.
    Zoned(ZonedDateTime),
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

/// Refuses a meeting at `start` that some members would attend outside their working hours.
fn check_members_hours(
    members: &[TeamMember],
    start: &ZonedDateTime,
    length: SignedDuration,
) -> Result<(), SyncAppError> {
    let outside: Vec<String> = member_times(members, start.timestamp(), length)
        .into_iter()
        .filter(|m| m.fit == Fit::Outside)
        .map(|m| format!("{} ({})", m.username, m.local.strftime("%a %H:%M %Z")))
        .collect();
    if outside.is_empty() {
        return Ok(());
    }
    Err(SyncAppError::OutsideHours {
        when: start.strftime("%a %Y-%m-%d %H:%M %Z").to_string(),
        who: outside.join(", "),
    })
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

/// Which sync `sync move DATE` and `sync cancel DATE` mean: the monthly one when asked for
/// (`monthly`), else the weekly one when it meets on `date`, else the monthly one when its rule
/// gives `date`, else the weekly one (whose error then names the nearest dates).
pub async fn series_for(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    date: Date,
    monthly: bool,
) -> Result<MeetingKind, SyncAppError> {
    if monthly {
        return Ok(MeetingKind::Monthly);
    }
    let series = load_series(settings, store).await?;
    if series.occurrence_on(date)?.is_some() || !is_monthly_date(settings, date) {
        Ok(MeetingKind::Weekly)
    } else {
        Ok(MeetingKind::Monthly)
    }
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

/// The iCalendar feed of both syncs (see [`ics`]).
pub async fn calendar(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    now: Timestamp,
) -> Result<String, SyncAppError> {
    let series = load_series(settings, store).await?;
    let monthly = load_monthly(settings, store).await?;
    Ok(ics::calendar(&ics::CalendarInput {
        calendar_id: &settings.review_project,
        weekly_title: &settings.weekly_title,
        weekly: &series,
        monthly_title: &settings.monthly_title,
        monthly: &monthly,
        now,
    })?)
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
    let query = IssueQuery {
        labels: settings.review_labels.clone(),
        ..IssueQuery::default()
    };
    let recorded: BTreeMap<u64, Outcome> = store
        .outcomes(project)
        .await?
        .into_iter()
        .map(|o| (o.iid, o.outcome))
        .collect();
    let mut issues = Vec::new();
    for issue in tracker.list_issues(project, &query).await? {
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
    let marker_text = format!("supportops:agenda={}", agenda.date);
    let marker = format!("<!-- {marker_text} -->");
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
