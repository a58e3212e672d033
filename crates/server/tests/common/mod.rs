//! The test harness: a real server on 127.0.0.1:0 over a fresh SQLite store and the local
//! tracker, driven as a client with `reqwest`. One method per endpoint.

#![allow(dead_code)]

pub mod browser;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use supportops_app::review::{LockOptions, ReviewOptions, SettlePolicy, TemplateSource};
use supportops_config::Config;
use supportops_domain::review::RenderOptions;
use supportops_formula::{Formula, ParseOptions};
use supportops_ports::{
    Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User,
};
use supportops_server::{AppState, Clock, Services, SheetSetup, TokioPace, WebhookAuth};
use supportops_sheet::{Headers, Scoring, SheetLayout, SourceSpec, load_scored};
use supportops_store::{LocalTracker, SqliteStore};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The webhook token every test server accepts.
pub const TOKEN: &str = "test-token-0123456789abcdef";

/// "Now" for every test server.
pub fn now() -> Timestamp {
    "2026-11-27T12:00:00Z".parse().unwrap()
}

/// How to start a test server.
pub struct Options {
    /// The webhook's auth (default: [`TOKEN`]).
    pub webhook: WebhookAuth,
    /// The configuration (default: the handbook's).
    pub config: Config,
    /// Import `tests/fixtures/feedback.csv` before starting (default: yes).
    pub seed: bool,
    /// Let the background job file review issues (default: yes).
    pub file_reviews: bool,
    /// Load the demo's year of shadowing history for the configured team (default: no).
    pub shadow_history: bool,
    /// Serve with a tracker that cannot be reached (after seeding with the local one).
    pub tracker_down: bool,
    /// How people sign in (default: no sign-in, as on loopback).
    pub auth: supportops_server::AuthSetup,
    /// The chat messages are posted to, when `[notify]` is on (default: none).
    pub chat: Option<Arc<dyn supportops_ports::Chat>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            webhook: WebhookAuth::Token(TOKEN.to_owned().into()),
            config: Config::default(),
            seed: true,
            file_reviews: true,
            shadow_history: false,
            tracker_down: false,
            auth: supportops_server::AuthSetup::default(),
            chat: None,
        }
    }
}

/// A running server.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The address it listens on.
    pub addr: SocketAddr,
    /// A client.
    pub client: reqwest::Client,
    /// The store behind it.
    pub store: Arc<SqliteStore>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// The sheet setup of the handbook's default configuration.
pub fn sheet_setup(config: &Config) -> SheetSetup {
    let formula = Formula::parse(
        &config.score.formula,
        &ParseOptions {
            template_row: config.sheet.template_row,
        },
    )
    .unwrap();
    SheetSetup {
        layout: SheetLayout::default(),
        headers: Headers::handbook(),
        scoring: Scoring::new(
            formula,
            supportops_domain::BandThresholds {
                green: config.score.bands.green,
                yellow: config.score.bands.yellow,
            },
        ),
    }
}

/// Review options as `supportops review` builds them from the default configuration.
pub fn review_options(config: &Config) -> ReviewOptions {
    ReviewOptions {
        project: config.review.project.clone(),
        template: TemplateSource::Tracker {
            name: config.review.template.clone(),
        },
        assignees: Vec::new(),
        assignee_group: None,
        labels: config.review.labels.clone(),
        render: RenderOptions::default(),
        dry_run: false,
        settle: SettlePolicy::default(),
    }
}

/// The demo configuration: the handbook's defaults and a team of four.
pub fn demo_config() -> Config {
    let text = include_str!("../../../../examples/demo.toml");
    Config::from_toml(text, "examples/demo.toml", &[]).unwrap()
}

/// Options for a server with the demo team and its shadowing history.
pub fn with_team() -> Options {
    Options {
        config: demo_config(),
        shadow_history: true,
        ..Options::default()
    }
}

pub fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

impl TestApp {
    /// A server with the fixture sheet imported and the webhook token [`TOKEN`].
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Options::default()).await
    }

    /// A server started with `options`.
    pub async fn spawn_with(options: Options) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        TestApp::start(dir, &url, options).await
    }

    async fn start(dir: tempfile::TempDir, url: &str, options: Options) -> TestApp {
        let store = SqliteStore::open(url).await.unwrap();
        let clock = Clock::fixed(now());
        let tracker = LocalTracker::new(store.clone()).with_clock(Arc::new(now));
        let sheet = sheet_setup(&options.config);
        if options.seed {
            let source = SourceSpec::parse(fixture("feedback.csv").to_str().unwrap()).unwrap();
            let scored = load_scored(&source, &sheet.layout, &sheet.scoring).unwrap();
            supportops_app::review::review(
                &store,
                &tracker,
                &scored.responses,
                &review_options(&options.config),
                &LockOptions::new("test seed", Arc::new(TokioPace(clock.clone()))),
                now(),
            )
            .await
            .unwrap();
        }
        if options.shadow_history {
            let today = now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
            supportops_app::shadow::load_demo_history(&store, &options.config, today)
                .await
                .unwrap();
        }
        let store = Arc::new(store);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut auth = options.auth;
        // GitLab sends the browser back to the server under test.
        if auth.public_url.is_none() {
            auth.public_url = Some(format!("http://{addr}"));
        }
        let state = AppState::new(Services {
            review: options
                .file_reviews
                .then(|| review_options(&options.config)),
            config: options.config,
            store: store.clone(),
            tracker: if options.tracker_down {
                Arc::new(Unreachable)
            } else {
                Arc::new(tracker)
            },
            webhook: options.webhook,
            clock,
            sheet,
            demo: false,
            auth,
        })
        .unwrap();
        if let Some(chat) = options.chat {
            state.set_chat(chat);
        }
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            supportops_server::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            base: format!("http://{addr}"),
            addr,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            store,
            shutdown: Some(tx),
            handle: Some(handle),
            _dir: dir,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// `GET path` as text, asserting the status.
    pub async fn text(&self, path: &str, status: u16) -> String {
        let r = self.get(path).await;
        assert_eq!(r.status().as_u16(), status, "GET {path}");
        r.text().await.unwrap()
    }

    /// `GET path` as JSON, asserting the status.
    pub async fn json(&self, path: &str, status: u16) -> serde_json::Value {
        let r = self.get(path).await;
        assert_eq!(r.status().as_u16(), status, "GET {path}");
        r.json().await.unwrap()
    }

    /// `POST /hooks/feedback` with `body` and, if given, the bearer `token`.
    pub async fn post_feedback(
        &self,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/hooks/feedback", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// Sends `body` to `path` with `Transfer-Encoding: chunked` (no `Content-Length`) over a
    /// raw connection, in two chunks; returns the raw answer.
    pub async fn post_chunked(&self, path: &str, token: &str, body: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut conn = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let (a, b) = body.split_at(body.len() / 2);
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
             {:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
            self.addr,
            a.len(),
            b.len()
        );
        conn.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let _ = conn.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self._dir, dir)
    }

    /// Starts a new server on the store of a stopped one (a restart).
    pub async fn restart(dir: tempfile::TempDir, options: Options) -> TestApp {
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        TestApp::start(
            dir,
            &url,
            Options {
                seed: false,
                ..options
            },
        )
        .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A tracker that cannot be reached: every call fails as a network error.
pub struct Unreachable;

fn down(what: &str) -> TrackerError {
    TrackerError::Network {
        what: what.to_owned(),
        message: "connection refused".to_owned(),
    }
}

#[async_trait::async_trait]
impl Tracker for Unreachable {
    fn describe(&self) -> String {
        "gitlab at https://gitlab.invalid".to_owned()
    }
    async fn read_template(&self, _: &str, _: &str) -> Result<Option<String>, TrackerError> {
        Err(down("reading a template"))
    }
    async fn resolve_users(&self, _: &[String]) -> Result<Vec<User>, TrackerError> {
        Err(down("resolving users"))
    }
    async fn group_members(&self, _: &str) -> Result<Vec<User>, TrackerError> {
        Err(down("reading group members"))
    }
    async fn create_issue(&self, _: &str, _: &NewIssue) -> Result<Issue, TrackerError> {
        Err(down("creating an issue"))
    }
    async fn issue(&self, _: &str, _: u64) -> Result<Issue, TrackerError> {
        Err(down("reading an issue"))
    }
    async fn list_issues(&self, _: &str, _: &IssueQuery) -> Result<Vec<Issue>, TrackerError> {
        Err(down("listing issues"))
    }
    async fn add_note(&self, _: &str, _: u64, _: &str) -> Result<Note, TrackerError> {
        Err(down("adding a note"))
    }
    async fn notes(&self, _: &str, _: u64) -> Result<Vec<Note>, TrackerError> {
        Err(down("reading notes"))
    }
    async fn update_labels(
        &self,
        _: &str,
        _: u64,
        _: &[String],
        _: &[String],
    ) -> Result<Issue, TrackerError> {
        Err(down("updating labels"))
    }
    async fn set_state(&self, _: &str, _: u64, _: IssueState) -> Result<Issue, TrackerError> {
        Err(down("changing an issue's state"))
    }
}
