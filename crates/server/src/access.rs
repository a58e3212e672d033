//! Who is asking and what they may do: the sign-in setup (`[server.auth]`), browser sessions
//! (a random cookie whose hash the store keeps), API tokens (`Authorization: Bearer`), the
//! roles, and the CSRF token every form and state-changing call must send back.
//!
//! [`guard`] runs before every page and API route: it finds the [`Actor`], refuses what they
//! may not do, checks the CSRF token of a state-changing request that rides on a session
//! cookie, and runs the handler with the actor in [`current`].

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use supportops_config::Config;
use supportops_ports::store::auth::{ApiToken, Role, SessionRecord};

use crate::error::AccessError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "supportops_session";
/// The form field and the header (`X-CSRF-Token`) that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// The largest form body the guard reads to find the CSRF token.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// How people sign in.
#[derive(Debug, Clone, Default)]
pub enum AuthKind {
    /// No sign-in (`kind = "none"`, loopback only): every browser gets a session as the local
    /// editor.
    #[default]
    None,
    /// Sign in with GitLab.
    GitLab(GitLabSignIn),
}

/// Sign-in with GitLab: OAuth 2 authorization code with PKCE.
#[derive(Debug, Clone)]
pub struct GitLabSignIn {
    /// The instance, e.g. `https://gitlab.com` (no trailing slash).
    pub url: String,
    /// The application's id.
    pub client_id: String,
    /// The application's secret.
    pub client_secret: SecretString,
    /// Members of this group are editors; `None`: the `[[team.members]]` are.
    pub editors_group: Option<String>,
    /// Members of this group are viewers; `None`: nobody else gets in.
    pub viewers_group: Option<String>,
    /// The `[[team.members]]` usernames.
    pub team: Vec<String>,
}

/// The sign-in setup the service runs with.
#[derive(Debug, Clone)]
pub struct AuthSetup {
    /// How people sign in.
    pub kind: AuthKind,
    /// `server.public_url` without a trailing slash, if set.
    pub public_url: Option<String>,
    /// How long a session lasts.
    pub session: SignedDuration,
}

impl Default for AuthSetup {
    fn default() -> Self {
        AuthSetup {
            kind: AuthKind::None,
            public_url: None,
            session: SignedDuration::from_hours(12),
        }
    }
}

/// Why the service cannot start with this sign-in setup.
#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    /// The application secret's variable is unset.
    #[error(
        "sign-in with GitLab needs the application's secret in `{env}` (named by config key \
         `server.auth.client_secret_env`); set it and start again"
    )]
    MissingSecret {
        /// The variable.
        env: String,
    },
    /// `kind = "none"` on an address others can reach.
    #[error(
        "`{addr}` is not a loopback address, and config key `server.auth.kind` is `none`: \
         anyone who can reach it would read and act without signing in; set \
         `server.auth.kind = \"gitlab\"` (see the README's sign-in section) or listen on \
         127.0.0.1"
    )]
    OpenOnNetwork {
        /// The address.
        addr: SocketAddr,
    },
}

impl AuthSetup {
    /// The setup `[server.auth]` describes, the secret read through `lookup` (normally
    /// `std::env::var`).
    pub fn from_config(
        config: &Config,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<AuthSetup, AuthSetupError> {
        let auth = &config.server.auth;
        let kind = match auth.kind.as_str() {
            "gitlab" => {
                let env = &auth.client_secret_env;
                let secret = lookup(env)
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| AuthSetupError::MissingSecret { env: env.clone() })?;
                AuthKind::GitLab(GitLabSignIn {
                    url: auth
                        .url
                        .clone()
                        .unwrap_or_else(|| config.tracker.url.clone())
                        .trim_end_matches('/')
                        .to_owned(),
                    client_id: auth.client_id.clone(),
                    client_secret: SecretString::from(secret),
                    editors_group: auth.editors_group.clone(),
                    viewers_group: auth.viewers_group.clone(),
                    team: config
                        .team
                        .members
                        .iter()
                        .map(|m| m.username.clone())
                        .collect(),
                })
            }
            _ => AuthKind::None,
        };
        Ok(AuthSetup {
            kind,
            public_url: config
                .server
                .public_url
                .as_deref()
                .map(|u| u.trim_end_matches('/').to_owned()),
            session: SignedDuration::from_hours(i64::from(auth.session_hours.max(1))),
        })
    }

    /// Refuses `kind = "none"` on an address that is not loopback.
    pub fn check_bind(&self, addr: SocketAddr) -> Result<(), AuthSetupError> {
        match self.kind {
            AuthKind::None if !addr.ip().is_loopback() => {
                Err(AuthSetupError::OpenOnNetwork { addr })
            }
            _ => Ok(()),
        }
    }

    /// Whether cookies are `Secure` (the public URL is https).
    pub fn secure(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

/// How the actor proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session; its CSRF token.
    Session {
        /// The token forms must send back.
        csrf: String,
    },
    /// An API token.
    Token,
    /// Nobody signed in where no sign-in is asked (the demo, `auth.kind = "none"`): an API
    /// read, which needs no session (and stores none).
    Open,
}

/// The person (or script) behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Username (`demo`, `local`, or `token:NAME` for a script).
    pub username: String,
    /// Display name.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// How they proved it.
    pub via: Via,
}

impl Actor {
    /// The CSRF token forms carry (empty for API tokens).
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf } => csrf,
            Via::Token | Via::Open => "",
        }
    }

    /// Whether they may act.
    pub fn may_act(&self) -> bool {
        self.role == Role::Editor
    }
}

tokio::task_local! {
    static CURRENT: Actor;
}

/// The actor of the request being handled, if the guard ran.
pub fn current() -> Option<Actor> {
    CURRENT.try_with(Clone::clone).ok()
}

/// 32 random bytes as hex.
pub(crate) fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// SHA-256 of `text`, hex: what the store keeps of cookies, states and API tokens.
pub fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A new API token (`sot_` and 64 hex digits) and the record the store keeps of it.
pub fn new_api_token(
    name: &str,
    role: Role,
    now: Timestamp,
) -> Result<(String, ApiToken), getrandom::Error> {
    let token = format!("sot_{}", random_token()?);
    let record = ApiToken {
        name: name.to_owned(),
        hash: hash(&token),
        role,
        created_at: now,
        revoked_at: None,
        last_used_at: None,
    };
    Ok((token, record))
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` behind https.
pub(crate) fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.auth().secure() {
        "; Secure"
    } else {
        ""
    };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// Starts a session for `username`; returns the cookie to set.
pub(crate) async fn start_session(
    state: &AppState,
    username: &str,
    name: &str,
    role: Role,
) -> Result<(HeaderValue, Actor), AccessError> {
    let id = random_token().map_err(AccessError::random)?;
    let csrf = random_token().map_err(AccessError::random)?;
    let now = state.now();
    let length = state.auth().session;
    let record = SessionRecord {
        id_hash: hash(&id),
        username: username.to_owned(),
        name: name.to_owned(),
        role,
        csrf: csrf.clone(),
        created_at: now,
        expires_at: now.checked_add(length).unwrap_or(now),
    };
    state.store().create_session(&record).await?;
    let cookie = set_cookie(state, SESSION_COOKIE, &id, length.as_secs());
    Ok((
        cookie,
        Actor {
            username: username.to_owned(),
            name: name.to_owned(),
            role,
            via: Via::Session { csrf },
        },
    ))
}

/// The bearer token of an `Authorization` header, if it is one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The path calendar clients subscribe to: they cannot sign in or send headers, so it also
/// takes an API token in its query (`?token=…`).
pub const FEED_PATH: &str = "/calendar.ics";

/// The `token` query parameter of a `GET` of [`FEED_PATH`], the only request that may carry
/// its API token in the URL.
fn feed_token(req: &Request) -> Option<&str> {
    if req.uri().path() != FEED_PATH || !matches!(*req.method(), Method::GET | Method::HEAD) {
        return None;
    }
    req.uri()
        .query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Runs before every page and API route: finds the actor, refuses what they may not do, checks
/// CSRF on state-changing requests that ride on a session cookie.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match admit(&state, req).await {
        Ok((actor, req, cookie)) => {
            let mut res = CURRENT.scope(actor, next.run(req)).await;
            if let Some(c) = cookie {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            res
        }
        Err(e) => e.into_response(),
    }
}

async fn admit(
    state: &AppState,
    req: Request,
) -> Result<(Actor, Request, Option<HeaderValue>), AccessError> {
    let api = req.uri().path().starts_with("/api/");
    let acting = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let now = state.now();
    let mut new_cookie = None;
    let token = bearer(req.headers()).or_else(|| feed_token(&req));
    let actor = if let Some(token) = token {
        let Some(t) = state.store().use_token(&hash(token), now).await? else {
            return Err(AccessError::BadToken);
        };
        Actor {
            username: format!("token:{}", t.name),
            name: format!("API token `{}`", t.name),
            role: t.role,
            via: Via::Token,
        }
    } else if let Some(s) = match cookie(req.headers(), SESSION_COOKIE) {
        Some(id) => state.store().find_session(&hash(id), now).await?,
        None => None,
    } {
        Actor {
            username: s.username,
            name: s.name,
            role: s.role,
            via: Via::Session { csrf: s.csrf },
        }
    } else if state.demo() || matches!(state.auth().kind, AuthKind::None) {
        if acting {
            // A state-changing request without a session: the page that sent it was not ours
            // (or its session ended). Cross-site requests carry no Lax cookie.
            return Err(AccessError::BadCsrf { api });
        }
        let (username, name) = if state.demo() {
            ("demo", "Demo editor")
        } else {
            ("local", "Local user")
        };
        if api {
            // A script reading the API: no form to protect, so no session row per request.
            Actor {
                username: username.to_owned(),
                name: name.to_owned(),
                role: Role::Editor,
                via: Via::Open,
            }
        } else {
            let (cookie, actor) = start_session(state, username, name, Role::Editor).await?;
            new_cookie = Some(cookie);
            actor
        }
    } else {
        let next = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        return Err(AccessError::SignInNeeded { api, next });
    };
    if !acting {
        return Ok((actor, req, new_cookie));
    }
    // Anybody may end their own session.
    let signing_out = req.uri().path() == "/auth/sign-out";
    if !actor.may_act() && !signing_out {
        return Err(AccessError::Forbidden {
            api,
            who: actor.name.clone(),
            username: actor.username.clone(),
        });
    }
    let Via::Session { csrf } = &actor.via else {
        return Ok((actor, req, new_cookie));
    };
    let expected = csrf.clone();
    let from_header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (req, given) = match from_header {
        Some(t) => (req, Some(t)),
        None => form_field(req, CSRF_FIELD).await?,
    };
    let ok = given.is_some_and(|g| {
        use subtle::ConstantTimeEq as _;
        bool::from(g.as_bytes().ct_eq(expected.as_bytes()))
    });
    if !ok {
        return Err(AccessError::BadCsrf { api });
    }
    Ok((actor, req, new_cookie))
}

/// Reads a urlencoded form body to find `field`, and puts the body back for the handler.
async fn form_field(req: Request, field: &str) -> Result<(Request, Option<String>), AccessError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AccessError::FormTooLarge)?;
    let value = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == field)
        .map(|(_, v)| v.into_owned());
    Ok((Request::from_parts(parts, Body::from(bytes)), value))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn no_sign_in_is_allowed_on_loopback_only() {
        let none = AuthSetup::default();
        assert!(none.check_bind("127.0.0.1:8080".parse().unwrap()).is_ok());
        assert!(none.check_bind("[::1]:8080".parse().unwrap()).is_ok());
        let err = none
            .check_bind("0.0.0.0:8080".parse().unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("`server.auth.kind`"), "{err}");
        assert!(none.check_bind("10.1.2.3:80".parse().unwrap()).is_err());
    }

    #[test]
    fn the_secret_comes_from_the_variable_the_config_names() {
        let mut config = Config::default();
        config.server.auth.kind = "gitlab".into();
        config.server.public_url = Some("https://ops.example.com/".into());
        let err = AuthSetup::from_config(&config, |_| None).unwrap_err();
        assert!(
            err.to_string().contains("`SUPPORTOPS_OAUTH_SECRET`"),
            "{err}"
        );
        let setup = AuthSetup::from_config(&config, |k| {
            (k == "SUPPORTOPS_OAUTH_SECRET").then(|| "s3cret".to_owned())
        })
        .unwrap();
        assert!(setup.secure());
        assert_eq!(setup.public_url.as_deref(), Some("https://ops.example.com"));
        assert!(setup.check_bind("0.0.0.0:8080".parse().unwrap()).is_ok());
    }
}
