//! The web service of supportops: the dashboard, the JSON API, the feedback webhook and the
//! calendar feed, over the same store and tracker as the command line.
//!
//! - **Pages** (`pages`): Overview `/`, Responses `/responses`, Reviews `/reviews`, Shadowing
//!   `/shadowing`, Syncs `/syncs`. Server-rendered HTML (askama, auto-escaping); charts are inline
//!   SVG drawn by `charts` (formula changes marked by `formula_marks`); What if `/what-if`
//!   (`what_if`) compares a pasted formula with the stored responses' bands; the stylesheet and a few lines of script are compiled in (`assets`).
//! - **JSON API** (`api`) under `/api/v1/`: `responses`, `summary`, `reviews`,
//!   `shadowing/coverage`, `shadowing/sessions`, `shadowing/plan`, `syncs`. Pages and API read the same view models (`views`), so a number
//!   on a page is the number in the API.
//! - **Shadowing actions** (`shadow_actions`): plan a month and apply it, schedule, move,
//!   finish, cancel a session and file improvements, from `/shadowing` and the API.
//! - **Webhook** (`hooks`): `POST /hooks/feedback` takes one response as JSON, stores it durably,
//!   and a background job files the flagged ones with the same review code as `supportops review`.
//! - **Chat** (`notifier`): a background task sends the chat outbox and queues the weekly
//!   digest; `/notifications` and `/api/v1/notifications` (`outbox`) list the messages.
//! - **Calendar feed** `/calendar.ics` and **health** `/healthz`.
//!
//! Each route family has one error enum (`error`) mapped to status codes in one place.
//!
//! ```no_run
//! # async fn run(services: supportops_server::Services) -> Result<(), Box<dyn std::error::Error>> {
//! let state = supportops_server::AppState::new(services)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! supportops_server::serve(listener, state, supportops_server::shutdown_signal()).await?;
//! # Ok(()) }
//! ```

mod access;
mod actions;
mod api;
mod assets;
mod auth;
mod calendar;
mod charts;
mod error;
mod formula_marks;
mod hooks;
mod intake;
mod layout;
mod markdown;
mod notifier;
mod oauth;
mod outbox;
mod pages;
mod shadow_actions;
mod state;
mod sync_actions;
mod views;
mod what_if;
mod worker;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

pub use access::{
    Actor, AuthKind, AuthSetup, AuthSetupError, GitLabSignIn, Via, hash as token_hash,
    new_api_token,
};
pub use auth::{AuthFailure, MIN_TOKEN_LEN, WeakToken, WebhookAuth};
pub use state::{AppState, ServerStore, Services, SheetSetup, StartError, TokioPace};
pub use supportops_ports::Clock;

/// The Content-Security-Policy of every answer: nothing is loaded from anywhere but here.
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The whole service as an axum [`Router`].
pub fn router(state: AppState) -> Router {
    let max_bytes = state.config().server.webhook_max_bytes;
    let hooks = Router::new()
        .route("/hooks/feedback", post(hooks::feedback))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(max_bytes))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            hooks::explain_too_large,
        ));
    let api = Router::new()
        .route("/responses", get(api::responses))
        .route("/summary", get(api::summary))
        .route("/reviews", get(api::reviews))
        .route("/reviews/{iid}", get(actions::api_item))
        .route("/reviews/{iid}/{action}", post(actions::api_act))
        .route("/shadowing/coverage", get(api::shadowing_coverage))
        .route(
            "/shadowing/plan",
            get(shadow_actions::api_plan).post(shadow_actions::api_plan_apply),
        )
        .route("/shadowing/sessions", get(shadow_actions::sessions_api))
        .route(
            "/shadowing/sessions/{id}",
            get(shadow_actions::session_api_item),
        )
        .route(
            "/shadowing/sessions/{id}/{action}",
            post(shadow_actions::session_api_act),
        )
        .route("/syncs", get(api::syncs))
        .route("/syncs/{kind}/{date}", get(sync_actions::api_item))
        .route("/syncs/{kind}/{date}/{action}", post(sync_actions::api_act))
        .route("/notifications", get(outbox::api))
        .fallback(api::not_found);
    let guarded = Router::new()
        .route("/", get(pages::overview))
        .route("/responses", get(pages::responses))
        .route("/reviews", get(pages::reviews))
        .route("/reviews/{iid}", get(actions::page))
        .route("/reviews/{iid}/{action}", post(actions::act))
        .route("/shadowing", get(shadow_actions::overview))
        .route(
            "/shadowing/plan",
            get(shadow_actions::plan_page).post(shadow_actions::plan_apply),
        )
        .route(
            "/shadowing/sessions/{id}",
            get(shadow_actions::session_page),
        )
        .route(
            "/shadowing/sessions/{id}/{action}",
            post(shadow_actions::session_act),
        )
        .route("/syncs", get(pages::syncs))
        .route("/syncs/{kind}/{date}", get(sync_actions::page))
        .route("/syncs/{kind}/{date}/{action}", post(sync_actions::act))
        .route("/what-if", get(what_if::page))
        .route("/notifications", get(outbox::page))
        .route("/calendar.ics", get(calendar::feed))
        .route("/auth/sign-out", post(oauth::sign_out))
        .nest("/api/v1", api)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::guard,
        ));
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/auth/sign-in", get(oauth::sign_in))
        .route("/auth/callback", get(oauth::callback))
        .route("/auth/signed-out", get(oauth::signed_out))
        .route("/assets/app.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
        .route("/assets/icon.svg", get(assets::icon))
        .route("/favicon.ico", get(assets::icon))
        .merge(hooks)
        .merge(guarded)
        .with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(|res: &Response, latency: Duration, _span: &Span| {
                    tracing::info!(
                        status = res.status().as_u16(),
                        ms = %format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
                        "served"
                    );
                })
                .on_failure(()),
        )
}

/// Why the service stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Accepting connections failed.
    #[error("the web server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves on `listener` until `shutdown` completes, then lets requests in flight finish.
/// The background review job starts with the service: it first files whatever a previous run
/// stored but did not file, then each response the webhook accepts.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(worker::run(state.clone(), stop_rx.clone()));
    let notifier = tokio::spawn(notifier::run(state.clone(), stop_rx));
    let app = router(state);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_tx.send(true);
    if let Err(e) = worker.await {
        tracing::error!(error = %e, "the review job stopped abnormally");
    }
    if let Err(e) = notifier.await {
        tracing::error!(error = %e, "the chat notifier stopped abnormally");
    }
    tracing::info!("stopped");
    result.map_err(ServeError::Io)
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
