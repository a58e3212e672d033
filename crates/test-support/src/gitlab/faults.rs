//! Fault injection and the door of the fake: every request is logged, then may meet a fault a
//! test asked for (429 with `Retry-After`, a 5xx, a slow answer, no answer at all), then must
//! carry the token (401 otherwise), as GitLab's rate limiter and authentication do.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::LoggedRequest;
use super::routes::message;
use super::state::State;

/// A misbehaviour the fake shows on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `429 Too Many Requests` with this `Retry-After` value (`"1"`, or an HTTP date), or
    /// without the header when `None`. Nothing is done.
    TooManyRequests(Option<String>),
    /// An error status such as 500 or 503; nothing is done.
    Status(u16),
    /// The request is done, and the answer comes after this long.
    Slow(Duration),
    /// The request is done (an issue is created…), and the answer never comes: what a client
    /// sees when the server or the network dies between the two.
    AcceptThenHang,
    /// The request is done (an issue is created…), then answered with this error status, as
    /// GitLab under load sometimes answers 500 after committing.
    CommitThenStatus(u16),
    /// The answer is held this long before the request is done: a window in which a client
    /// can be killed with its request sent but not yet carried out.
    Delay(Duration),
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Match {
    method: Option<Method>,
    path_contains: Option<String>,
    body_contains: Option<String>,
}

impl Match {
    /// Every request.
    pub fn any() -> Match {
        Match::default()
    }

    /// `GET` requests whose raw path contains `path` (e.g. `"/issues"`).
    pub fn get(path: &str) -> Match {
        Match::method(Method::GET, path)
    }

    /// `POST` requests whose raw path contains `path`.
    pub fn post(path: &str) -> Match {
        Match::method(Method::POST, path)
    }

    /// `PUT` requests whose raw path contains `path`.
    pub fn put(path: &str) -> Match {
        Match::method(Method::PUT, path)
    }

    /// Requests with this method whose raw path contains `path`.
    pub fn method(method: Method, path: &str) -> Match {
        Match {
            method: Some(method),
            path_contains: Some(path.to_owned()),
            body_contains: None,
        }
    }

    /// The same requests, only those whose body holds `text` (e.g. one subject's title).
    pub fn with_body(mut self, text: &str) -> Match {
        self.body_contains = Some(text.to_owned());
        self
    }

    fn matches(&self, method: &Method, path: &str, body: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
            && self
                .body_contains
                .as_deref()
                .is_none_or(|t| body.contains(t))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct FaultRule {
    pub when: Match,
    pub fault: Fault,
    pub remaining: u32,
}

/// Takes the fault for this request, if a rule still has one.
fn take_fault(state: &mut State, method: &Method, path: &str, body: &str) -> Option<Fault> {
    let rule = state
        .faults
        .iter_mut()
        .find(|r| r.remaining > 0 && r.when.matches(method, path, body))?;
    rule.remaining -= 1;
    Some(rule.fault.clone())
}

fn token_of(req: &Request) -> Option<String> {
    let headers = req.headers();
    if let Some(t) = headers.get("private-token") {
        return t.to_str().ok().map(str::to_owned);
    }
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
}

/// The user an OAuth access token was handed to, for the routes answering as them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenUser(pub u64);

/// The middleware: log, fault, authenticate, then route.
pub(crate) async fn door(
    AxumState(state): AxumState<Arc<Mutex<State>>>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    // Larger than GitLab's own limits, which the routes enforce with GitLab's messages.
    let bytes = to_bytes(body, 16 << 20).await.unwrap_or_default();
    let req = Request::from_parts(parts, Body::from(bytes.clone()));
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let token = token_of(&req);

    let (fault, token_ok, index, user) = {
        let Ok(mut s) = state.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let fault = take_fault(&mut s, &method, &path, &String::from_utf8_lossy(&bytes));
        // The OAuth endpoints authenticate the application, not a token.
        let user = token
            .as_deref()
            .and_then(|t| s.user_tokens.iter().find(|(u, _)| u == t))
            .map(|(_, id)| *id);
        let token_ok = token.as_deref() == Some(s.token.as_str())
            || user.is_some()
            || path.starts_with("/oauth/");
        s.log.push(LoggedRequest {
            method: method.to_string(),
            path: path.clone(),
            query,
            body: serde_json::from_slice(&bytes).ok(),
            token_sent: token.is_some(),
            status: 0,
        });
        (fault, token_ok, s.log.len() - 1, user)
    };
    let mut req = req;
    if let Some(id) = user {
        req.extensions_mut().insert(TokenUser(id));
    }
    let set_status = |status: StatusCode| {
        if let Ok(mut s) = state.lock()
            && let Some(entry) = s.log.get_mut(index)
        {
            entry.status = status.as_u16();
        }
    };

    let latency = state.lock().map(|s| s.latency).unwrap_or_default();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(Fault::Delay(wait)) = &fault {
        tokio::time::sleep(*wait).await;
    }
    let response = match &fault {
        Some(Fault::TooManyRequests(retry_after)) => {
            let mut resp = message(StatusCode::TOO_MANY_REQUESTS, "Retry later").into_response();
            if let Some(v) = retry_after
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            resp
        }
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let text = format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error")
            );
            message(status, &text).into_response()
        }
        _ if !token_ok => message(StatusCode::UNAUTHORIZED, "401 Unauthorized").into_response(),
        Some(Fault::CommitThenStatus(code)) => {
            let _done = next.run(req).await;
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let text = format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error")
            );
            message(status, &text).into_response()
        }
        _ => next.run(req).await,
    };
    set_status(response.status());
    match fault {
        Some(Fault::Slow(wait)) => tokio::time::sleep(wait).await,
        Some(Fault::AcceptThenHang) => std::future::pending::<()>().await,
        _ => {}
    }
    response
}
