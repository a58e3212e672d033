//! The Syncs view: the next weekly and monthly syncs (with each member's local time), and the
//! agenda of the next monthly sync, from the sync use cases.

use serde::Serialize;
use supportops_app::sync::{self, MeetingView};
use supportops_domain::sync::{Agenda, MeetingKind, OccurrenceStatus, weekday_title};

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
    /// The iCalendar feed to subscribe to.
    pub calendar_url: &'static str,
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
        calendar_url: "/calendar.ics",
    })
}

/// The iCalendar feed.
pub async fn calendar(state: &AppState) -> Result<String, DataError> {
    Ok(sync::calendar(state.sync(), state.store().as_ref(), state.now()).await?)
}
