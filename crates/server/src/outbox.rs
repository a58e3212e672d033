//! The chat outbox as the dashboard shows it, read-only: `GET /notifications` (a page) and
//! `GET /api/v1/notifications` (JSON): the latest messages with their state, tries and last
//! error, and whether chat messages are on.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Html;
use serde::Serialize;
use supportops_ports::store::notify::Delivery;

use crate::error::{ApiError, DataError, PageError};
use crate::pages::Layout;
use crate::state::AppState;

/// How many messages are listed.
const SHOWN: u32 = 50;

/// What the page and the API show.
#[derive(Debug, Serialize)]
pub struct OutboxView {
    /// Whether `[notify]` is on (`notify.chat_webhook_env` set).
    pub enabled: bool,
    /// Whether the service has the webhook URL and sends.
    pub sending: bool,
    /// The environment variable holding the URL, when on.
    pub chat_webhook_env: Option<String>,
    /// The latest messages, newest first.
    pub deliveries: Vec<Delivery>,
}

async fn load(state: &AppState) -> Result<OutboxView, DataError> {
    Ok(OutboxView {
        enabled: state.notify().is_some(),
        sending: state.notify().is_some() && state.chat().is_some(),
        chat_webhook_env: state.notify().map(|n| n.chat_webhook_env.clone()),
        deliveries: state.store().deliveries(SHOWN).await?,
    })
}

/// The page.
#[derive(Template)]
#[template(path = "notifications.html")]
pub struct OutboxPage {
    /// Header and menu.
    pub layout: Layout,
    /// What it lists.
    pub view: OutboxView,
}

/// `GET /notifications`.
pub async fn page(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let view = load(&state).await?;
    Ok(Html(
        OutboxPage {
            layout: Layout::of(&state, "/notifications"),
            view,
        }
        .render()?,
    ))
}

/// `GET /api/v1/notifications`.
pub async fn api(State(state): State<AppState>) -> Result<Json<OutboxView>, ApiError> {
    Ok(Json(load(&state).await?))
}
