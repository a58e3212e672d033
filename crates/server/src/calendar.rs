//! `GET /calendar.ics`: the weekly and monthly syncs as an iCalendar feed (RFC 5545) that
//! calendar clients subscribe to.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::FeedError;
use crate::state::AppState;
use crate::views;

/// `GET /calendar.ics`.
pub async fn feed(State(state): State<AppState>) -> Result<Response, FeedError> {
    let ics = views::syncs::calendar(&state).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"supportops.ics\""),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        ics,
    )
        .into_response())
}
