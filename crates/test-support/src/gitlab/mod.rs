//! A fake GitLab: an axum server on `127.0.0.1:0` answering the REST API v4 endpoints
//! supportops uses (issue templates, users, group members, issues, notes), following GitLab's
//! documented status codes, JSON shapes and pagination headers, with faults on demand.
//!
//! ```no_run
//! # async fn demo() {
//! use supportops_test_support::gitlab::{Fault, FakeGitLab, Match};
//!
//! let gitlab = FakeGitLab::start().await;
//! gitlab.add_project("support/feedback-review");
//! gitlab.add_user("alice", "Alice");
//! gitlab.fail(Match::get("/issues"), Fault::TooManyRequests(Some("1".into())), 2);
//! // … point the client at gitlab.base_url() with gitlab.token() …
//! assert!(gitlab.issues("support/feedback-review").is_empty());
//! # }
//! ```

mod faults;
mod oauth;
mod paging;
mod quick_actions;
mod routes;
mod state;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jiff::Timestamp;
use tokio::task::JoinHandle;

pub use faults::{Fault, Match};
pub use state::{FakeIssue, FakeNote, FakeUser, Mention, PaginationHeaders, SeedIssue};

use faults::FaultRule;
use state::{Group, Project, State};

/// The token the fake accepts (as `PRIVATE-TOKEN` or `Authorization: Bearer`).
pub const TOKEN: &str = "glpat-fake-0123456789abcdef";

/// One request the fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as sent, still percent-encoded (e.g. `/api/v4/projects/a%2Fb/issues`).
    pub path: String,
    /// The query string as sent, without `?`.
    pub query: String,
    /// The JSON body, if there was one.
    pub body: Option<serde_json::Value>,
    /// Whether a token was sent (its value is never kept).
    pub token_sent: bool,
    /// The status answered (0 while the answer is pending).
    pub status: u16,
}

impl LoggedRequest {
    /// The decoded query parameters, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// One decoded query parameter.
    pub fn param(&self, key: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Every value of a repeated query parameter (`iids[]`), in order.
    pub fn params(&self, key: &str) -> Vec<String> {
        self.query_pairs()
            .into_iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v)
            .collect()
    }
}

/// A running fake GitLab. Dropping it stops the server.
#[derive(Debug)]
pub struct FakeGitLab {
    base_url: String,
    state: Arc<Mutex<State>>,
    server: JoinHandle<()>,
}

impl Drop for FakeGitLab {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeGitLab {
    /// Starts the server on a free loopback port. Needs a Tokio runtime.
    ///
    /// # Panics
    /// When no loopback port can be bound (a broken test machine).
    pub async fn start() -> FakeGitLab {
        #[allow(
            clippy::expect_used,
            reason = "a test machine without loopback cannot run tests"
        )]
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        #[allow(clippy::expect_used, reason = "a bound listener has an address")]
        let addr = listener.local_addr().expect("the listener's address");
        let base_url = format!("http://{addr}");
        #[allow(
            clippy::expect_used,
            reason = "the address was just formatted from a socket"
        )]
        let base = url::Url::parse(&format!("{base_url}/")).expect("a loopback URL");
        let state = Arc::new(Mutex::new(State::new(base, TOKEN.to_owned())));
        let app = routes::router(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeGitLab {
            base_url,
            state,
            server,
        }
    }

    /// The instance's address, e.g. `http://127.0.0.1:41234` (the API is under `/api/v4`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token the fake accepts.
    pub fn token(&self) -> &'static str {
        TOKEN
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock has failed already; keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- seeding ----

    /// Adds a user (or returns the id of the existing one with that username).
    pub fn add_user(&self, username: &str, name: &str) -> u64 {
        self.state().add_user(username, name)
    }

    /// Registers an OAuth application (GitLab: Settings → Applications) that may send people
    /// back to `redirect_uri`.
    pub fn add_oauth_app(&self, client_id: &str, secret: &str, redirect_uri: &str) {
        self.state().oauth_apps.push(oauth::OAuthApp {
            client_id: client_id.to_owned(),
            secret: secret.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
        });
    }

    /// Says who is signed in to GitLab in the browser (`None`: nobody, so authorizing is
    /// refused). The user is added when unknown.
    pub fn sign_in_as(&self, username: Option<&str>) {
        let mut s = self.state();
        s.browser_user = username.map(|u| s.add_user(u, u));
    }

    /// How many authorization codes were exchanged for a token.
    pub fn codes_exchanged(&self) -> u32 {
        self.state().exchanged
    }

    /// Blocks a user: GitLab stops offering them as assignees and members.
    pub fn block_user(&self, username: &str) {
        let mut s = self.state();
        if let Some(u) = s.users.iter_mut().find(|u| u.username == username) {
            u.state = "blocked".to_owned();
        }
    }

    /// Adds a group (path such as `gitlab-com/support/support-ops`) with these members, who
    /// are added as users when unknown. Returns the group's id.
    pub fn add_group(&self, path: &str, members: &[&str]) -> u64 {
        let mut s = self.state();
        let members = members.iter().map(|m| s.add_user(m, m)).collect();
        let id = s.fresh_id();
        s.groups.push(Group {
            id,
            path: path.to_owned(),
            members,
        });
        id
    }

    /// Adds an empty project; returns its id.
    pub fn add_project(&self, path: &str) -> u64 {
        let mut s = self.state();
        if let Some(i) = s.project_index(path) {
            return s.projects[i].id;
        }
        let id = s.fresh_id();
        s.projects.push(Project {
            id,
            path: path.to_owned(),
            files: Default::default(),
            issues: Vec::new(),
            read_only: false,
        });
        id
    }

    /// Puts a file in the project's repository (default branch), e.g.
    /// `.gitlab/issue_templates/Feedback Review.md`. Adds the project if unknown.
    pub fn add_file(&self, project: &str, path: &str, content: &str) {
        self.add_project(project);
        let mut s = self.state();
        if let Some(i) = s.project_index(project) {
            s.projects[i]
                .files
                .insert(path.to_owned(), content.to_owned());
        }
    }

    /// Puts an issue template (`.gitlab/issue_templates/<name>.md`) in the project.
    pub fn add_template(&self, project: &str, name: &str, content: &str) {
        self.add_file(
            project,
            &format!(".gitlab/issue_templates/{name}.md"),
            content,
        );
    }

    /// Makes the token's user a Reporter of the project: reads work, writes get 403.
    pub fn make_read_only(&self, project: &str) {
        let mut s = self.state();
        if let Some(i) = s.project_index(project) {
            s.projects[i].read_only = true;
        }
    }

    /// Adds an issue as if someone had filed it; returns its iid. Adds the project if unknown.
    pub fn seed_issue(&self, project: &str, issue: SeedIssue) -> u64 {
        self.add_project(project);
        let mut s = self.state();
        let bot = s.bot;
        match s.project_index(project) {
            Some(p) => s.insert_issue(p, issue, bot),
            None => 0,
        }
    }

    /// Closes an issue, as a person would in GitLab.
    pub fn close_issue(&self, project: &str, iid: u64) {
        let mut s = self.state();
        let now = s.now();
        let Some(p) = s.project_index(project) else {
            return;
        };
        if let Some(issue) = s.projects[p].issues.iter_mut().find(|i| i.iid == iid) {
            issue.state = "closed".to_owned();
            issue.closed_at = Some(now);
            issue.updated_at = now;
            s.add_system_note(p, iid, "closed".to_owned());
        }
    }

    /// Caps `per_page`, so that a few items already span several pages.
    pub fn set_max_per_page(&self, n: usize) {
        self.state().max_per_page = n.max(1);
    }

    /// Chooses which pagination headers list answers carry.
    pub fn set_pagination_headers(&self, which: PaginationHeaders) {
        self.state().pagination = which;
    }

    /// Replaces real time by a clock that starts at `start` and moves `step` at each reading,
    /// so created and updated times are predictable.
    pub fn set_clock(&self, start: Timestamp, step: Duration) {
        self.state().clock = Some((start, step));
    }

    // ---- faults ----

    /// Makes the next `times` requests that match `when` meet `fault`. Rules are tried in the
    /// order they were added.
    pub fn fail(&self, when: Match, fault: Fault, times: u32) {
        self.state().faults.push(FaultRule {
            when,
            fault,
            remaining: times,
        });
    }

    /// Adds `latency` before every answer, so that a client can be stopped mid-request.
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    // ---- inspection ----

    /// Every mention GitLab would have notified, in the order written.
    pub fn mentions(&self) -> Vec<Mention> {
        self.state().mentions.clone()
    }

    /// The project's issues, in creation order.
    pub fn issues(&self, project: &str) -> Vec<FakeIssue> {
        let s = self.state();
        s.project_index(project)
            .map(|p| s.projects[p].issues.clone())
            .unwrap_or_default()
    }

    /// One issue.
    pub fn issue(&self, project: &str, iid: u64) -> Option<FakeIssue> {
        self.issues(project).into_iter().find(|i| i.iid == iid)
    }

    /// The comments on an issue (system notes left out), oldest first.
    pub fn comments(&self, project: &str, iid: u64) -> Vec<FakeNote> {
        self.issue(project, iid)
            .map(|i| i.notes.into_iter().filter(|n| !n.system).collect())
            .unwrap_or_default()
    }

    /// The known users.
    pub fn users(&self) -> Vec<FakeUser> {
        self.state().users.clone()
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state().log.clone()
    }

    /// The requests with this method whose path contains `path`.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<LoggedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.contains(path))
            .collect()
    }
}
