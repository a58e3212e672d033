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

pub mod demo;
pub mod ics;

mod monthly;
mod settings;
mod weekly;

use jiff::civil::{Date, DateTime};
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use serde::Serialize;
use supportops_domain::sync::{
    Fit, MeetingKind, Occurrence, OccurrenceStatus, SyncError, TeamMember,
};
use supportops_ports::store::SyncStore;
use supportops_ports::{StoreError, TrackerError};

pub use monthly::{
    FiledAgenda, HeldReport, OutcomeReport, agenda, cancel_monthly, file_agenda, held,
    is_monthly_date, load_monthly, meeting_date, move_monthly, outcome,
};
pub use settings::{SyncSettings, zone};
pub use weekly::{
    MeetingView, NextReport, RescheduleReport, RescheduleRequest, SlotView, SlotsReport,
    SlotsRequest, cancel_occurrence, load_series, move_occurrence, next, next_full_week,
    reschedule, slots,
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
