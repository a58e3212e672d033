//! GitLab as an OAuth 2 provider, as GitLab documents it: `GET /oauth/authorize` (authorization
//! code flow with PKCE) sends the browser back to the application's redirect URI with a `code`
//! and the `state`; `POST /oauth/token` exchanges the code for an access token once, checking
//! the client secret, the redirect URI and the PKCE verifier; the token then authenticates API
//! calls as the user who signed in (`GET /api/v4/user`, group membership).
//!
//! The fake has no login form: the test says who is signed in to GitLab in the browser
//! ([`super::FakeGitLab::sign_in_as`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Form;
use axum::Json;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::state::State;

/// A registered OAuth application.
#[derive(Debug, Clone)]
pub(crate) struct OAuthApp {
    pub client_id: String,
    pub secret: String,
    pub redirect_uri: String,
}

/// A code handed out and not yet exchanged.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub code: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: Option<String>,
    pub user: u64,
}

type Shared = Arc<Mutex<State>>;
type Params = BTreeMap<String, String>;

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// `GET /oauth/authorize`.
pub(crate) async fn authorize(
    AxumState(state): AxumState<Shared>,
    Query(q): Query<Params>,
) -> Response {
    let Ok(mut s) = state.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let Some(app) = s
        .oauth_apps
        .iter()
        .find(|a| a.client_id == get("client_id"))
        .cloned()
    else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed due to unknown client.",
        );
    };
    if app.redirect_uri != get("redirect_uri") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "The redirect URI included is not valid.",
        );
    }
    let back = |params: &[(&str, &str)]| {
        let mut url = match url::Url::parse(&app.redirect_uri) {
            Ok(u) => u,
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        };
        url.query_pairs_mut().extend_pairs(params);
        let mut r = StatusCode::FOUND.into_response();
        if let Ok(v) = HeaderValue::from_str(url.as_str()) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        r
    };
    let oauth_state = get("state");
    if get("response_type") != "code" {
        return back(&[
            ("error", "unsupported_response_type"),
            ("state", &oauth_state),
        ]);
    }
    let challenge = q.get("code_challenge").cloned();
    if challenge.is_some() && get("code_challenge_method") != "S256" {
        return back(&[("error", "invalid_request"), ("state", &oauth_state)]);
    }
    let Some(user) = s.browser_user else {
        return back(&[
            ("error", "access_denied"),
            (
                "error_description",
                "The resource owner denied the request.",
            ),
            ("state", &oauth_state),
        ]);
    };
    let code = format!("code-{}", s.fresh_id());
    s.grants.push(Grant {
        code: code.clone(),
        client_id: app.client_id.clone(),
        redirect_uri: app.redirect_uri.clone(),
        challenge,
        user,
    });
    back(&[("code", &code), ("state", &oauth_state)])
}

/// `POST /oauth/token`.
pub(crate) async fn token(AxumState(state): AxumState<Shared>, Form(f): Form<Params>) -> Response {
    let Ok(mut s) = state.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let app = s
        .oauth_apps
        .iter()
        .find(|a| a.client_id == get("client_id") && a.secret == get("client_secret"))
        .cloned();
    if app.is_none() {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication \
             included, or unsupported authentication method.",
        );
    }
    if get("grant_type") != "authorization_code" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        );
    }
    let invalid_grant = || {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The provided authorization grant is invalid, expired, revoked, does not match the \
             redirection URI used in the authorization request, or was issued to another client.",
        )
    };
    let Some(at) = s.grants.iter().position(|g| g.code == get("code")) else {
        return invalid_grant();
    };
    // A code is good for one exchange, right or wrong.
    let grant = s.grants.remove(at);
    if grant.client_id != get("client_id") || grant.redirect_uri != get("redirect_uri") {
        return invalid_grant();
    }
    if let Some(challenge) = &grant.challenge {
        let verifier = get("code_verifier");
        let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        if verifier.is_empty() || computed != *challenge {
            return invalid_grant();
        }
    }
    let access = format!("oauth-access-{}", s.fresh_id());
    s.user_tokens.push((access.clone(), grant.user));
    s.exchanged += 1;
    Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": 7200,
        "refresh_token": format!("oauth-refresh-{}", s.fresh_id()),
        "scope": "read_api",
        "created_at": 1_700_000_000,
    }))
    .into_response()
}
