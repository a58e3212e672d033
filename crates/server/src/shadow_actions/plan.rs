//! A month's plan: the planner's proposal with hand picks (`GET /shadowing/plan?month=&assign=`,
//! readable by everyone, writing nothing), applied by an editor (`POST /shadowing/plan`), which
//! records the proposed sessions as planned; the same as JSON under `/api/v1/shadowing/plan`.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use supportops_app::shadow::{self as app, PlanReport, ShadowError};
use supportops_domain::shadow::{Month, Pin};
use supportops_ports::store::auth::Activity;
use supportops_ports::store::shadow::SessionQuery;

use super::{Refused, plan_key, record, see_other, session_key, this_month};
use crate::error::{ApiError, DataError, PageError};
use crate::pages::Layout;
use crate::state::AppState;
use crate::views::shadowing::SessionView;

/// How many months ahead the page offers to plan.
const MONTHS_AHEAD: i32 = 6;

/// A month's plan, on its page and in `/api/v1/shadowing/plan`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    /// The planner's proposal (after `POST`: what was recorded, with the new ids).
    pub plan: PlanReport,
    /// The hand picks it was made with, `member=REGION`.
    pub assign: Vec<String>,
    /// The month's recorded sessions, by id.
    pub sessions: Vec<SessionView>,
    /// Who applied plans for the month, oldest first.
    pub activity: Vec<Activity>,
}

/// What was asked: the month and the hand picks.
#[derive(Debug, Clone)]
struct Ask {
    month: Month,
    pins: Vec<Pin>,
}

impl Ask {
    fn assign(&self) -> Vec<String> {
        self.pins
            .iter()
            .map(|p| format!("{}={}", p.member, p.region))
            .collect()
    }
}

/// The fields as typed: `month`, and `assign` once per hand pick (`member=REGION`; empty
/// ones are the planner's choice).
#[derive(Debug, Clone, Default)]
struct Typed {
    month: Option<String>,
    assign: Vec<String>,
}

impl Typed {
    fn of_pairs(pairs: &[(String, String)]) -> Typed {
        Typed {
            month: pairs
                .iter()
                .rev()
                .find(|(k, _)| k == "month")
                .map(|(_, v)| v.trim().to_owned()),
            assign: pairs
                .iter()
                .filter(|(k, _)| k == "assign")
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect(),
        }
    }

    /// Checks what was typed; without a month, `default` (or a refusal when `None`).
    fn check(&self, state: &AppState, default: Option<Month>) -> Result<Ask, Refused> {
        let month = match self.month.as_deref().filter(|m| !m.is_empty()) {
            Some(text) => Month::parse(text).map_err(|_| {
                Refused(
                    "month",
                    format!("`{text}` is not a month; write it YYYY-MM, e.g. 2026-12"),
                )
            })?,
            None => default.ok_or_else(|| Refused("month", "choose the month to plan".into()))?,
        };
        if month < this_month(state) {
            return Err(Refused(
                "month",
                format!("{month} is over; plan this month or a later one"),
            ));
        }
        if state.shadowing().members.is_empty() {
            return Err(Refused(
                "month",
                "no Support Ops members are configured; add `[[team.members]]` entries \
                 (username, timezone, hours) to the configuration"
                    .into(),
            ));
        }
        let mut pins = Vec::new();
        for text in &self.assign {
            match text.split_once('=') {
                Some((m, r)) if !m.trim().is_empty() && !r.trim().is_empty() => pins.push(Pin {
                    member: m.trim().to_owned(),
                    region: r.trim().to_owned(),
                }),
                _ => {
                    return Err(Refused(
                        "assign",
                        format!("`{text}` is not MEMBER=REGION, e.g. `amara=EMEA`"),
                    ));
                }
            }
        }
        Ok(Ask { month, pins })
    }
}

/// The planner's refusal as the field it concerns, or the failure it is.
fn refusal(e: ShadowError) -> Result<Refused, DataError> {
    match e {
        ShadowError::Plan(p) => Ok(Refused("assign", p.to_string())),
        e if e.is_bad_input() => Ok(Refused("month", e.to_string())),
        e => Err(DataError::Shadow(e)),
    }
}

/// The plan for `ask` (recorded when `apply`) with the month's sessions and activity.
async fn load(state: &AppState, ask: &Ask, plan: PlanReport) -> Result<PlanItem, DataError> {
    let sessions = app::list(
        state.store().as_ref(),
        &SessionQuery {
            from: Some(ask.month),
            to: Some(ask.month),
            ..SessionQuery::default()
        },
    )
    .await?
    .into_iter()
    .map(|s| SessionView::of(state, s))
    .collect();
    Ok(PlanItem {
        plan,
        assign: ask.assign(),
        sessions,
        activity: state.store().activity(&plan_key(ask.month)).await?,
    })
}

/// The proposal for `ask`, writing nothing; `Ok(Err(_))` when the planner refused it.
async fn preview(state: &AppState, ask: &Ask) -> Result<Result<PlanItem, Refused>, DataError> {
    let report = app::plan(
        state.store().as_ref(),
        state.shadowing(),
        ask.month,
        &ask.pins,
        false,
        state.now(),
    )
    .await;
    match report {
        Ok(plan) => Ok(Ok(load(state, ask, plan).await?)),
        Err(e) => Ok(Err(refusal(e)?)),
    }
}

/// Records the proposal for `ask` and who did it; `Ok(Err(_))` when refused (nothing written).
async fn apply_ask(state: &AppState, ask: &Ask) -> Result<Result<PlanItem, Refused>, DataError> {
    let store = state.store().as_ref();
    let sh = state.shadowing();
    // One plan at a time in this process: a second click must not plan the month twice.
    let _one = state.writing().await;
    let proposal = match app::plan(store, sh, ask.month, &ask.pins, false, state.now()).await {
        Ok(p) => p,
        Err(e) => return Ok(Err(refusal(e)?)),
    };
    if proposal.sessions.is_empty() {
        return Ok(Err(Refused(
            "month",
            format!(
                "nothing to plan for {}: every member has a session arranged or is left out \
                 (see why below)",
                ask.month
            ),
        )));
    }
    let applied = match app::plan(store, sh, ask.month, &ask.pins, true, state.now()).await {
        Ok(p) => p,
        Err(e) => return Ok(Err(refusal(e)?)),
    };
    drop(_one);
    let lines: Vec<String> = applied
        .sessions
        .iter()
        .map(|s| match s.id {
            Some(id) => format!("{} → {} (session {id})", s.member, s.region),
            None => format!("{} → {}", s.member, s.region),
        })
        .collect();
    let picks = ask.assign();
    let detail = if picks.is_empty() {
        lines.join(", ")
    } else {
        format!("{} · hand picks: {}", lines.join(", "), picks.join(", "))
    };
    record(state, plan_key(ask.month), "applied the plan", detail).await?;
    for s in &applied.sessions {
        if let Some(id) = s.id {
            let how = if s.pinned {
                "picked by hand".to_owned()
            } else {
                s.reason.clone()
            };
            record(
                state,
                session_key(id),
                "planned it",
                format!("the plan for {}: {how}", ask.month),
            )
            .await?;
        }
    }
    Ok(Ok(load(state, ask, applied).await?))
}

/// A member's hand-pick choice on the page.
#[derive(Debug, Clone)]
struct MemberPick {
    username: String,
    name: String,
    /// `(value, region)`, the value being `member=REGION`.
    choices: Vec<(String, String)>,
    /// The value picked, if any.
    picked: Option<String>,
}

#[derive(Template)]
#[template(path = "shadow_plan.html")]
struct PlanPage {
    layout: Layout,
    /// The month as typed (or the default).
    month: String,
    /// The months offered.
    months: Vec<String>,
    members: Vec<MemberPick>,
    item: Option<PlanItem>,
    error: Option<(&'static str, String)>,
}

impl PlanPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn render_page(
    state: &AppState,
    typed: &Typed,
    item: Option<PlanItem>,
    error: Option<(&'static str, String)>,
) -> Result<Response, PageError> {
    let sh = state.shadowing();
    let first = this_month(state);
    let mut months: Vec<String> = (0..MONTHS_AHEAD)
        .map(|i| first.plus(i).to_string())
        .collect();
    let month = item.as_ref().map_or_else(
        || {
            typed
                .month
                .clone()
                .unwrap_or_else(|| first.next().to_string())
        },
        |i| i.plan.month.to_string(),
    );
    if !months.contains(&month) {
        months.push(month.clone());
    }
    let members = sh
        .members
        .iter()
        .map(|m| {
            let picked = typed
                .assign
                .iter()
                .find(|a| {
                    a.split_once('=')
                        .is_some_and(|(u, _)| u.trim() == m.username)
                })
                .cloned();
            MemberPick {
                username: m.username.clone(),
                name: m.name.clone(),
                choices: sh
                    .regions
                    .iter()
                    .map(|r| (format!("{}={}", m.username, r.name), r.name.clone()))
                    .collect(),
                picked,
            }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PlanPage {
        layout: Layout::of(state, "/shadowing"),
        month,
        months,
        members,
        item,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /shadowing/plan?month=YYYY-MM&assign=member=REGION…`: the proposal, next month's
/// by default. Writes nothing, so viewers may look too.
pub async fn page(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let typed = Typed::of_pairs(&pairs);
    let ask = match typed.check(&state, Some(this_month(&state).next())) {
        Ok(ask) => ask,
        Err(Refused(f, m)) => return render_page(&state, &typed, None, Some((f, m))).await,
    };
    match preview(&state, &ask).await? {
        Ok(item) => render_page(&state, &typed, Some(item), None).await,
        Err(Refused(f, m)) => render_page(&state, &typed, None, Some((f, m))).await,
    }
}

/// `POST /shadowing/plan` (a form: `month`, `assign`…): records the proposal, then `303` back
/// to the month's plan.
pub async fn apply(
    State(state): State<AppState>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let typed = Typed::of_pairs(&pairs);
    let refused = match typed.check(&state, None) {
        Ok(ask) => match apply_ask(&state, &ask).await? {
            Ok(_) => {
                let q = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("month", &ask.month.to_string())
                    .finish();
                return Ok(see_other(&format!("/shadowing/plan?{q}#activity")));
            }
            Err(r) => (r, Some(ask)),
        },
        Err(r) => (r, None),
    };
    let (Refused(field, message), ask) = refused;
    // The page again, with the proposal as it stands when there is one.
    let item = match ask {
        Some(ask) => preview(&state, &ask).await?.ok(),
        None => None,
    };
    render_page(&state, &typed, item, Some((field, message))).await
}

/// The body of `POST /api/v1/shadowing/plan`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanBody {
    /// `YYYY-MM`.
    #[serde(default)]
    month: Option<String>,
    /// Hand picks, `member=REGION`.
    #[serde(default)]
    assign: Vec<String>,
}

/// `GET /api/v1/shadowing/plan?month=&assign=`: the proposal (next month's by default),
/// writing nothing.
pub async fn api_preview(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<PlanItem>, ApiError> {
    let typed = Typed::of_pairs(&pairs);
    let invalid = |Refused(field, message)| ApiError::Invalid { field, message };
    let ask = typed
        .check(&state, Some(this_month(&state).next()))
        .map_err(invalid)?;
    preview(&state, &ask).await?.map(Json).map_err(invalid)
}

/// `POST /api/v1/shadowing/plan` with `{"month": "2026-12", "assign": ["amara=EMEA"]}`:
/// records the proposal; the plan with the new sessions' ids.
pub async fn api_apply(
    State(state): State<AppState>,
    Json(body): Json<PlanBody>,
) -> Result<Json<PlanItem>, ApiError> {
    let typed = Typed {
        month: body.month,
        assign: body
            .assign
            .into_iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect(),
    };
    let invalid = |Refused(field, message)| ApiError::Invalid { field, message };
    let ask = typed.check(&state, None).map_err(invalid)?;
    apply_ask(&state, &ask).await?.map(Json).map_err(invalid)
}
