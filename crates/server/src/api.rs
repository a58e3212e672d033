//! The JSON API under `/api/v1/`, and `/healthz`. Each endpoint answers one JSON document with
//! snake_case fields and ids included; errors are `{"error": {"status", "code", "message"}}`.

use axum::Json;
use axum::extract::{OriginalUri, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{ApiError, DataError};
use crate::state::AppState;
use crate::views;
use crate::views::responses::{FilterParams, ResponseFilter, ResponsePage};
use crate::views::summary::SummaryView;
use crate::views::syncs::SyncsView;

/// Any path under `/api/v1/` that is no endpoint.
pub async fn not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NotFound {
        path: uri.path().to_owned(),
    }
}

/// `GET /api/v1/responses?band=&month=&subject=&q=&page=&per_page=`.
pub async fn responses(
    State(state): State<AppState>,
    Query(params): Query<FilterParams>,
) -> Result<Json<ResponsePage>, ApiError> {
    let filter = ResponseFilter::parse(&params)?;
    Ok(Json(
        views::responses::load(&state, filter, "/api/v1/responses").await?,
    ))
}

/// `GET /api/v1/summary`.
pub async fn summary(State(state): State<AppState>) -> Result<Json<SummaryView>, ApiError> {
    Ok(Json(views::summary::load(&state).await?))
}

/// `GET /api/v1/reviews?state=&outcome=&band=&month=&q=&page=&per_page=`.
pub async fn reviews(
    State(state): State<AppState>,
    Query(params): Query<views::reviews::ReviewParams>,
) -> Result<Json<views::reviews::ReviewsView>, ApiError> {
    let query = views::reviews::ReviewQuery::parse(&params)?;
    Ok(Json(
        views::reviews::load(&state, query, "/api/v1/reviews").await?,
    ))
}

/// `GET /api/v1/shadowing/coverage`.
pub async fn shadowing_coverage(
    State(state): State<AppState>,
) -> Result<Json<views::shadowing::ShadowingView>, ApiError> {
    Ok(Json(views::shadowing::load(&state).await?))
}

/// `GET /api/v1/syncs`.
pub async fn syncs(State(state): State<AppState>) -> Result<Json<SyncsView>, ApiError> {
    Ok(Json(views::syncs::load(&state).await?))
}

/// The health answer.
#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    store: &'static str,
    tracker: String,
    version: &'static str,
}

/// `GET /healthz`: `200` when the store answers, `503` when it does not.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let store = state
        .store()
        .pending_filings()
        .await
        .map_err(DataError::from);
    let mut health = Health {
        status: "ok",
        store: "ok",
        tracker: state.tracker().describe(),
        version: env!("CARGO_PKG_VERSION"),
    };
    match store {
        Ok(_) => (StatusCode::OK, Json(health)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the store does not answer");
            health.status = "unavailable";
            health.store = "unavailable";
            (StatusCode::SERVICE_UNAVAILABLE, Json(health)).into_response()
        }
    }
}
