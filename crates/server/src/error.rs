//! Errors, one enum per route family (pages, JSON API, webhook, calendar feed), each mapped to a
//! status code and a safe message for the caller in exactly one place: its `IntoResponse`.
//! Server-side failures are logged with their whole cause chain; callers get a short message.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use supportops_app::shadow::ShadowError;
use supportops_app::sync::SyncAppError;
use supportops_ports::{StoreError, TrackerError};

use crate::auth::AuthFailure;

/// A failure while reading what a page or endpoint shows.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The tracker failed.
    #[error(transparent)]
    Tracker(#[from] TrackerError),
    /// The sync use cases failed.
    #[error(transparent)]
    Sync(#[from] supportops_app::sync::SyncAppError),
    /// The shadowing use cases failed.
    #[error(transparent)]
    Shadow(#[from] supportops_app::shadow::ShadowError),
}

impl From<supportops_app::pages::reviews::ReviewsError> for DataError {
    fn from(e: supportops_app::pages::reviews::ReviewsError) -> Self {
        match e {
            supportops_app::pages::reviews::ReviewsError::Store(e) => DataError::Store(e),
            supportops_app::pages::reviews::ReviewsError::Tracker(e) => DataError::Tracker(e),
        }
    }
}

impl DataError {
    /// The status this failure answers with: `502` when the tracker is unreachable or refuses
    /// our token, else `500`.
    pub(crate) fn status(&self) -> StatusCode {
        let tracker = match self {
            DataError::Tracker(e)
            | DataError::Sync(SyncAppError::Tracker(e))
            | DataError::Shadow(ShadowError::Tracker { source: e, .. }) => Some(e),
            _ => None,
        };
        match tracker {
            Some(
                TrackerError::Network { .. }
                | TrackerError::Unavailable { .. }
                | TrackerError::Unauthorized { .. }
                | TrackerError::Forbidden { .. },
            ) => StatusCode::BAD_GATEWAY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> &'static str {
        match self.status() {
            StatusCode::BAD_GATEWAY => "the tracker could not be reached; the server log says why",
            _ => "something failed on the server; the server log says why",
        }
    }
}

/// A query-string parameter the server cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query parameter `{param}`: `{value}` is not {expected}")]
pub struct BadParam {
    /// The parameter's name.
    pub param: &'static str,
    /// What was given.
    pub value: String,
    /// What would be accepted.
    pub expected: &'static str,
}

/// The whole cause chain of an error, one `: `-separated line, for the log.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let text = e.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = e.source();
    }
    out
}

/// The JSON body of every API and webhook error.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Serialize)]
struct ErrorDetail {
    status: u16,
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

fn json_error(
    status: StatusCode,
    code: &'static str,
    message: String,
    hint: Option<String>,
) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            status: status.as_u16(),
            code,
            message,
            hint,
        },
    };
    (status, Json(body)).into_response()
}

/// Errors of the dashboard pages (HTML).
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// A filter in the query string is not valid.
    #[error(transparent)]
    BadParam(#[from] BadParam),
    /// No such page.
    #[error("no page at `{path}`")]
    NotFound {
        /// The requested path.
        path: String,
    },
    /// Reading the data failed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A template failed to render.
    #[error("cannot render the page: {0}")]
    Render(#[from] askama::Error),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message, hint) = match &self {
            PageError::BadParam(e) => (
                StatusCode::BAD_REQUEST,
                "Bad filter",
                e.to_string(),
                Some("fix the filter, or clear it".to_owned()),
            ),
            PageError::NotFound { .. } => (
                StatusCode::NOT_FOUND,
                "Not found",
                self.to_string(),
                Some("the pages are listed in the menu above".to_owned()),
            ),
            PageError::Data(e) => {
                tracing::error!(error = %chain(e), "page failed");
                (
                    e.status(),
                    "Something failed",
                    e.public_message().to_owned(),
                    None,
                )
            }
            PageError::Render(e) => {
                tracing::error!(error = %chain(e), "page failed to render");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something failed",
                    "the page could not be drawn; the server log says why".to_owned(),
                    None,
                )
            }
        };
        let page = crate::layout::ErrorPage::new(status, title, message, hint);
        match askama::Template::render(&page) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, page.message).into_response(),
        }
    }
}

/// Errors of the JSON API under `/api/v1/`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is not valid.
    #[error(transparent)]
    BadParam(#[from] BadParam),
    /// A field of an action's body is not acceptable; nothing was done.
    #[error("`{field}`: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No such endpoint.
    #[error("no endpoint at `{path}`")]
    NotFound {
        /// The requested path.
        path: String,
    },
    /// Reading the data failed.
    #[error(transparent)]
    Data(#[from] DataError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::BadParam(e) => json_error(StatusCode::BAD_REQUEST, "bad_param", e.to_string(), None),
            ApiError::Invalid { .. } => json_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", self.to_string(), Some("nothing was changed; fix the field and send it again".into())),
            ApiError::NotFound { .. } => json_error(
                StatusCode::NOT_FOUND,
                "not_found",
                self.to_string(),
                Some("endpoints: /api/v1/responses, /api/v1/summary, /api/v1/reviews, /api/v1/shadowing/coverage, /api/v1/syncs".into()),
            ),
            ApiError::Data(e) => {
                tracing::error!(error = %chain(e), "api request failed");
                let code = if e.status() == StatusCode::BAD_GATEWAY { "tracker_unavailable" } else { "internal" };
                json_error(e.status(), code, e.public_message().to_owned(), None)
            }
        }
    }
}

/// Errors of the webhook `POST /hooks/feedback`.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The caller did not prove it knows the token.
    #[error("{}", match .0 {
        AuthFailure::Wrong => "the bearer token is not the webhook's token",
        _ => "send the webhook's token as `Authorization: Bearer <token>`",
    })]
    Unauthorized(AuthFailure),
    /// The service has no token configured.
    #[error("the webhook is off: no token is set in the environment variable `{env}`")]
    Unconfigured {
        /// The variable to set.
        env: String,
    },
    /// The body is larger than `server.webhook_max_bytes`.
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read.
    #[error("cannot read the request body: {0}")]
    Body(String),
    /// The body is not JSON.
    #[error("the body is not valid JSON: {message} at line {line}, column {column}")]
    BadJson {
        /// The parser's message.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The body is JSON but not a response.
    #[error("{0}")]
    BadResponse(String),
    /// Storing the response failed: nothing was accepted.
    #[error(transparent)]
    Data(#[from] DataError),
    /// Too many deliveries are waiting to be stored: nothing was accepted.
    #[error("the service is storing many deliveries; retry in a moment")]
    Busy,
}

impl IntoResponse for HookError {
    fn into_response(self) -> Response {
        let message = self.to_string();
        match self {
            HookError::Unauthorized(_) => {
                let mut r = json_error(StatusCode::UNAUTHORIZED, "unauthorized", message, None);
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                r
            }
            HookError::Unconfigured { env } => json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "webhook_unconfigured",
                message,
                Some(format!(
                    "set `{env}` to a long random secret (e.g. `openssl rand -hex 32`) and restart; \
                     the variable's name is config key `server.webhook_token_env`"
                )),
            ),
            HookError::TooLarge { .. } => json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                message,
                Some("send one response per request; the limit is config key `server.webhook_max_bytes`".into()),
            ),
            HookError::Body(_) => json_error(StatusCode::BAD_REQUEST, "bad_body", message, None),
            HookError::BadJson { .. } => json_error(
                StatusCode::BAD_REQUEST,
                "bad_json",
                message,
                Some("send one JSON object whose keys are column letters (`\"F\": \"5\"`) or header names".into()),
            ),
            HookError::BadResponse(_) => json_error(StatusCode::BAD_REQUEST, "bad_response", message, None),
            HookError::Busy => {
                let mut r = json_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    message,
                    Some("the response was not stored; send it again after `Retry-After` seconds".into()),
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                r
            }
            HookError::Data(e) => {
                tracing::error!(error = %chain(&e), "webhook delivery not stored");
                json_error(
                    e.status(),
                    "not_stored",
                    "the response could not be stored and was not accepted; retry later".into(),
                    None,
                )
            }
        }
    }
}

/// Errors of the calendar feed `GET /calendar.ics`.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// Reading the schedule failed.
    #[error(transparent)]
    Data(#[from] DataError),
}

impl IntoResponse for FeedError {
    fn into_response(self) -> Response {
        match self {
            FeedError::Data(e) => {
                tracing::error!(error = %chain(&e), "calendar feed failed");
                (e.status(), e.public_message()).into_response()
            }
        }
    }
}

/// Why a request was not let through (the guard in `access`), or a sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// Nobody is signed in.
    #[error("sign in to see this")]
    SignInNeeded {
        /// An API call (401) rather than a page (redirect to sign-in).
        api: bool,
        /// The page to come back to.
        next: String,
    },
    /// A bearer token that is unknown or revoked.
    #[error("the bearer token is unknown or revoked")]
    BadToken,
    /// Signed in, but a viewer asked to act.
    #[error("you are signed in as {who} (`{username}`), a viewer: acting needs the editor role")]
    Forbidden {
        /// An API call.
        api: bool,
        /// Their display name.
        who: String,
        /// Their username.
        username: String,
    },
    /// A state-changing request without the session's CSRF token.
    #[error("the request did not carry this session's CSRF token")]
    BadCsrf {
        /// An API call.
        api: bool,
    },
    /// A form too large to check.
    #[error("the form is too large")]
    FormTooLarge,
    /// Signed in with GitLab, but in none of the groups (or the team) that may use the service.
    #[error("you signed in to GitLab as {who} (`{username}`), who {why}")]
    NotAMember {
        /// Display name.
        who: String,
        /// GitLab username.
        username: String,
        /// Which groups or list they are not in.
        why: String,
    },
    /// The sign-in could not be finished (expired, replayed, refused by GitLab).
    #[error("the sign-in could not be finished: {0}")]
    SignInFailed(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No random bytes (the system's source failed).
    #[error("no random bytes: {0}")]
    Random(String),
}

impl AccessError {
    pub(crate) fn random(e: getrandom::Error) -> AccessError {
        AccessError::Random(e.to_string())
    }
}

impl IntoResponse for AccessError {
    fn into_response(self) -> Response {
        let page =
            |status: StatusCode, title: &'static str, message: String, hint: Option<String>| {
                let page = crate::layout::ErrorPage::new(status, title, message, hint);
                match askama::Template::render(&page) {
                    Ok(html) => (status, Html(html)).into_response(),
                    Err(_) => (status, page.message).into_response(),
                }
            };
        let message = self.to_string();
        match self {
            AccessError::SignInNeeded { api: true, .. } | AccessError::BadToken => {
                let mut r = json_error(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    message,
                    Some("sign in in the browser, or send `Authorization: Bearer <token>` (`supportops tokens create`)".into()),
                );
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                r
            }
            AccessError::SignInNeeded { api: false, next } => {
                let to = format!(
                    "/auth/sign-in?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                let mut r = StatusCode::SEE_OTHER.into_response();
                if let Ok(v) = HeaderValue::from_str(&to) {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                r
            }
            AccessError::Forbidden { api: true, .. } => {
                json_error(StatusCode::FORBIDDEN, "forbidden", message, None)
            }
            AccessError::Forbidden { api: false, .. } => page(
                StatusCode::FORBIDDEN,
                "Not allowed",
                message,
                Some("an editor can act; ask to be added to the editors' group".into()),
            ),
            AccessError::BadCsrf { api: true } => json_error(
                StatusCode::FORBIDDEN,
                "csrf",
                message,
                Some(
                    "send the session's token in the `X-CSRF-Token` header, or use an API token"
                        .into(),
                ),
            ),
            AccessError::BadCsrf { api: false } => page(
                StatusCode::FORBIDDEN,
                "Form expired",
                message,
                Some("load the page again and send the form from there".into()),
            ),
            AccessError::FormTooLarge => page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Form too large",
                message,
                None,
            ),
            AccessError::NotAMember { .. } => page(
                StatusCode::FORBIDDEN,
                "Not allowed",
                message,
                Some("ask a Support Ops member to add you to the group, then sign in again".into()),
            ),
            AccessError::SignInFailed(_) => page(
                StatusCode::BAD_REQUEST,
                "Sign-in failed",
                message,
                Some("start again from the dashboard's address".into()),
            ),
            AccessError::Store(e) => {
                tracing::error!(error = %chain(&e), "access check failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something failed",
                    "something failed on the server; the server log says why".into(),
                    None,
                )
            }
            AccessError::Random(e) => {
                tracing::error!(error = %e, "no random bytes");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something failed",
                    "something failed on the server; the server log says why".into(),
                    None,
                )
            }
        }
    }
}
