//! Acting on a Feedback Review issue from the dashboard (`/reviews/{iid}`) and the API
//! (`/api/v1/reviews/{iid}/…`): write or edit its action plan, add a note, record the outcome,
//! close or reopen. Each goes through the same `app` use case as the command line, with the
//! journaled tracker, and is recorded in the item's activity list with who did it.
//!
//! Forms work without JavaScript: a POST answers `303 See Other` back to the item, or the page
//! again with the error next to the field (and what was typed kept); nothing is written then.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use supportops_app::issues::{self, Change, IssueActionError};
use supportops_app::sync::SyncAppError;
use supportops_domain::sync::{Outcome, action_plan_hint, action_plan_text, has_action_plan};
use supportops_ports::store::auth::Activity;
use supportops_ports::{Issue, IssueState, Note, TrackerError};

use crate::error::{ApiError, DataError, PageError};
use crate::pages::Layout;
use crate::state::AppState;

/// What a review item shows, on its page and in `GET /api/v1/reviews/{iid}`.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    /// The issue.
    pub issue: Issue,
    /// Whether its description holds an action plan.
    pub has_action_plan: bool,
    /// The plan's text, when it has one.
    pub action_plan: Option<String>,
    /// The outcome recorded on it (`resolved`, `not-resolved`).
    pub outcome: Option<&'static str>,
    /// Its notes, oldest first.
    pub notes: Vec<Note>,
    /// What people did to it from the dashboard or the API, oldest first.
    pub activity: Vec<Activity>,
}

fn item_key(project: &str, iid: u64) -> String {
    format!("review:{project}#{iid}")
}

async fn load(state: &AppState, iid: u64) -> Result<Option<ReviewItem>, DataError> {
    let project = &state.config().review.project;
    let issue = match state.tracker().issue(project, iid).await {
        Ok(issue) => issue,
        Err(TrackerError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let notes = state.tracker().notes(project, iid).await?;
    let activity = state.store().activity(&item_key(project, iid)).await?;
    let outcome = Outcome::ALL
        .into_iter()
        .find(|o| issue.labels.contains(&o.label()))
        .map(Outcome::as_str);
    Ok(Some(ReviewItem {
        has_action_plan: has_action_plan(&issue.description),
        action_plan: action_plan_text(&issue.description),
        outcome,
        notes,
        activity,
        issue,
    }))
}

/// One action asked for.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionForm {
    /// The action plan (plan).
    #[serde(default)]
    plan: Option<String>,
    /// The note (note).
    #[serde(default)]
    body: Option<String>,
    /// `resolved` or `not-resolved` (outcome).
    #[serde(default)]
    outcome: Option<String>,
    /// `closed` or `opened` (state).
    #[serde(default)]
    state: Option<String>,
}

/// Which action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plan,
    Note,
    Outcome,
    State,
}

impl Kind {
    fn of(path: &str) -> Option<Kind> {
        match path {
            "plan" => Some(Kind::Plan),
            "note" => Some(Kind::Note),
            "outcome" => Some(Kind::Outcome),
            "state" => Some(Kind::State),
            _ => None,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Kind::Plan => "plan",
            Kind::Note => "body",
            Kind::Outcome => "outcome",
            Kind::State => "state",
        }
    }
}

/// An action refused for what was sent: the field and why.
struct Refused(&'static str, String);

/// Does one action; `Ok(Err(_))` when the input was refused (nothing written).
async fn perform(
    state: &AppState,
    iid: u64,
    kind: Kind,
    form: &ActionForm,
) -> Result<Result<(String, String), Refused>, DataError> {
    let project = state.config().review.project.clone();
    let tracker = state.acting_tracker().as_ref();
    let field = kind.field();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let refused = |e: IssueActionError| -> Result<Result<(String, String), Refused>, DataError> {
        match e {
            e if e.is_bad_input() => Ok(Err(Refused(field, e.to_string()))),
            IssueActionError::Tracker(t) => Err(t.into()),
            e => Ok(Err(Refused(field, e.to_string()))),
        }
    };
    let (action, detail) = match kind {
        Kind::Plan => {
            let plan = text(&form.plan);
            match issues::write_action_plan(tracker, &project, iid, &plan).await {
                Ok(Change::Done(_)) => ("wrote the action plan", first_line(&plan)),
                Ok(Change::Already(_)) => ("kept the action plan (unchanged)", String::new()),
                Err(e) => return refused(e),
            }
        }
        Kind::Note => {
            let body = text(&form.body);
            match issues::add_note(tracker, &project, iid, &body).await {
                Ok(Change::Done(n)) => (
                    "added a note",
                    format!("note {}: {}", n.id, first_line(&body)),
                ),
                Ok(Change::Already(_)) => ("added a note (already there)", first_line(&body)),
                Err(e) => return refused(e),
            }
        }
        Kind::Outcome => {
            let Some(outcome) = form.outcome.as_deref().and_then(Outcome::parse) else {
                return Ok(Err(Refused(
                    field,
                    "choose resolved or not resolved".into(),
                )));
            };
            let store: &dyn supportops_ports::store::SyncStore = state.store().as_ref();
            match supportops_app::sync::outcome(
                state.sync(),
                store,
                tracker,
                iid,
                outcome,
                state.now(),
            )
            .await
            {
                Ok(r) => ("recorded the outcome", r.label),
                Err(e @ SyncAppError::NotAReview { .. }) => {
                    return Ok(Err(Refused(field, e.to_string())));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Kind::State => {
            let to = match form.state.as_deref() {
                Some("closed" | "close") => IssueState::Closed,
                Some("opened" | "reopen" | "open") => IssueState::Opened,
                _ => return Ok(Err(Refused(field, "choose closed or opened".into()))),
            };
            match issues::set_state(tracker, &project, iid, to).await {
                Ok(Change::Done(_)) => (
                    if to == IssueState::Closed {
                        "closed the issue"
                    } else {
                        "reopened the issue"
                    },
                    String::new(),
                ),
                Ok(Change::Already(_)) => ("left the state as it was", to.as_str().to_owned()),
                Err(e) => return refused(e),
            }
        }
    };
    Ok(Ok((action.to_owned(), detail)))
}

fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("");
    let mut out: String = line.chars().take(120).collect();
    if line.chars().count() > 120 || text.trim().lines().count() > 1 {
        out.push('…');
    }
    out
}

async fn record(
    state: &AppState,
    iid: u64,
    action: String,
    detail: String,
) -> Result<(), DataError> {
    let actor = crate::access::current().map_or_else(|| "unknown".to_owned(), |a| a.username);
    state
        .store()
        .log_activity(&Activity {
            item: item_key(&state.config().review.project, iid),
            actor,
            action,
            detail,
            at: state.now(),
        })
        .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    layout: Layout,
    item: ReviewItem,
    href: String,
    description: String,
    notes: Vec<(Note, String)>,
    plan: String,
    /// The template's hint for the plan, shown as the textarea's placeholder.
    plan_hint: String,
    note: String,
    error: Option<(&'static str, String)>,
}

impl ReviewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn render_page(
    state: &AppState,
    iid: u64,
    typed: Option<&ActionForm>,
    error: Option<(&'static str, String)>,
) -> Result<Response, PageError> {
    let Some(item) = load(state, iid).await? else {
        return Err(PageError::NotFound {
            path: format!("/reviews/{iid}"),
        });
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ReviewPage {
        layout: Layout::of(state, "/reviews"),
        href: crate::pages::issue_href(&item.issue.web_url, &item.issue.iid),
        description: crate::markdown::render(&item.issue.description),
        notes: item
            .notes
            .iter()
            .map(|n| (n.clone(), crate::markdown::render(&n.body)))
            .collect(),
        plan: typed
            .and_then(|f| f.plan.clone())
            .or_else(|| item.action_plan.clone())
            .unwrap_or_default(),
        plan_hint: action_plan_hint(&item.issue.description).unwrap_or_else(|| {
            "What will Support Ops change so this does not happen again?".to_owned()
        }),
        note: typed.and_then(|f| f.body.clone()).unwrap_or_default(),
        error,
        item,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /reviews/{iid}`.
pub async fn page(
    State(state): State<AppState>,
    Path(iid): Path<u64>,
) -> Result<Response, PageError> {
    render_page(&state, iid, None, None).await
}

/// `POST /reviews/{iid}/{action}` (a form).
pub async fn act(
    State(state): State<AppState>,
    Path((iid, action)): Path<(u64, String)>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, PageError> {
    let Some(kind) = Kind::of(&action) else {
        return Err(PageError::NotFound {
            path: format!("/reviews/{iid}/{action}"),
        });
    };
    if load(&state, iid).await?.is_none() {
        return Err(PageError::NotFound {
            path: format!("/reviews/{iid}"),
        });
    }
    match perform(&state, iid, kind, &form).await? {
        Ok((done, detail)) => {
            record(&state, iid, done, detail).await?;
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("/reviews/{iid}#activity")) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            Ok(r)
        }
        Err(Refused(field, message)) => {
            render_page(&state, iid, Some(&form), Some((field, message))).await
        }
    }
}

/// `GET /api/v1/reviews/{iid}`.
pub async fn api_item(
    State(state): State<AppState>,
    Path(iid): Path<u64>,
) -> Result<Json<ReviewItem>, ApiError> {
    load(&state, iid)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound {
            path: format!("/api/v1/reviews/{iid}"),
        })
}

/// `POST /api/v1/reviews/{iid}/{action}` with a JSON body (`{"plan": …}`, `{"body": …}`,
/// `{"outcome": …}`, `{"state": …}`): the item afterwards.
pub async fn api_act(
    State(state): State<AppState>,
    Path((iid, action)): Path<(u64, String)>,
    Json(form): Json<ActionForm>,
) -> Result<Json<ReviewItem>, ApiError> {
    let not_found = || ApiError::NotFound {
        path: format!("/api/v1/reviews/{iid}/{action}"),
    };
    let kind = Kind::of(&action).ok_or_else(not_found)?;
    if load(&state, iid).await?.is_none() {
        return Err(not_found());
    }
    match perform(&state, iid, kind, &form).await? {
        Ok((done, detail)) => record(&state, iid, done, detail).await?,
        Err(Refused(field, message)) => return Err(ApiError::Invalid { field, message }),
    }
    load(&state, iid).await?.map(Json).ok_or_else(not_found)
}
