//! The Syncs view: the next weekly and monthly syncs (with each member's local time), the last
//! monthly sync and whether it was recorded as held, the agenda of the next monthly sync, and
//! how to subscribe to the calendar, from the sync use cases.

use jiff::civil::Date;
use jiff::{Timestamp, ZonedDateTime};
use serde::Serialize;
use supportops_app::sync::{self, MeetingView};
use supportops_domain::sync::{Agenda, HeldMeeting, MeetingKind, OccurrenceStatus, weekday_title};

use crate::error::DataError;
use crate::state::AppState;

/// How many meetings (weekly and monthly) the view lists: about two months.
pub const UPCOMING: usize = 10;

/// One schedule as configured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleView {
    /// The meeting's title.
    pub title: String,
    /// When: `tuesday` or `first tuesday`.
    pub when: String,
    /// `HH:MM`.
    pub time: String,
    /// IANA zone of `time`.
    pub timezone: String,
    /// Length.
    pub length_minutes: u32,
}

/// What the Syncs view shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncsView {
    /// The weekly sync's configured schedule (before moves and reschedules).
    pub weekly: ScheduleView,
    /// The monthly sync's schedule.
    pub monthly: ScheduleView,
    /// The next weekly syncs (cancelled ones included, marked) and the monthly syncs among
    /// them, in order.
    pub meetings: Vec<MeetingView>,
    /// The next weekly sync that takes place.
    pub next_weekly: Option<MeetingView>,
    /// The next monthly sync.
    pub next_monthly: Option<MeetingView>,
    /// The next monthly sync's agenda.
    pub agenda: Agenda,
    /// The same agenda as Markdown, as `supportops sync agenda` prints it.
    pub agenda_markdown: String,
    /// The last monthly sync that has begun, and whether it was recorded as held.
    pub last_monthly: Option<LastMonthly>,
    /// The iCalendar feed to subscribe to.
    pub calendar_url: &'static str,
    /// The address calendar apps subscribe to, with an API token in place of `TOKEN`.
    pub calendar_subscribe: String,
}

/// The last monthly sync that has begun.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastMonthly {
    /// Its name: the date its rule gives it.
    pub date: Date,
    /// When it started.
    pub start: ZonedDateTime,
    /// The start in UTC.
    pub start_utc: Timestamp,
    /// The record of it, if it was recorded as held.
    pub held: Option<HeldMeeting>,
}

impl SyncsView {
    /// The page of the `i`-th meeting listed, where it can be moved or cancelled.
    pub fn item_href(&self, i: &usize) -> String {
        self.meetings.get(*i).map_or_else(
            || "/syncs".to_owned(),
            |m| crate::sync_actions::href(m.kind, m.date),
        )
    }
}

/// The next meetings only (for the Overview).
pub async fn upcoming(state: &AppState) -> Result<Vec<MeetingView>, DataError> {
    Ok(
        sync::next(state.sync(), state.store().as_ref(), state.now(), UPCOMING)
            .await?
            .meetings,
    )
}

/// The first meeting of `kind` that is not cancelled.
pub fn first_of(meetings: &[MeetingView], kind: MeetingKind) -> Option<MeetingView> {
    meetings
        .iter()
        .find(|m| m.kind == kind && m.status != OccurrenceStatus::Cancelled)
        .cloned()
}

/// The whole view.
pub async fn load(state: &AppState) -> Result<SyncsView, DataError> {
    let meetings = upcoming(state).await?;
    let agenda = sync::agenda(
        state.sync(),
        state.store().as_ref(),
        state.tracker().as_ref(),
        None,
        state.now(),
    )
    .await?;
    let c = &state.config().sync;
    let settings = state.sync();
    let monthly = sync::load_monthly(settings, state.store().as_ref()).await?;
    let last_monthly = match monthly.last_before(state.now()) {
        Ok(m) => Some(LastMonthly {
            held: crate::sync_actions::held_record(state, m.date).await?,
            date: m.date,
            start_utc: m.start.timestamp(),
            start: m.start,
        }),
        Err(_) => None,
    };
    let origin = state.auth().public_url.clone().unwrap_or_default();
    Ok(SyncsView {
        weekly: ScheduleView {
            title: c.weekly.title.clone(),
            when: weekday_title(settings.weekly.weekday).to_owned(),
            time: c.weekly.time.clone(),
            timezone: c.weekly.timezone.clone(),
            length_minutes: c.weekly.length_minutes,
        },
        monthly: ScheduleView {
            title: c.monthly.title.clone(),
            when: settings.monthly.rule.describe(),
            time: c.monthly.time.clone(),
            timezone: c.monthly.timezone.clone(),
            length_minutes: c.monthly.length_minutes,
        },
        next_weekly: first_of(&meetings, MeetingKind::Weekly),
        next_monthly: first_of(&meetings, MeetingKind::Monthly),
        meetings,
        agenda_markdown: agenda.to_markdown(),
        agenda,
        last_monthly,
        calendar_url: crate::access::FEED_PATH,
        calendar_subscribe: format!("{origin}{}?token=TOKEN", crate::access::FEED_PATH),
    })
}

/// The iCalendar feed.
pub async fn calendar(state: &AppState) -> Result<String, DataError> {
    Ok(sync::calendar(state.sync(), state.store().as_ref(), state.now()).await?)
}
