//! Sign in with GitLab: OAuth 2 authorization code with PKCE (RFC 7636, `S256`), then the
//! person's roles from GitLab group membership or `[[team.members]]`; and signing out.
//!
//! `GET /auth/sign-in` sends the browser to GitLab's `/oauth/authorize` with a random `state`
//! (kept hashed in the store with the PKCE verifier, and in a short-lived cookie that binds it to
//! this browser); `GET /auth/callback` takes the sign-in once, exchanges the code at
//! `/oauth/token` with the verifier, reads `/api/v4/user`, decides the role, and starts a
//! session. The exchange is one form POST, made with the workspace's `reqwest`.

use std::time::Duration;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use jiff::SignedDuration;
use secrecy::ExposeSecret;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use supportops_ports::store::auth::{PendingSignIn, Role};

use crate::access::{
    self, AuthKind, GitLabSignIn, SESSION_COOKIE, cookie, hash, random_token, set_cookie,
};
use crate::error::AccessError;
use crate::pages::Layout;
use crate::state::AppState;

/// The cookie binding a sign-in under way to the browser that started it.
const STATE_COOKIE: &str = "supportops_sign_in";
/// How long a sign-in may take.
const SIGN_IN_TIME: SignedDuration = SignedDuration::from_mins(10);
/// The scope asked for: reading the user and their group membership.
pub const SCOPE: &str = "read_api";

/// `?next=` on the sign-in route.
#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// A page to come back to: only a path on this site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn redirect_uri(state: &AppState) -> String {
    format!(
        "{}/auth/callback",
        state.auth().public_url.as_deref().unwrap_or("")
    )
}

/// The PKCE `S256` challenge of `verifier`.
fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `GET /auth/sign-in`: to GitLab (or, without sign-in, straight back).
pub async fn sign_in(
    State(state): State<AppState>,
    Query(q): Query<Next>,
) -> Result<Response, AccessError> {
    let next = safe_next(q.next.as_deref());
    let AuthKind::GitLab(gitlab) = &state.auth().kind else {
        return Ok(redirect(&next));
    };
    let oauth_state = random_token().map_err(AccessError::random)?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(AccessError::random)?;
    let verifier = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    state
        .store()
        .begin_sign_in(&PendingSignIn {
            state_hash: hash(&oauth_state),
            verifier: verifier.clone(),
            next,
            created_at: state.now(),
        })
        .await?;
    let mut url = url::Url::parse(&format!("{}/oauth/authorize", gitlab.url))
        .map_err(|e| AccessError::SignInFailed(format!("`server.auth.url`: {e}")))?;
    url.query_pairs_mut()
        .append_pair("client_id", &gitlab.client_id)
        .append_pair("redirect_uri", &redirect_uri(&state))
        .append_pair("response_type", "code")
        .append_pair("state", &oauth_state)
        .append_pair("scope", SCOPE)
        .append_pair("code_challenge", &challenge(&verifier))
        .append_pair("code_challenge_method", "S256");
    let mut r = redirect(url.as_str());
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, STATE_COOKIE, &oauth_state, SIGN_IN_TIME.as_secs()),
    );
    Ok(r)
}

/// What GitLab sends the browser back with.
#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: String,
}

#[derive(Debug, Deserialize)]
struct GitLabUser {
    id: u64,
    username: String,
    name: String,
}

/// `GET /auth/callback`: finishes the sign-in and starts a session.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> Result<Response, AccessError> {
    let AuthKind::GitLab(gitlab) = &state.auth().kind else {
        return Ok(redirect("/"));
    };
    if let Some(error) = q.error {
        return Err(AccessError::SignInFailed(format!(
            "GitLab answered `{error}`{}",
            q.error_description
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        )));
    }
    let (Some(code), Some(oauth_state)) = (q.code, q.state) else {
        return Err(AccessError::SignInFailed(
            "GitLab sent no code and state back".into(),
        ));
    };
    if cookie(&headers, STATE_COOKIE) != Some(oauth_state.as_str()) {
        return Err(AccessError::SignInFailed(
            "this browser did not start that sign-in (or took longer than ten minutes)".into(),
        ));
    }
    let pending = state
        .store()
        .take_sign_in(&hash(&oauth_state))
        .await?
        .filter(|p| {
            p.created_at
                .checked_add(SIGN_IN_TIME)
                .is_ok_and(|end| end > state.now())
        })
        .ok_or_else(|| {
            AccessError::SignInFailed("that sign-in was used already or has expired".into())
        })?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| AccessError::SignInFailed(e.to_string()))?;
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "{what}");
        AccessError::SignInFailed(format!("{what} at {}", gitlab.url))
    };
    let token: TokenAnswer = client
        .post(format!("{}/oauth/token", gitlab.url))
        .form(&[
            ("client_id", gitlab.client_id.as_str()),
            ("client_secret", gitlab.client_secret.expose_secret()),
            ("code", code.as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri(&state).as_str()),
            ("code_verifier", pending.verifier.as_str()),
        ])
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| failed("GitLab refused the sign-in code", &e))?
        .json()
        .await
        .map_err(|e| failed("GitLab's token answer could not be read", &e))?;
    let user: GitLabUser = client
        .get(format!("{}/api/v4/user", gitlab.url))
        .bearer_auth(&token.access_token)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| failed("GitLab did not say who signed in", &e))?
        .json()
        .await
        .map_err(|e| failed("GitLab's user answer could not be read", &e))?;
    let role = role_of(&client, gitlab, &token.access_token, &user).await?;
    let (session, _) = access::start_session(&state, &user.username, &user.name, role).await?;
    let mut r = redirect(&pending.next);
    r.headers_mut().append(header::SET_COOKIE, session);
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(&state, STATE_COOKIE, "", 0));
    tracing::info!(user = %user.username, role = role.as_str(), "signed in");
    Ok(r)
}

/// Whether the user is a member (direct, inherited or invited) of `group`, asked with their
/// own token: `GET /groups/:id/members/all/:user_id` answers 200 or 404.
async fn member_of(
    client: &reqwest::Client,
    gitlab: &GitLabSignIn,
    token: &str,
    group: &str,
    user: u64,
) -> Result<bool, AccessError> {
    let id: String = url::form_urlencoded::byte_serialize(group.as_bytes()).collect();
    let res = client
        .get(format!(
            "{}/api/v4/groups/{id}/members/all/{user}",
            gitlab.url
        ))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "group membership");
            AccessError::SignInFailed(format!("GitLab could not be asked about group `{group}`"))
        })?;
    match res.status() {
        s if s.is_success() => Ok(true),
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN => Ok(false),
        s => Err(AccessError::SignInFailed(format!(
            "GitLab answered {s} when asked about group `{group}`"
        ))),
    }
}

/// Editor: in `editors_group` (or, without one, a `[[team.members]]` username); viewer: in
/// `viewers_group`; anybody else is refused.
async fn role_of(
    client: &reqwest::Client,
    gitlab: &GitLabSignIn,
    token: &str,
    user: &GitLabUser,
) -> Result<Role, AccessError> {
    let editor = match &gitlab.editors_group {
        Some(g) => member_of(client, gitlab, token, g, user.id).await?,
        None => gitlab.team.contains(&user.username),
    };
    if editor {
        return Ok(Role::Editor);
    }
    if let Some(g) = &gitlab.viewers_group
        && member_of(client, gitlab, token, g, user.id).await?
    {
        return Ok(Role::Viewer);
    }
    let editors = match &gitlab.editors_group {
        Some(g) => format!("is not in the editors' group `{g}`"),
        None => "is not one of the `[[team.members]]`".to_owned(),
    };
    let why = match &gitlab.viewers_group {
        Some(g) => format!("{editors} nor in the viewers' group `{g}`"),
        None => editors,
    };
    Err(AccessError::NotAMember {
        who: user.name.clone(),
        username: user.username.clone(),
        why,
    })
}

/// `POST /auth/sign-out`: ends the session.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.store().delete_session(&hash(id), state.now()).await
    {
        return AccessError::Store(e).into_response();
    }
    let mut r = redirect("/auth/signed-out");
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", 0),
    );
    r
}

#[derive(Template)]
#[template(path = "signed_out.html")]
struct SignedOut {
    layout: Layout,
}

/// `GET /auth/signed-out`.
pub async fn signed_out() -> Response {
    match (SignedOut {
        layout: Layout::default(),
    })
    .render()
    {
        Ok(html) => Html(html).into_response(),
        Err(_) => "signed out".into_response(),
    }
}
