//! One shadowing session: its page (`/shadowing/sessions/{id}`) with the forms its state allows,
//! the actions (`schedule`, `reschedule`, `done`, `cancel`, `improve`) as forms and as JSON,
//! and the list `GET /api/v1/shadowing/sessions`.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use supportops_app::shadow::{
    self as app, RescheduleRequest, ScheduleReport, ScheduleRequest, ShadowError,
};
use supportops_domain::shadow::{SessionId, SessionState, ShadowSession};
use supportops_ports::StoreError;
use supportops_ports::store::auth::Activity;

use super::{Refused, first_line, record, see_other, session_key};
use crate::error::{ApiError, DataError, PageError};
use crate::pages::Layout;
use crate::state::AppState;
use crate::views::shadowing::{SessionFilter, SessionPage, SessionParams, SessionView};

/// What a session shows, on its page and in `GET /api/v1/shadowing/sessions/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct SessionItem {
    /// The session.
    #[serde(flatten)]
    pub view: SessionView,
    /// The actions its state allows now, e.g. `["schedule", "cancel"]`.
    pub actions: Vec<&'static str>,
    /// What people did to it from the dashboard or the API, oldest first.
    pub activity: Vec<Activity>,
}

async fn load(state: &AppState, id: SessionId) -> Result<Option<SessionItem>, DataError> {
    let Some(session) = state.store().session(id).await? else {
        return Ok(None);
    };
    let activity = state.store().activity(&session_key(id)).await?;
    Ok(Some(SessionItem {
        actions: Kind::allowed(session.state)
            .iter()
            .map(|k| k.as_str())
            .collect(),
        view: SessionView::of(state, session),
        activity,
    }))
}

/// A checkbox (`on`) in a form, a boolean in JSON.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    fn on(&self) -> bool {
        match self {
            Flag::Bool(b) => *b,
            Flag::Text(t) => matches!(
                t.trim().to_ascii_lowercase().as_str(),
                "on" | "true" | "1" | "yes"
            ),
        }
    }
}

/// One action asked for: the fields of every session form (each action reads its own).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionForm {
    /// The start's date, `YYYY-MM-DD` (schedule, reschedule).
    #[serde(default)]
    date: Option<String>,
    /// The start's time, `HH:MM` (schedule, reschedule).
    #[serde(default)]
    time: Option<String>,
    /// Date and time in one, `YYYY-MM-DD HH:MM` (what the API usually sends instead).
    #[serde(default)]
    at: Option<String>,
    /// The IANA zone of the date and time; the member's when empty.
    #[serde(default)]
    zone: Option<String>,
    /// The Support Engineer, if known (schedule).
    #[serde(default)]
    engineer: Option<String>,
    /// Keep a time outside the member's or the region's working hours.
    #[serde(default)]
    force: Option<Flag>,
    /// The member's notes (done).
    #[serde(default)]
    notes: Option<String>,
    /// Why it will not happen (cancel).
    #[serde(default)]
    reason: Option<String>,
    /// The improvement issue's title (improve).
    #[serde(default)]
    title: Option<String>,
    /// The improvement issue's description (improve).
    #[serde(default)]
    body: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl SessionForm {
    fn force(&self) -> bool {
        self.force.as_ref().is_some_and(Flag::on)
    }

    /// The start as the use case reads it: `at`, else the date and the time.
    fn at(&self) -> Result<String, Refused> {
        if let Some(at) = given(&self.at) {
            return Ok(at.to_owned());
        }
        match (given(&self.date), given(&self.time)) {
            (Some(d), Some(t)) => Ok(format!("{d} {t}")),
            (None, _) => Err(Refused(
                "at",
                "give the date the session starts, e.g. 2026-12-03".into(),
            )),
            (Some(_), None) => Err(Refused(
                "at",
                "give the time the session starts, e.g. 15:00".into(),
            )),
        }
    }
}

/// Which action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Schedule,
    Reschedule,
    Done,
    Cancel,
    Improve,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Schedule,
        Kind::Reschedule,
        Kind::Done,
        Kind::Cancel,
        Kind::Improve,
    ];

    fn of(path: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == path)
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Schedule => "schedule",
            Kind::Reschedule => "reschedule",
            Kind::Done => "done",
            Kind::Cancel => "cancel",
            Kind::Improve => "improve",
        }
    }

    /// What a session in `state` may have done to it.
    fn allowed(state: SessionState) -> &'static [Kind] {
        match state {
            SessionState::Planned => &[Kind::Schedule, Kind::Cancel],
            SessionState::Scheduled => &[Kind::Reschedule, Kind::Done, Kind::Improve, Kind::Cancel],
            SessionState::Done => &[Kind::Improve],
            SessionState::Cancelled => &[],
        }
    }
}

/// A use case's refusal as the field it concerns, or the failure it is.
fn refusal(kind: Kind, e: ShadowError) -> Result<Refused, DataError> {
    let form = kind.as_str();
    Ok(match e {
        ShadowError::BadTime { .. } | ShadowError::NoTime { .. } => Refused("at", e.to_string()),
        ShadowError::AmbiguousTime { .. } => Refused("at", e.to_string()),
        ShadowError::OutsideHours { when, who } => Refused(
            "at",
            format!(
                "{when} is outside {who}; pick a time inside them, or tick “Keep this time \
                 outside working hours”"
            ),
        ),
        ShadowError::UnknownZone { .. } => Refused("zone", e.to_string()),
        ShadowError::Empty("the reason") => Refused("reason", "give the reason".into()),
        ShadowError::Empty("the title") => {
            Refused("title", "give the improvement issue a title".into())
        }
        ShadowError::NotYetHeld { start, .. } => Refused(
            form,
            format!(
                "the session starts {start}, so it cannot be done yet; record it once it has \
                 taken place, or move it to when it took place"
            ),
        ),
        ShadowError::NotScheduled { id, state } => Refused(
            form,
            format!("session {id} is {state}, so it has no time to move"),
        ),
        ShadowError::Store(StoreError::Conflict(_)) => Refused(
            form,
            "someone changed this session at the same moment; this is how it is now, so \
             check it and send again if it is still needed"
                .into(),
        ),
        e if e.is_bad_input() => Refused(form, e.to_string()),
        e => return Err(DataError::Shadow(e)),
    })
}

/// What an action did: the activity line, and a schedule's report (for the chat message).
struct Done {
    action: &'static str,
    detail: String,
    scheduled: Option<ScheduleReport>,
}

/// `detail`, then the use case's warnings.
fn with_warnings(detail: String, warnings: &[String]) -> String {
    if warnings.is_empty() {
        detail
    } else {
        format!("{detail} · note: {}", warnings.join("; "))
    }
}

/// Does one action; `Ok(Err(_))` when it was refused (nothing written).
async fn perform(
    state: &AppState,
    id: SessionId,
    kind: Kind,
    form: &SessionForm,
) -> Result<Result<Done, Refused>, DataError> {
    let store = state.store().as_ref();
    let tracker = state.acting_tracker().as_ref();
    let sh = state.shadowing();
    let now = state.now();
    let result = match kind {
        Kind::Schedule | Kind::Reschedule => {
            let at = match form.at() {
                Ok(at) => at,
                Err(refused) => return Ok(Err(refused)),
            };
            let zone = given(&form.zone).map(str::to_owned);
            if kind == Kind::Schedule {
                let req = ScheduleRequest {
                    id,
                    engineer: given(&form.engineer).map(str::to_owned),
                    at,
                    zone,
                    force: form.force(),
                    dry_run: false,
                };
                app::schedule(store, tracker, sh, &req, now)
                    .await
                    .map(|r| Done {
                        action: "scheduled it",
                        detail: with_warnings(
                            format!(
                                "{} ({}) · {} ({}) · engineer: {}",
                                r.member_time,
                                r.session.member,
                                r.region_time,
                                r.session.region,
                                r.session
                                    .engineer
                                    .as_deref()
                                    .unwrap_or("to be found by the region's managers"),
                            ),
                            &r.warnings,
                        ),
                        scheduled: Some(r),
                    })
            } else {
                let req = RescheduleRequest {
                    id,
                    at,
                    zone,
                    force: form.force(),
                    dry_run: false,
                };
                app::reschedule(store, tracker, sh, &req, now)
                    .await
                    .map(|r| Done {
                        action: "moved it",
                        detail: with_warnings(
                            format!(
                                "{} ({}) · {} ({})",
                                r.member_time, r.session.member, r.region_time, r.session.region
                            ),
                            &r.warnings,
                        ),
                        scheduled: None,
                    })
            }
        }
        Kind::Done => {
            let notes = given(&form.notes).map(str::to_owned);
            app::done(store, tracker, id, notes.clone(), false, now)
                .await
                .map(|_| Done {
                    action: "marked it done",
                    detail: notes.as_deref().map(first_line).unwrap_or_default(),
                    scheduled: None,
                })
        }
        Kind::Cancel => {
            let reason = form.reason.clone().unwrap_or_default();
            app::cancel(store, tracker, id, &reason, false, now)
                .await
                .map(|_| Done {
                    action: "cancelled it",
                    detail: first_line(&reason),
                    scheduled: None,
                })
        }
        Kind::Improve => {
            let title = form.title.clone().unwrap_or_default();
            app::improve(store, tracker, sh, id, &title, given(&form.body), false)
                .await
                .map(|r| Done {
                    action: "filed an improvement issue",
                    detail: with_warnings(
                        match &r.filed {
                            Some(i) => format!("#{} {}", i.iid, title.trim()),
                            None => title.trim().to_owned(),
                        },
                        &r.warnings,
                    ),
                    scheduled: None,
                })
        }
    };
    match result {
        Ok(done) => Ok(Ok(done)),
        Err(e) => refusal(kind, e).map(Err),
    }
}

/// A session scheduled without an engineer: the region's managers are asked in chat too, as
/// `supportops shadow schedule` does. Never fails the action; says what it did.
async fn ask_for_engineer(state: &AppState, report: &ScheduleReport) -> Option<String> {
    let settings = state.notify()?;
    let managers = state
        .shadowing()
        .region(&report.session.region)
        .map(|r| r.managers.clone())
        .unwrap_or_default();
    let store: &dyn supportops_ports::Store = state.store().as_ref();
    match supportops_app::notify::needs_engineer(store, settings, &managers, report, state.now())
        .await
    {
        Ok(true) => {
            state.wake_notifier();
            Some(if managers.is_empty() {
                "asked in chat for an engineer".to_owned()
            } else {
                let names: Vec<String> = managers.iter().map(|m| format!("@{m}")).collect();
                format!("asked {} in chat for an engineer", names.join(" "))
            })
        }
        Ok(false) => None,
        Err(e) => {
            tracing::warn!(error = %e, session = %report.session.id, "cannot queue the chat message");
            None
        }
    }
}

/// Does the action and records it; `Err(Refused)` when refused.
async fn act_and_record(
    state: &AppState,
    id: SessionId,
    kind: Kind,
    form: &SessionForm,
) -> Result<Result<(), Refused>, DataError> {
    let done = match perform(state, id, kind, form).await? {
        Ok(done) => done,
        Err(refused) => return Ok(Err(refused)),
    };
    let mut detail = done.detail;
    if let Some(report) = &done.scheduled
        && let Some(asked) = ask_for_engineer(state, report).await
    {
        detail = format!("{detail} · {asked}");
    }
    record(state, session_key(id), done.action, detail).await?;
    Ok(Ok(()))
}

/// A zone the schedule form offers: `(IANA name, label)`.
type ZoneChoice = (String, String);

#[derive(Template)]
#[template(path = "shadow_session.html")]
struct SessionPageView {
    layout: Layout,
    /// The session (the page's short name for `item.view.session`).
    s: ShadowSession,
    /// `schedule` or `reschedule` when the person may give it a time.
    timing: Option<&'static str>,
    item: SessionItem,
    zones: Vec<ZoneChoice>,
    typed: Typed,
    error: Option<(&'static str, String)>,
}

/// What the forms show: what was typed, else the defaults.
#[derive(Debug, Default)]
struct Typed {
    date: String,
    time: String,
    zone: String,
    engineer: String,
    force: bool,
    notes: String,
    reason: String,
    title: String,
    body: String,
}

impl SessionPageView {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    fn may(&self, action: &str) -> bool {
        self.layout.may_act() && self.item.actions.contains(&action)
    }

    /// An error whose field is on no form the page shows (e.g. "done" asked of a session
    /// that is only planned): shown at the top instead.
    fn other_error(&self) -> Option<&str> {
        let (field, message) = self.error.as_ref()?;
        let shown = match *field {
            "at" | "zone" => self.timing.is_some(),
            "schedule" | "reschedule" => self.timing == Some(*field),
            "reason" => self.may("cancel"),
            "title" => self.may("improve"),
            other => self.may(other),
        };
        (!shown).then_some(message.as_str())
    }
}

async fn render_page(
    state: &AppState,
    id: SessionId,
    typed: Option<&SessionForm>,
    error: Option<(&'static str, String)>,
) -> Result<Response, PageError> {
    let Some(item) = load(state, id).await? else {
        return Err(PageError::NotFound {
            path: format!("/shadowing/sessions/{id}"),
        });
    };
    let sh = state.shadowing();
    let member = sh.member(&item.view.session.member);
    let region = sh.region(&item.view.session.region);
    let mut zones: Vec<ZoneChoice> = Vec::new();
    let mut offer = |zone: &jiff::tz::TimeZone, label: String| {
        let name = zone.iana_name().unwrap_or("UTC").to_owned();
        if !zones.iter().any(|(n, _)| *n == name) {
            zones.push((name.clone(), format!("{label} ({name})")));
        }
    };
    if let Some(m) = member {
        offer(&m.zone, format!("{}'s time", m.name));
    }
    if let Some(r) = region {
        offer(&r.zone, format!("{} time", r.name));
    }
    offer(&jiff::tz::TimeZone::UTC, "UTC".to_owned());
    // A move starts from the current time, in the member's zone.
    let (date, time) = match (item.view.session.start, member) {
        (Some(start), Some(m)) => {
            let local = start.to_zoned_datetime(m.zone.clone());
            (
                local.date().to_string(),
                local.time().strftime("%H:%M").to_string(),
            )
        }
        _ => (String::new(), String::new()),
    };
    let text =
        |v: Option<&Option<String>>, default: String| v.and_then(|v| v.clone()).unwrap_or(default);
    let typed = Typed {
        date: text(typed.map(|f| &f.date), date),
        time: text(typed.map(|f| &f.time), time),
        zone: text(
            typed.map(|f| &f.zone),
            zones.first().map(|(n, _)| n.clone()).unwrap_or_default(),
        ),
        engineer: text(
            typed.map(|f| &f.engineer),
            item.view.session.engineer.clone().unwrap_or_default(),
        ),
        force: typed.is_some_and(SessionForm::force),
        notes: text(typed.map(|f| &f.notes), String::new()),
        reason: text(typed.map(|f| &f.reason), String::new()),
        title: text(typed.map(|f| &f.title), String::new()),
        body: text(typed.map(|f| &f.body), String::new()),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let layout = Layout::of(state, "/shadowing");
    let timing = ["schedule", "reschedule"]
        .into_iter()
        .find(|a| layout.may_act() && item.actions.contains(a));
    let page = SessionPageView {
        layout,
        s: item.view.session.clone(),
        timing,
        item,
        zones,
        typed,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn page_not_found(path: String) -> PageError {
    PageError::NotFound { path }
}

/// `GET /shadowing/sessions/{id}`.
pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let Some(sid) = SessionId::parse(&id) else {
        return Err(page_not_found(format!("/shadowing/sessions/{id}")));
    };
    render_page(&state, sid, None, None).await
}

/// `POST /shadowing/sessions/{id}/{action}` (a form).
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    axum::Form(form): axum::Form<SessionForm>,
) -> Result<Response, PageError> {
    let (Some(sid), Some(kind)) = (SessionId::parse(&id), Kind::of(&action)) else {
        return Err(page_not_found(format!("/shadowing/sessions/{id}/{action}")));
    };
    if load(&state, sid).await?.is_none() {
        return Err(page_not_found(format!("/shadowing/sessions/{id}")));
    }
    match act_and_record(&state, sid, kind, &form).await? {
        Ok(()) => Ok(see_other(&format!("/shadowing/sessions/{sid}#activity"))),
        Err(Refused(field, message)) => {
            render_page(&state, sid, Some(&form), Some((field, message))).await
        }
    }
}

/// `GET /api/v1/shadowing/sessions/{id}`.
pub async fn api_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SessionItem>, ApiError> {
    let not_found = || ApiError::NotFound {
        path: format!("/api/v1/shadowing/sessions/{id}"),
    };
    let sid = SessionId::parse(&id).ok_or_else(not_found)?;
    load(&state, sid).await?.map(Json).ok_or_else(not_found)
}

/// `POST /api/v1/shadowing/sessions/{id}/{action}` with a JSON body (`schedule`:
/// `{"at": "2026-12-03 15:00", "zone": …, "engineer": …, "force": false}`, or `date` and
/// `time`; `reschedule`: the same without `engineer`; `done`: `{"notes": …}`; `cancel`:
/// `{"reason": …}`; `improve`: `{"title": …, "body": …}`): the session afterwards.
pub async fn api_act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    Json(form): Json<SessionForm>,
) -> Result<Json<SessionItem>, ApiError> {
    let not_found = || ApiError::NotFound {
        path: format!("/api/v1/shadowing/sessions/{id}/{action}"),
    };
    let (Some(sid), Some(kind)) = (SessionId::parse(&id), Kind::of(&action)) else {
        return Err(not_found());
    };
    if load(&state, sid).await?.is_none() {
        return Err(not_found());
    }
    if let Err(Refused(field, message)) = act_and_record(&state, sid, kind, &form).await? {
        return Err(ApiError::Invalid { field, message });
    }
    load(&state, sid).await?.map(Json).ok_or_else(not_found)
}

/// `GET /api/v1/shadowing/sessions?month=&member=&state=&page=&per_page=`: by month, then id.
pub async fn api_list(
    State(state): State<AppState>,
    Query(params): Query<SessionParams>,
) -> Result<Json<SessionPage>, ApiError> {
    let filter = SessionFilter::parse(&params)?;
    Ok(Json(
        crate::views::shadowing::sessions(&state, filter, "/api/v1/shadowing/sessions").await?,
    ))
}
