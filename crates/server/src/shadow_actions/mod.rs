//! Acting on Support Shadowing from the dashboard and the API, through the same `app` use
//! cases as `supportops shadow`:
//!
//! - `plan`: the planner's proposal for a month with hand picks (`/shadowing/plan`), applied
//!   by `POST /shadowing/plan` (and `/api/v1/shadowing/plan`);
//! - `session`: one session's page (`/shadowing/sessions/{id}`) and its actions: schedule
//!   (date, time and zone; shown back in the member's and the region's zones), reschedule,
//!   done with notes, cancel with a reason, file an improvement issue; the same under
//!   `/api/v1/shadowing/sessions/{id}/…`, and the list `GET /api/v1/shadowing/sessions`;
//! - `overview`: the Shadowing page, with the sessions to arrange or record.
//!
//! Every action is recorded in the item's activity list with who did it (`shadow:<id>` for a
//! session, `shadow-plan:<YYYY-MM>` for a month's plan). Forms work without JavaScript: a POST
//! answers `303 See Other` back to the item, or the page again with the error next to the
//! field and what was typed kept; a refused action writes nothing.

mod overview;
mod plan;
mod session;

pub use overview::page as overview;
pub use plan::page as plan_page;
pub use plan::{api_apply as api_plan_apply, api_preview as api_plan, apply as plan_apply};
pub use session::{
    act as session_act, api_act as session_api_act, api_item as session_api_item,
    api_list as sessions_api, page as session_page,
};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use supportops_domain::shadow::{Month, SessionId};
use supportops_ports::store::auth::Activity;

use crate::error::DataError;
use crate::state::AppState;

/// The activity item of a session.
fn session_key(id: SessionId) -> String {
    format!("shadow:{id}")
}

/// The activity item of a month's plan.
fn plan_key(month: Month) -> String {
    format!("shadow-plan:{month}")
}

/// An action refused for what was sent: the field (or the form) and why. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Refused(&'static str, String);

/// Records that the signed-in person did `action` to `item`.
async fn record(
    state: &AppState,
    item: String,
    action: &str,
    detail: String,
) -> Result<(), DataError> {
    let actor = crate::access::current().map_or_else(|| "unknown".to_owned(), |a| a.username);
    state
        .store()
        .log_activity(&Activity {
            item,
            actor,
            action: action.to_owned(),
            detail,
            at: state.now(),
        })
        .await?;
    Ok(())
}

/// `303 See Other` to `location`.
fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// The first line of `text`, at most 120 characters, `…` when cut.
fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("");
    let mut out: String = line.chars().take(120).collect();
    if line.chars().count() > 120 || text.trim().lines().count() > 1 {
        out.push('…');
    }
    out
}

/// The current month, in UTC.
fn this_month(state: &AppState) -> Month {
    Month::of(
        state
            .now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date(),
    )
}
