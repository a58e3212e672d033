//! The HTTP transport to GitLab: one `reqwest` client carrying the `PRIVATE-TOKEN` header,
//! retries (429 with `Retry-After`, 5xx and timeouts with capped exponential backoff), the
//! mapping of refusals (401, 403, 404, other 4xx) to [`TrackerError`], and pagination
//! (`x-next-page`, else `Link: rel="next"`).
//!
//! Requests that change something and are not idempotent (creating an issue, adding a note)
//! are [`Replay::Never`]: once such a request may have reached GitLab, a timeout or a 5xx is
//! reported as [`TrackerError::OutcomeUnknown`] instead of being sent again, because sending it
//! again could make a duplicate. Only a refusal that GitLab documents as "nothing was done"
//! (429) or a connection that never opened is retried for them.

use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::{HeaderMap, HeaderValue, LOCATION, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;
use supportops_ports::TrackerError;
use url::Url;

use crate::retry::{RetryPolicy, parse_retry_after};
use crate::wire::WireError;

/// How many items GitLab is asked for per page (its maximum).
const PER_PAGE: &str = "100";
/// A listing longer than this many pages is taken for a pagination loop.
const MAX_PAGES: usize = 10_000;
/// How much of an error body is kept for the message.
const MAX_ERROR_TEXT: usize = 300;

/// What a request is doing, for messages: `doing` is a phrase such as "creating an issue in
/// `group/project`", `target` names what a 404 means is missing, such as "project `group/project`".
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub doing: String,
    pub target: String,
}

impl Op {
    pub fn new(doing: impl Into<String>, target: impl Into<String>) -> Op {
        Op {
            doing: doing.into(),
            target: target.into(),
        }
    }
}

/// Whether a request may be sent again after it may have reached GitLab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// Reads and idempotent updates (`GET`, `PUT` of labels or state).
    Safe,
    /// Creates (`POST` of an issue or a note): never sent twice.
    Never,
}

/// Why a request did not succeed, before it is phrased as a [`TrackerError`].
#[derive(Debug)]
pub(crate) enum Failure {
    /// GitLab answered with a status that no retry will change (3xx, 4xx but 429).
    Refused {
        status: StatusCode,
        message: String,
        location: Option<String>,
    },
    /// Already phrased: retries exhausted, unknown outcome, unreadable answer.
    Error(TrackerError),
}

/// The authenticated HTTP client for one GitLab instance.
#[derive(Debug)]
pub(crate) struct Client {
    http: reqwest::Client,
    /// The API root, ending in `/api/v4/`.
    api: Url,
    token_env: String,
    timeout: Duration,
    pub policy: RetryPolicy,
}

impl Client {
    /// Builds the client. `api` must end in `/api/v4/`.
    pub fn new(
        api: Url,
        token: &SecretString,
        token_env: &str,
        timeout: Duration,
        policy: RetryPolicy,
    ) -> Result<Client, TrackerError> {
        let invalid = |message: &str| TrackerError::InvalidSetting {
            key: token_env.to_owned(),
            value: "(hidden)".to_owned(),
            message: message.to_owned(),
        };
        let token = token.expose_secret().trim();
        if token.is_empty() {
            return Err(invalid(
                "the GitLab token is empty; set it to a personal, project or group access token with the `api` scope",
            ));
        }
        let mut value = HeaderValue::from_str(token)
            .map_err(|_| invalid("the GitLab token holds characters a header cannot carry"))?;
        value.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("PRIVATE-TOKEN", value);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("supportops/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect to another host would carry the token there: follow none.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| TrackerError::Network {
                what: "setting up the HTTP client".to_owned(),
                message: error_chain(&e),
            })?;
        Ok(Client {
            http,
            api,
            token_env: token_env.to_owned(),
            timeout,
            policy,
        })
    }

    /// An API URL from path segments, each percent-encoded as one segment (so a project path
    /// `group/project` becomes `group%2Fproject`, as GitLab expects for ids).
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends a request built by `build`, retrying as the policy and `replay` allow.
    pub async fn send_raw(
        &self,
        op: &Op,
        replay: Replay,
        build: &(dyn Fn(&reqwest::Client) -> RequestBuilder + Sync),
    ) -> Result<Response, Failure> {
        let mut retry: u32 = 0;
        loop {
            let (wait, last, transport) = match build(&self.http).send().await {
                Ok(resp) if resp.status().is_success() => return Ok(resp),
                Ok(resp) if resp.status() == StatusCode::TOO_MANY_REQUESTS => {
                    let asked = resp
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, Timestamp::now()));
                    if let Some(asked) = asked.filter(|a| *a > self.policy.max_retry_after) {
                        return Err(Failure::Error(TrackerError::Unavailable {
                            what: op.doing.clone(),
                            attempts: retry + 1,
                            last: format!(
                                "rate limited (429): GitLab asks to wait {} s, longer than the {} s this client waits; try again later",
                                asked.as_secs(),
                                self.policy.max_retry_after.as_secs()
                            ),
                        }));
                    }
                    let wait = asked.unwrap_or_else(|| self.policy.backoff(retry));
                    (wait, "rate limited (429)".to_owned(), false)
                }
                Ok(resp) if resp.status().is_server_error() => {
                    let status = resp.status();
                    let message = error_text(resp).await;
                    let last = format!("GitLab answered {status}: {message}");
                    if replay == Replay::Never {
                        return Err(Failure::Error(TrackerError::OutcomeUnknown {
                            what: op.doing.clone(),
                            message: last,
                        }));
                    }
                    (self.policy.backoff(retry), last, false)
                }
                Ok(resp) => {
                    let status = resp.status();
                    let location = resp
                        .headers()
                        .get(LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let message = error_text(resp).await;
                    return Err(Failure::Refused {
                        status,
                        message,
                        location,
                    });
                }
                Err(err) => {
                    let last = self.describe(&err);
                    // A connection that never opened carried nothing: safe to try again.
                    if replay == Replay::Never && !err.is_connect() {
                        return Err(Failure::Error(TrackerError::OutcomeUnknown {
                            what: op.doing.clone(),
                            message: last,
                        }));
                    }
                    (self.policy.backoff(retry), last, true)
                }
            };
            if retry >= self.policy.max_retries {
                let attempts = retry + 1;
                return Err(Failure::Error(if transport {
                    TrackerError::Network {
                        what: op.doing.clone(),
                        message: format!("{last} (after {attempts} attempts)"),
                    }
                } else {
                    TrackerError::Unavailable {
                        what: op.doing.clone(),
                        attempts,
                        last,
                    }
                }));
            }
            tracing::debug!(
                doing = %op.doing,
                retry = retry + 1,
                wait_ms = wait.as_millis() as u64,
                reason = %last,
                "retrying a GitLab request"
            );
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    /// Like [`Client::send_raw`], with every failure phrased as a [`TrackerError`].
    pub async fn send(
        &self,
        op: &Op,
        replay: Replay,
        build: &(dyn Fn(&reqwest::Client) -> RequestBuilder + Sync),
    ) -> Result<Response, TrackerError> {
        self.send_raw(op, replay, build)
            .await
            .map_err(|f| self.phrase(op, f))
    }

    /// Turns a failure into the error a person reads.
    pub fn phrase(&self, op: &Op, failure: Failure) -> TrackerError {
        let (status, message, location) = match failure {
            Failure::Error(e) => return e,
            Failure::Refused {
                status,
                message,
                location,
            } => (status, message, location),
        };
        match status {
            StatusCode::UNAUTHORIZED => TrackerError::Unauthorized {
                what: op.doing.clone(),
                token_env: self.token_env.clone(),
            },
            StatusCode::FORBIDDEN => TrackerError::Forbidden {
                what: op.doing.clone(),
            },
            StatusCode::NOT_FOUND => {
                let hint = if message.contains("Project Not Found") {
                    "; check the project path and that the token's user can see the project"
                } else if message.contains("Group Not Found") {
                    "; check the group path and that the token's user can see the group"
                } else {
                    ""
                };
                TrackerError::NotFound {
                    what: format!("{} (GitLab answered `{message}`{hint})", op.target),
                }
            }
            s if s.is_redirection() => TrackerError::Rejected {
                what: op.doing.clone(),
                status: s.as_u16(),
                message: match location {
                    Some(to) => format!(
                        "GitLab redirects to `{to}`; set `tracker.url` to the address GitLab is served from"
                    ),
                    None => "GitLab answered with a redirect; check `tracker.url`".to_owned(),
                },
            },
            s => TrackerError::Rejected {
                what: op.doing.clone(),
                status: s.as_u16(),
                message,
            },
        }
    }

    /// `GET` of one JSON document.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        op: &Op,
        url: Url,
        query: &[(&str, String)],
    ) -> Result<T, TrackerError> {
        let resp = self
            .send(op, Replay::Safe, &|http| http.get(url.clone()).query(query))
            .await?;
        self.read_json(op, Replay::Safe, resp).await
    }

    /// A request with a JSON body, answered with a JSON document.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        op: &Op,
        method: Method,
        replay: Replay,
        url: Url,
        body: &serde_json::Value,
    ) -> Result<T, TrackerError> {
        let resp = self
            .send(op, replay, &|http| {
                http.request(method.clone(), url.clone()).json(body)
            })
            .await?;
        self.read_json(op, replay, resp).await
    }

    /// Reads a successful answer's JSON body.
    pub async fn read_json<T: DeserializeOwned>(
        &self,
        op: &Op,
        replay: Replay,
        resp: Response,
    ) -> Result<T, TrackerError> {
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            // GitLab said yes, but what it made was lost on the way.
            Err(e) if replay == Replay::Never => {
                return Err(TrackerError::OutcomeUnknown {
                    what: op.doing.clone(),
                    message: format!("the answer was cut off: {}", self.describe(&e)),
                });
            }
            Err(e) => {
                return Err(TrackerError::Network {
                    what: op.doing.clone(),
                    message: self.describe(&e),
                });
            }
        };
        serde_json::from_slice(&bytes).map_err(|e| TrackerError::Protocol {
            what: op.doing.clone(),
            message: format!("the JSON does not read as expected: {e}"),
        })
    }

    /// `GET` of a list, following GitLab's pagination to the last page. Asks for 100 items per
    /// page; follows `x-next-page`, else a `Link: <…>; rel="next"` on the same host.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        op: &Op,
        url: Url,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, TrackerError> {
        let mut first = url;
        {
            let mut pairs = first.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
            pairs.append_pair("per_page", PER_PAGE);
        }
        let mut items = Vec::new();
        let mut next = Some(first.clone());
        let mut pages = 0usize;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(TrackerError::Protocol {
                    what: op.doing.clone(),
                    message: format!("more than {MAX_PAGES} pages; the pagination seems to loop"),
                });
            }
            let resp = self
                .send(op, Replay::Safe, &|http| http.get(url.clone()))
                .await?;
            next = self.next_page(op, &first, &url, resp.headers())?;
            let page: Vec<T> = self.read_json(op, Replay::Safe, resp).await?;
            items.extend(page);
        }
        Ok(items)
    }

    /// The URL of the page after `current`, if any.
    fn next_page(
        &self,
        op: &Op,
        first: &Url,
        current: &Url,
        headers: &HeaderMap,
    ) -> Result<Option<Url>, TrackerError> {
        let protocol = |message: String| TrackerError::Protocol {
            what: op.doing.clone(),
            message,
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let next = if let Some(page) = header("x-next-page") {
            let page: u64 = page
                .parse()
                .map_err(|_| protocol(format!("`x-next-page` is `{page}`, not a page number")))?;
            let mut url = first.clone();
            url.query_pairs_mut().append_pair("page", &page.to_string());
            url
        } else if let Some(link) = header("link") {
            let links = parse_link_header::parse_with_rel(link)
                .map_err(|e| protocol(format!("the `Link` header `{link}` is malformed: {e}")))?;
            let Some(next) = links.get("next") else {
                return Ok(None);
            };
            let url = current.join(&next.raw_uri).map_err(|e| {
                protocol(format!(
                    "the next page `{}` is not a URL: {e}",
                    next.raw_uri
                ))
            })?;
            if url.origin() != self.api.origin() {
                return Err(protocol(format!(
                    "the next page `{url}` is on another host than `tracker.url`; not sending the token there"
                )));
            }
            url
        } else {
            return Ok(None);
        };
        if &next == current {
            return Err(protocol(format!(
                "the next page `{next}` is the page just read"
            )));
        }
        Ok(Some(next))
    }

    /// One line for a transport error, with its causes.
    fn describe(&self, err: &reqwest::Error) -> String {
        if err.is_timeout() {
            format!(
                "no answer within {} s (config key `tracker.timeout_seconds`)",
                self.timeout.as_secs_f64()
            )
        } else {
            // reqwest's own text repeats the whole URL; its causes say what failed.
            let causes = std::error::Error::source(err).map(error_chain);
            let origin = err.url().map(|u| u.origin().ascii_serialization());
            match (err.is_connect(), origin, causes) {
                (true, Some(origin), Some(causes)) => {
                    format!("cannot connect to `{origin}` ({causes}); check `tracker.url`")
                }
                (_, _, Some(causes)) => causes,
                (_, _, None) => err.to_string(),
            }
        }
    }
}

/// An error and its sources, joined with `: `.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// GitLab's message from an error answer, on one line.
async fn error_text(resp: Response) -> String {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    let text = serde_json::from_str::<WireError>(&body)
        .ok()
        .and_then(WireError::text)
        .unwrap_or(body);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return status.canonical_reason().unwrap_or("no message").to_owned();
    }
    match text.char_indices().nth(MAX_ERROR_TEXT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
