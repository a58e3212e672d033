//! Acting on the syncs from the dashboard (`/syncs/{kind}/{date}`) and the API
//! (`/api/v1/syncs/{kind}/{date}/…`): move one weekly or monthly meeting (moving it back to its
//! scheduled time restores it, a cancelled one too), cancel it, record a monthly sync as held
//! with the agenda items it did not get to, and file the monthly agenda as an issue. Each goes
//! through the same `app::sync` use case as `supportops sync`, and is recorded in the meeting's
//! activity list with who did it.
//!
//! A meeting is named as `supportops sync move` names it: its kind and the date it was
//! scheduled on. Forms work without JavaScript: a POST answers `303 See Other` back to the
//! meeting, or the page again with the error next to the field (and what was typed kept);
//! nothing is written then.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, ToSpan as _, ZonedDateTime};
use serde::{Deserialize, Serialize};
use supportops_app::sync::{self as app, FiledAgenda, MemberTime, MoveTarget, SyncAppError};
use supportops_domain::sync::{
    Agenda, Fit, HeldMeeting, MeetingKind, OccurrenceStatus, parse_time,
};
use supportops_ports::store::auth::Activity;

use crate::error::{ApiError, DataError, PageError};
use crate::pages::Layout;
use crate::state::AppState;

/// One weekly or monthly meeting, on its page and in `GET /api/v1/syncs/{kind}/{date}`.
#[derive(Debug, Clone, Serialize)]
pub struct SyncItem {
    /// `weekly` or `monthly`.
    pub kind: MeetingKind,
    /// Its title.
    pub title: String,
    /// Its name: the date it was scheduled on.
    pub date: Date,
    /// `scheduled`, `moved` or `cancelled`.
    pub status: OccurrenceStatus,
    /// When it was scheduled to start, in its schedule's zone.
    pub scheduled: ZonedDateTime,
    /// When it starts (the moved time when moved), in its schedule's zone.
    pub start: ZonedDateTime,
    /// When it ends.
    pub end: ZonedDateTime,
    /// The start in UTC.
    pub start_utc: Timestamp,
    /// Each member's local start time.
    pub members: Vec<MemberTime>,
    /// For a monthly sync recorded as held: the record (items discussed or carried forward).
    pub held: Option<HeldMeeting>,
    /// What people did to it from the dashboard or the API, oldest first.
    pub activity: Vec<Activity>,
}

/// What an action through the API answers: the meeting afterwards, and the agenda issue when
/// the action filed it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionAnswer {
    /// The meeting.
    #[serde(flatten)]
    pub item: SyncItem,
    /// The agenda issue (`agenda` action only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filed: Option<FiledAgenda>,
}

/// The activity list key of a meeting: `sync:weekly:2026-12-08`.
fn item_key(kind: MeetingKind, date: Date) -> String {
    format!("sync:{}:{date}", kind.as_str())
}

/// The page of a meeting.
pub fn href(kind: MeetingKind, date: Date) -> String {
    format!("/syncs/{}/{date}", kind.as_str())
}

fn parse_kind(text: &str) -> Option<MeetingKind> {
    match text {
        "weekly" => Some(MeetingKind::Weekly),
        "monthly" => Some(MeetingKind::Monthly),
        _ => None,
    }
}

/// The meeting `kind` scheduled on `date`, if that sync meets that day.
async fn load(
    state: &AppState,
    kind: MeetingKind,
    date: Date,
) -> Result<Option<SyncItem>, DataError> {
    let settings = state.sync();
    let store = state.store().as_ref();
    let (title, occ) = match kind {
        MeetingKind::Weekly => {
            let series = app::load_series(settings, store).await?;
            let occ = series
                .occurrence_on(date)
                .ok()
                .flatten()
                .map(|o| (o.scheduled, o.start, o.end, o.status));
            (&settings.weekly_title, occ)
        }
        MeetingKind::Monthly => {
            let monthly = app::load_monthly(settings, store).await?;
            let occ = monthly
                .occurrence_on(date)
                .ok()
                .flatten()
                .map(|o| (o.scheduled, o.start, o.end, o.status));
            (&settings.monthly_title, occ)
        }
    };
    let Some((scheduled, start, end, status)) = occ else {
        return Ok(None);
    };
    // A move typed in another zone is shown in the schedule's, like the rest of the page.
    let zone = scheduled.time_zone().clone();
    let (start, end) = (
        start.timestamp().to_zoned_datetime(zone.clone()),
        end.timestamp().to_zoned_datetime(zone),
    );
    let held = match kind {
        MeetingKind::Monthly => held_record(state, date).await?,
        MeetingKind::Weekly => None,
    };
    let length = end.timestamp().duration_since(start.timestamp());
    let members = settings
        .members
        .iter()
        .map(|m| MemberTime {
            username: m.username.clone(),
            local: m.local(start.timestamp()),
            fit: m.fit(start.timestamp(), length),
        })
        .collect();
    Ok(Some(SyncItem {
        kind,
        title: title.clone(),
        date,
        status,
        start_utc: start.timestamp(),
        scheduled,
        start,
        end,
        members,
        held,
        activity: state.store().activity(&item_key(kind, date)).await?,
    }))
}

/// The record of the monthly sync of `date`, if it was recorded as held (one indexed row).
pub async fn held_record(state: &AppState, date: Date) -> Result<Option<HeldMeeting>, DataError> {
    let Ok(after) = date.checked_add(1.day()) else {
        return Ok(None);
    };
    Ok(state
        .store()
        .meeting_before(after)
        .await?
        .filter(|m| m.date == date))
}

/// What was asked, from a form or a JSON body.
#[derive(Debug, Clone, Default)]
struct Asked {
    /// The new date, `YYYY-MM-DD` (move).
    to_date: String,
    /// The new start, `HH:MM` (move).
    to_time: String,
    /// The zone of `to_date` and `to_time`; empty: the schedule's (move).
    zone: String,
    /// Move even outside members' working hours (move).
    force: bool,
    /// Agenda items not discussed, `4` or `#4` (held).
    not_discussed: Vec<String>,
}

impl Asked {
    /// A urlencoded form; `not_discussed` may repeat.
    fn from_form(body: &[u8]) -> Asked {
        let mut asked = Asked::default();
        for (k, v) in url::form_urlencoded::parse(body) {
            match &*k {
                "to_date" => asked.to_date = v.into_owned(),
                "to_time" => asked.to_time = v.into_owned(),
                "zone" => asked.zone = v.into_owned(),
                "force" => asked.force = matches!(&*v, "on" | "true" | "1" | "yes"),
                "not_discussed" => asked.not_discussed.push(v.into_owned()),
                _ => {}
            }
        }
        asked
    }
}

/// The JSON body of `POST /api/v1/syncs/{kind}/{date}/{action}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApiBody {
    /// The new date, `YYYY-MM-DD` (move).
    #[serde(default)]
    to_date: Option<String>,
    /// The new start, `HH:MM` (move).
    #[serde(default)]
    to_time: Option<String>,
    /// The zone of the new date and time; the schedule's if absent (move).
    #[serde(default)]
    zone: Option<String>,
    /// Move even outside members' working hours (move).
    #[serde(default)]
    force: bool,
    /// Agenda items the meeting did not get to (held).
    #[serde(default)]
    not_discussed: Vec<u64>,
}

impl From<ApiBody> for Asked {
    fn from(b: ApiBody) -> Asked {
        Asked {
            to_date: b.to_date.unwrap_or_default(),
            to_time: b.to_time.unwrap_or_default(),
            zone: b.zone.unwrap_or_default(),
            force: b.force,
            not_discussed: b.not_discussed.iter().map(u64::to_string).collect(),
        }
    }
}

/// Which action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Move,
    Restore,
    Cancel,
    Held,
    Agenda,
}

impl Kind {
    fn of(path: &str, meeting: MeetingKind) -> Option<Kind> {
        match (path, meeting) {
            ("move", _) => Some(Kind::Move),
            ("restore", _) => Some(Kind::Restore),
            ("cancel", _) => Some(Kind::Cancel),
            ("held", MeetingKind::Monthly) => Some(Kind::Held),
            ("agenda", MeetingKind::Monthly) => Some(Kind::Agenda),
            _ => None,
        }
    }
}

/// An action refused for what was sent: the field and why.
struct Refused(&'static str, String);

/// What an action did: the activity line, and the agenda issue when one was filed.
struct Done {
    action: String,
    detail: String,
    filed: Option<FiledAgenda>,
}

/// `e` as a refusal of `field` when the user's input is at fault, else a failure.
fn refuse(field: &'static str, e: SyncAppError) -> Result<Result<Done, Refused>, DataError> {
    if e.is_bad_input() {
        Ok(Err(Refused(field, e.to_string())))
    } else {
        Err(e.into())
    }
}

fn when(z: &ZonedDateTime) -> String {
    z.strftime("%a %Y-%m-%d %H:%M %Z").to_string()
}

/// Where a move goes, read from the form; a refusal names the field at fault.
fn move_target(asked: &Asked) -> Result<MoveTarget, Refused> {
    let day = asked.to_date.trim();
    let date = day.parse::<Date>().map_err(|_| {
        Refused(
            "to_date",
            format!("`{day}` is not a date; write it as YYYY-MM-DD, e.g. `2026-12-09`"),
        )
    })?;
    let time = parse_time(&asked.to_time).map_err(|e| Refused("to_time", e.to_string()))?;
    let local: DateTime = date.to_datetime(time);
    let zone = asked.zone.trim();
    if zone.is_empty() {
        return Ok(MoveTarget::Local(local));
    }
    let tz = app::zone(zone).map_err(|e| Refused("zone", e.to_string()))?;
    local
        .to_zoned_datetime(tz)
        .map(MoveTarget::Zoned)
        .map_err(|e| Refused("to_time", format!("{day} {} in {zone}: {e}", asked.to_time)))
}

/// Does one action; `Ok(Err(_))` when the input was refused (nothing written).
async fn perform(
    state: &AppState,
    item: &SyncItem,
    kind: Kind,
    asked: &Asked,
) -> Result<Result<Done, Refused>, DataError> {
    let settings = state.sync();
    let store = state.store().as_ref();
    let now = state.now();
    let date = item.date;
    let moved = |to: MoveTarget, force: bool| async move {
        match item.kind {
            MeetingKind::Weekly => {
                app::move_occurrence(settings, store, date, to, force, now).await
            }
            MeetingKind::Monthly => app::move_monthly(settings, store, date, to, force, now).await,
        }
    };
    let done = |action: &str, detail: String| {
        Ok(Ok(Done {
            action: action.to_owned(),
            detail,
            filed: None,
        }))
    };
    match kind {
        Kind::Move => {
            let to = match move_target(asked) {
                Ok(to) => to,
                Err(r) => return Ok(Err(r)),
            };
            match moved(to, asked.force).await {
                Ok(occ) if occ.status == OccurrenceStatus::Scheduled => {
                    done("restored it to its scheduled time", when(&occ.start))
                }
                Ok(occ) => {
                    let local = occ
                        .start
                        .timestamp()
                        .to_zoned_datetime(item.scheduled.time_zone().clone());
                    let mut detail = format!("to {}", when(&local));
                    if local.time_zone() != occ.start.time_zone() {
                        detail.push_str(&format!(" ({} as typed)", when(&occ.start)));
                    }
                    done("moved it", detail)
                }
                Err(e @ SyncAppError::OutsideHours { .. }) => Ok(Err(Refused(
                    "to_time",
                    e.to_string()
                        .replace("add `--force`", "tick \"even outside working hours\""),
                ))),
                Err(e @ SyncAppError::UnknownZone { .. }) => refuse("zone", e),
                Err(e) => refuse("to_date", e),
            }
        }
        Kind::Restore => match moved(MoveTarget::Zoned(item.scheduled.clone()), true).await {
            Ok(occ) => done("restored it to its scheduled time", when(&occ.start)),
            Err(e) => refuse("restore", e),
        },
        Kind::Cancel => {
            let r = match item.kind {
                MeetingKind::Weekly => app::cancel_occurrence(settings, store, date, now).await,
                MeetingKind::Monthly => app::cancel_monthly(settings, store, date, now).await,
            };
            match r {
                Ok(_) => done("cancelled it", String::new()),
                Err(e) => refuse("cancel", e),
            }
        }
        Kind::Held => {
            let mut iids = Vec::new();
            for text in &asked.not_discussed {
                match text.trim().trim_start_matches('#').parse::<u64>() {
                    Ok(n) if n > 0 => iids.push(n),
                    _ => {
                        return Ok(Err(Refused(
                            "not_discussed",
                            format!("`{text}` is not an issue number such as `3` or `#3`"),
                        )));
                    }
                }
            }
            let tracker = state.acting_tracker().as_ref();
            match app::held(settings, store, tracker, Some(date), &iids, now).await {
                Ok(report) => {
                    let items = &report.meeting.items;
                    let left: Vec<String> = items
                        .iter()
                        .filter(|i| !i.discussed)
                        .map(|i| format!("#{}", i.iid))
                        .collect();
                    let mut detail = format!(
                        "{} of {} agenda items discussed",
                        items.len() - left.len(),
                        items.len()
                    );
                    if !left.is_empty() {
                        detail.push_str(&format!("; carried forward: {}", left.join(", ")));
                    }
                    done("recorded it as held", detail)
                }
                Err(e @ SyncAppError::NotOnAgenda { .. }) => refuse("not_discussed", e),
                Err(e) => refuse("held", e),
            }
        }
        Kind::Agenda => {
            let tracker = state.acting_tracker().as_ref();
            let agenda = match app::agenda(settings, store, tracker, Some(date), now).await {
                Ok(a) => a,
                Err(e) => return refuse("agenda", e),
            };
            match app::file_agenda(settings, tracker, &agenda).await {
                Ok(filed) => Ok(Ok(Done {
                    action: if filed.created {
                        "filed the agenda as an issue".to_owned()
                    } else {
                        "found the agenda already filed".to_owned()
                    },
                    detail: format!("#{} {}", filed.iid, filed.web_url),
                    filed: Some(filed),
                })),
                Err(e) => refuse("agenda", e),
            }
        }
    }
}

async fn record(state: &AppState, item: &SyncItem, done: &Done) -> Result<(), DataError> {
    let actor = crate::access::current().map_or_else(|| "unknown".to_owned(), |a| a.username);
    state
        .store()
        .log_activity(&Activity {
            item: item_key(item.kind, item.date),
            actor,
            action: done.action.clone(),
            detail: done.detail.clone(),
            at: state.now(),
        })
        .await?;
    Ok(())
}

/// A member's start as the page lists it: username, local time, whether they are working.
type MemberLine = (String, String, &'static str);

#[derive(Template)]
#[template(path = "sync_item.html")]
struct SyncItemPage {
    layout: Layout,
    item: SyncItem,
    /// `/syncs/weekly/2026-12-08`.
    href: String,
    /// The start in the schedule's zone.
    start: String,
    /// When it was scheduled, in the schedule's zone.
    scheduled: String,
    /// The start in UTC.
    utc: String,
    members: Vec<MemberLine>,
    /// The zones a move may be written in: the schedule's first.
    zones: Vec<String>,
    /// The move form's fields as typed (or the current start).
    to_date: String,
    to_time: String,
    zone: String,
    force: bool,
    /// The monthly sync's agenda (items to tick), when it can be built.
    agenda: Option<Agenda>,
    /// Whether the meeting has begun (a monthly sync can be recorded as held).
    begun: bool,
    not_discussed: Vec<u64>,
    error: Option<(&'static str, String)>,
}

impl SyncItemPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    fn unticked(&self, iid: &u64) -> bool {
        !self.not_discussed.contains(iid)
    }

    fn kind(&self) -> &'static str {
        self.item.kind.as_str()
    }

    fn status(&self) -> &'static str {
        self.item.status.as_str()
    }
}

fn fit_name(fit: Fit) -> &'static str {
    match fit {
        Fit::Outside => "outside",
        Fit::Inside => "inside",
        Fit::Comfortable => "comfortable",
    }
}

async fn render_page(
    state: &AppState,
    kind: MeetingKind,
    date: Date,
    typed: Option<&Asked>,
    error: Option<(&'static str, String)>,
) -> Result<Response, PageError> {
    let Some(item) = load(state, kind, date).await? else {
        return Err(PageError::NotFound {
            path: href(kind, date),
        });
    };
    let schedule_zone = item
        .start
        .time_zone()
        .iana_name()
        .unwrap_or("UTC")
        .to_owned();
    let mut zones = vec![schedule_zone.clone()];
    for m in &item.members {
        let z = m.local.time_zone().iana_name().unwrap_or("UTC").to_owned();
        if !zones.contains(&z) {
            zones.push(z);
        }
    }
    if !zones.iter().any(|z| z == "UTC") {
        zones.push("UTC".to_owned());
    }
    let begun = item.start_utc <= state.now();
    // The agenda to tick and file: a monthly sync that still takes place.
    let agenda = if kind == MeetingKind::Monthly && item.status != OccurrenceStatus::Cancelled {
        match app::agenda(
            state.sync(),
            state.store().as_ref(),
            state.tracker().as_ref(),
            Some(date),
            state.now(),
        )
        .await
        {
            Ok(a) => Some(a),
            Err(e) if e.is_bad_input() => None,
            Err(e) => return Err(DataError::from(e).into()),
        }
    } else {
        None
    };
    let not_discussed = match (typed, &item.held) {
        (Some(t), _) => t
            .not_discussed
            .iter()
            .filter_map(|s| s.trim().trim_start_matches('#').parse().ok())
            .collect(),
        (None, Some(h)) => h
            .items
            .iter()
            .filter(|i| !i.discussed)
            .map(|i| i.iid)
            .collect(),
        (None, None) => Vec::new(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = SyncItemPage {
        layout: Layout::of(state, "/syncs"),
        href: href(kind, date),
        start: when(&item.start),
        scheduled: when(&item.scheduled),
        utc: item.start_utc.strftime("%a %Y-%m-%d %H:%M UTC").to_string(),
        members: item
            .members
            .iter()
            .map(|m| {
                (
                    m.username.clone(),
                    m.local.strftime("%a %H:%M %Z").to_string(),
                    fit_name(m.fit),
                )
            })
            .collect(),
        to_date: typed.map_or_else(|| item.start.date().to_string(), |t| t.to_date.clone()),
        to_time: typed.map_or_else(
            || item.start.strftime("%H:%M").to_string(),
            |t| t.to_time.clone(),
        ),
        zone: typed
            .map(|t| t.zone.clone())
            .filter(|z| !z.trim().is_empty())
            .unwrap_or(schedule_zone),
        force: typed.is_some_and(|t| t.force),
        zones,
        agenda,
        begun,
        not_discussed,
        error,
        item,
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn parse_path(kind: &str, date: &str) -> Option<(MeetingKind, Date)> {
    Some((parse_kind(kind)?, date.parse::<Date>().ok()?))
}

/// `GET /syncs/{kind}/{date}`.
pub async fn page(
    State(state): State<AppState>,
    Path((kind, date)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let Some((kind, date)) = parse_path(&kind, &date) else {
        return Err(PageError::NotFound {
            path: format!("/syncs/{kind}/{date}"),
        });
    };
    render_page(&state, kind, date, None, None).await
}

fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// `POST /syncs/{kind}/{date}/{action}` (a form): `move`, `restore`, `cancel`, and for a
/// monthly sync `held` and `agenda`.
pub async fn act(
    State(state): State<AppState>,
    Path((kind, date, action)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let not_found = || PageError::NotFound {
        path: format!("/syncs/{kind}/{date}/{action}"),
    };
    let (meeting, day) = parse_path(&kind, &date).ok_or_else(not_found)?;
    let what = Kind::of(&action, meeting).ok_or_else(not_found)?;
    let Some(item) = load(&state, meeting, day).await? else {
        return Err(not_found());
    };
    let asked = Asked::from_form(&body);
    match perform(&state, &item, what, &asked).await? {
        Ok(done) => {
            record(&state, &item, &done).await?;
            Ok(see_other(&format!("{}#activity", href(meeting, day))))
        }
        Err(Refused(field, message)) => {
            render_page(&state, meeting, day, Some(&asked), Some((field, message))).await
        }
    }
}

/// `GET /api/v1/syncs/{kind}/{date}`.
pub async fn api_item(
    State(state): State<AppState>,
    Path((kind, date)): Path<(String, String)>,
) -> Result<Json<SyncItem>, ApiError> {
    let not_found = || ApiError::NotFound {
        path: format!("/api/v1/syncs/{kind}/{date}"),
    };
    let (meeting, day) = parse_path(&kind, &date).ok_or_else(not_found)?;
    load(&state, meeting, day)
        .await?
        .map(Json)
        .ok_or_else(not_found)
}

/// `POST /api/v1/syncs/{kind}/{date}/{action}` with a JSON body (`{"to_date": "2026-12-09",
/// "to_time": "15:00", "zone": "Europe/Berlin", "force": false}` to move, `{}` to restore or
/// cancel or file the agenda, `{"not_discussed": [4]}` for held): the meeting afterwards.
pub async fn api_act(
    State(state): State<AppState>,
    Path((kind, date, action)): Path<(String, String, String)>,
    Json(body): Json<ApiBody>,
) -> Result<Json<ActionAnswer>, ApiError> {
    let not_found = || ApiError::NotFound {
        path: format!("/api/v1/syncs/{kind}/{date}/{action}"),
    };
    let (meeting, day) = parse_path(&kind, &date).ok_or_else(not_found)?;
    let what = Kind::of(&action, meeting).ok_or_else(not_found)?;
    let Some(item) = load(&state, meeting, day).await? else {
        return Err(not_found());
    };
    let asked = Asked::from(body);
    let filed = match perform(&state, &item, what, &asked).await? {
        Ok(done) => {
            record(&state, &item, &done).await?;
            done.filed
        }
        Err(Refused(field, message)) => return Err(ApiError::Invalid { field, message }),
    };
    let item = load(&state, meeting, day).await?.ok_or_else(not_found)?;
    Ok(Json(ActionAnswer { item, filed }))
}
