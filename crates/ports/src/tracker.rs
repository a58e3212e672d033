//! The tracker port: where Feedback Review, Support Shadowing and improvement issues live.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Whether an issue is open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueState {
    /// Open (GitLab calls it `opened`).
    Opened,
    /// Closed.
    Closed,
}

impl IssueState {
    /// GitLab's name for the state: `opened` or `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueState::Opened => "opened",
            IssueState::Closed => "closed",
        }
    }
}

/// A user known to the tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Numeric id (GitLab's user id; the local tracker numbers users itself).
    pub id: u64,
    /// The username, without `@`.
    pub username: String,
    /// Display name.
    pub name: String,
}

/// An issue as the tracker reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// The project path, e.g. `gitlab-com/support/support-ops/feedback-review`.
    pub project: String,
    /// The issue's number within its project.
    pub iid: u64,
    /// A link a person can open.
    pub web_url: String,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Open or closed.
    pub state: IssueState,
    /// Labels, including scoped ones such as `review-outcome::resolved`.
    pub labels: Vec<String>,
    /// Assignees' usernames.
    pub assignees: Vec<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// When it was closed, if it is closed.
    pub closed_at: Option<Timestamp>,
}

/// What to create.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NewIssue {
    /// Title.
    pub title: String,
    /// Description (Markdown; GitLab runs quick actions such as `/label ~x` in it).
    pub description: String,
    /// Labels to set.
    pub labels: Vec<String>,
    /// Usernames to assign.
    pub assignees: Vec<String>,
}

/// A comment on an issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Note id.
    pub id: u64,
    /// Markdown body.
    pub body: String,
    /// Author's username.
    pub author: String,
    /// When it was written.
    pub created_at: Timestamp,
}

/// Which issues to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueQuery {
    /// Only issues in this state.
    pub state: Option<IssueState>,
    /// Only issues carrying all of these labels.
    pub labels: Vec<String>,
    /// Only issues whose title or description contains this text.
    pub search: Option<String>,
    /// Only issues created at or after this time.
    pub created_after: Option<Timestamp>,
    /// Only issues updated at or after this time.
    pub updated_after: Option<Timestamp>,
    /// Only the issues with these numbers (GitLab's `iids[]`); empty for any.
    pub iids: Vec<u64>,
}

/// Why the tracker could not do what was asked. Each variant names what was refused.
#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    /// 401: the token is missing, wrong or expired.
    #[error("the tracker refused the token (401) for {what}; check the token in `{token_env}`")]
    Unauthorized {
        /// What was being done.
        what: String,
        /// The environment variable the token came from.
        token_env: String,
    },
    /// 403: the token lacks a permission.
    #[error(
        "the tracker forbade {what} (403); the token needs the `api` scope and access to the project"
    )]
    Forbidden {
        /// What was being done.
        what: String,
    },
    /// 404: no such project, issue, template or user.
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// Another refusal (4xx), with the tracker's message.
    #[error("the tracker refused {what} ({status}): {message}")]
    Rejected {
        /// What was being done.
        what: String,
        /// HTTP status.
        status: u16,
        /// The tracker's message.
        message: String,
    },
    /// Rate limits or server errors outlasted the retries.
    #[error("the tracker is unavailable for {what} after {attempts} attempts: {last}")]
    Unavailable {
        /// What was being done.
        what: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The network failed.
    #[error("cannot reach the tracker for {what}: {message}")]
    Network {
        /// What was being done.
        what: String,
        /// The transport's message.
        message: String,
    },
    /// The tracker answered something we cannot read.
    #[error("unexpected answer from the tracker for {what}: {message}")]
    Protocol {
        /// What was being done.
        what: String,
        /// What was wrong with the answer.
        message: String,
    },
    /// A request that changes something (creating an issue, adding a note) was sent but its
    /// answer never came: it may or may not have taken effect. It is not retried, since a retry
    /// could make a duplicate; the caller checks the tracker (e.g. searches for the issue's
    /// marker) before trying again.
    #[error("{what} may or may not have happened: {message}")]
    OutcomeUnknown {
        /// What was being done.
        what: String,
        /// Why no answer came.
        message: String,
    },
    /// A setting the tracker needs is unusable (e.g. `tracker.url` is not an http(s) URL).
    #[error("invalid setting `{key}` (`{value}`): {message}")]
    InvalidSetting {
        /// The config key or environment variable.
        key: String,
        /// The value given (never a secret).
        value: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The local tracker's store failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

/// The tracker: GitLab (REST API v4) or the local tracker kept in the store.
#[async_trait::async_trait]
pub trait Tracker: Send + Sync {
    /// A short description for messages, e.g. `local` or `gitlab at https://gitlab.com`.
    fn describe(&self) -> String;

    /// Whether its issues have web pages people can open (GitLab's do; the local tracker's,
    /// kept in the store, do not, so pages show their text instead).
    fn has_web_pages(&self) -> bool {
        true
    }

    /// The text of the project's issue template `name` (`.gitlab/issue_templates/<name>.md`),
    /// or `None` when the project has no such template.
    async fn read_template(
        &self,
        project: &str,
        name: &str,
    ) -> Result<Option<String>, TrackerError>;

    /// Looks up users by username; an unknown username is [`TrackerError::NotFound`].
    async fn resolve_users(&self, usernames: &[String]) -> Result<Vec<User>, TrackerError>;

    /// The members of a group, e.g. `gitlab-com/support/support-ops`.
    async fn group_members(&self, group: &str) -> Result<Vec<User>, TrackerError>;

    /// Creates an issue.
    async fn create_issue(&self, project: &str, issue: &NewIssue) -> Result<Issue, TrackerError>;

    /// Reads one issue.
    async fn issue(&self, project: &str, iid: u64) -> Result<Issue, TrackerError>;

    /// Lists issues matching the query, following pagination to the end.
    async fn list_issues(
        &self,
        project: &str,
        query: &IssueQuery,
    ) -> Result<Vec<Issue>, TrackerError>;

    /// Adds a comment.
    async fn add_note(&self, project: &str, iid: u64, body: &str) -> Result<Note, TrackerError>;

    /// The comments of an issue, oldest first.
    async fn notes(&self, project: &str, iid: u64) -> Result<Vec<Note>, TrackerError>;

    /// Adds and removes labels.
    async fn update_labels(
        &self,
        project: &str,
        iid: u64,
        add: &[String],
        remove: &[String],
    ) -> Result<Issue, TrackerError>;

    /// Replaces an issue's description. Trackers that cannot refuse with
    /// [`TrackerError::Rejected`].
    async fn edit_description(
        &self,
        project: &str,
        iid: u64,
        description: &str,
    ) -> Result<Issue, TrackerError> {
        let _ = description;
        Err(TrackerError::Rejected {
            what: format!("editing the description of issue #{iid} of `{project}`"),
            status: 405,
            message: format!("{} cannot edit descriptions", self.describe()),
        })
    }

    /// Closes or reopens an issue.
    async fn set_state(
        &self,
        project: &str,
        iid: u64,
        state: IssueState,
    ) -> Result<Issue, TrackerError>;

    /// The issues of `project` whose description carries the hidden marker `marker`
    /// (`<!-- supportops:… -->`, whole), from an index the tracker keeps; `None` when it keeps
    /// none, and callers search or list instead (GitLab).
    async fn marked_issues(
        &self,
        _project: &str,
        _marker: &str,
    ) -> Result<Option<Vec<Issue>>, TrackerError> {
        Ok(None)
    }
}
