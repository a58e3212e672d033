//! [`GitLab`]: the tracker port over GitLab's REST API v4, one small function per endpoint.
//!
//! | port method | endpoint |
//! | --- | --- |
//! | `read_template` | `GET /projects/:id/repository/files/.gitlab%2Fissue_templates%2F<name>.md/raw?ref=HEAD` |
//! | `resolve_users` | `GET /users?username=<name>` (one per username) |
//! | `group_members` | `GET /groups/:id/members/all` |
//! | `create_issue` | `POST /projects/:id/issues` (`assignee_ids`, comma-joined `labels`) |
//! | `issue` | `GET /projects/:id/issues/:iid` |
//! | `list_issues` | `GET /projects/:id/issues` (`state`, `labels`, `search`, `created_after`, `updated_after`) |
//! | `add_note`, `notes` | `POST`, `GET /projects/:id/issues/:iid/notes` |
//! | `update_labels`, `set_state`, `edit_description` | `PUT /projects/:id/issues/:iid` (`add_labels`, `remove_labels`, `state_event`, `description`) |

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::json;
use supportops_ports::{
    Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User,
};
use url::Url;

use crate::client::{Client, Failure, Op, Replay};
use crate::retry::RetryPolicy;
use crate::wire::{WireIssue, WireNote, WireUser};

/// How to reach a GitLab instance.
#[derive(Debug, Clone)]
pub struct GitLabOptions {
    /// GitLab's address, e.g. `https://gitlab.com` (an address already ending in `/api/v4` is
    /// accepted too).
    pub base_url: String,
    /// The access token (needs the `api` scope), sent as `PRIVATE-TOKEN`; never logged.
    pub token: SecretString,
    /// The environment variable the token came from, named in errors.
    pub token_env: String,
    /// How long one request may take.
    pub timeout: Duration,
    /// How many times a rate-limited (429), failed (5xx) or timed-out request is retried.
    pub max_retries: u32,
}

/// The GitLab tracker (REST API v4).
///
/// Reads are retried: a 429 after its `Retry-After` (seconds or an HTTP date; a wait longer
/// than two minutes fails at once), a 5xx or a timeout after a capped exponential backoff
/// (1 s, 2 s, 4 s, … at most 30 s), up to `max_retries` times. 401, 403 and 404 fail at once,
/// naming what was refused.
///
/// [`Tracker::create_issue`] and [`Tracker::add_note`] are never sent twice once they may have
/// reached GitLab: a timeout or a 5xx there is [`TrackerError::OutcomeUnknown`]. The caller
/// decides whether the issue exists, e.g. by searching for the hidden marker it wrote in the
/// description, before creating again.
#[derive(Debug)]
pub struct GitLab {
    client: Client,
    base_url: String,
    /// Usernames already resolved to users, so a run resolves each assignee once.
    users: Mutex<HashMap<String, User>>,
}

impl GitLab {
    /// Connects nothing yet: checks the options and builds the HTTP client.
    ///
    /// Fails with [`TrackerError::InvalidSetting`] when `base_url` is not an http(s) URL or
    /// the token is empty.
    pub fn new(options: GitLabOptions) -> Result<GitLab, TrackerError> {
        let api = api_root(&options.base_url)?;
        let policy = RetryPolicy {
            max_retries: options.max_retries,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        };
        let client = Client::new(
            api,
            &options.token,
            &options.token_env,
            options.timeout,
            policy,
        )?;
        Ok(GitLab {
            client,
            base_url: options.base_url.trim_end_matches('/').to_owned(),
            users: Mutex::new(HashMap::new()),
        })
    }

    /// Sets the backoff between retries of 5xx answers and timeouts: `first`, doubling, at most
    /// `max` (defaults: 1 s and 30 s).
    pub fn with_backoff(mut self, first: Duration, max: Duration) -> GitLab {
        self.client.policy.first_backoff = first;
        self.client.policy.max_backoff = max;
        self
    }

    fn project_url(&self, project: &str, rest: &[&str]) -> Url {
        let mut segments = vec!["projects", project];
        segments.extend_from_slice(rest);
        self.client.url(&segments)
    }

    fn issue_url(&self, project: &str, iid: u64, rest: &[&str]) -> Url {
        let iid = iid.to_string();
        let mut segments = vec!["issues", iid.as_str()];
        segments.extend_from_slice(rest);
        self.project_url(project, &segments)
    }

    async fn user_by_username(&self, username: &str) -> Result<User, TrackerError> {
        let key = username.trim_start_matches('@').to_lowercase();
        if let Some(user) = self.cached_user(&key) {
            return Ok(user);
        }
        let op = Op::new(
            format!("looking up the user `{username}`"),
            format!("user `{username}`"),
        );
        let found: Vec<WireUser> = self
            .client
            .get_json(
                &op,
                self.client.url(&["users"]),
                &[("username", key.clone())],
            )
            .await?;
        let user = found
            .into_iter()
            .find(|u| u.username.eq_ignore_ascii_case(&key))
            .ok_or_else(|| TrackerError::NotFound {
                what: format!("user `{username}` (check the username in `review.assignees`)"),
            })?
            .into_user();
        if let Ok(mut cache) = self.users.lock() {
            cache.insert(key, user.clone());
        }
        Ok(user)
    }

    fn cached_user(&self, key: &str) -> Option<User> {
        self.users.lock().ok()?.get(key).cloned()
    }

    async fn put_issue(
        &self,
        op: &Op,
        project: &str,
        iid: u64,
        body: serde_json::Value,
    ) -> Result<Issue, TrackerError> {
        let url = self.issue_url(project, iid, &[]);
        let wire: WireIssue = self
            .client
            .send_json(op, Method::PUT, Replay::Safe, url, &body)
            .await?;
        to_issue(op, wire, project)
    }
}

/// `https://gitlab.example.com/sub` → `https://gitlab.example.com/sub/api/v4/`.
fn api_root(base_url: &str) -> Result<Url, TrackerError> {
    let invalid = |message: String| TrackerError::InvalidSetting {
        key: "tracker.url".to_owned(),
        value: base_url.to_owned(),
        message,
    };
    let mut url = Url::parse(base_url.trim()).map_err(|e| {
        invalid(format!(
            "not a URL ({e}); write it like `https://gitlab.com`"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(invalid(
            "not an http(s) address; write it like `https://gitlab.com`".to_owned(),
        ));
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/').to_owned();
    let path = path.strip_suffix("/api/v4").unwrap_or(&path);
    url.set_path(&format!("{path}/api/v4/"));
    Ok(url)
}

fn to_issue(op: &Op, wire: WireIssue, project: &str) -> Result<Issue, TrackerError> {
    wire.into_issue(project)
        .map_err(|e| TrackerError::Protocol {
            what: op.doing.clone(),
            message: e.to_string(),
        })
}

fn comma_joined(what: &str, labels: &[String]) -> Result<String, TrackerError> {
    if let Some(bad) = labels.iter().find(|l| l.contains(',')) {
        return Err(TrackerError::Rejected {
            what: what.to_owned(),
            status: 400,
            message: format!(
                "the label `{bad}` holds a comma, which GitLab reads as a separator; rename the label"
            ),
        });
    }
    Ok(labels.join(","))
}

#[async_trait::async_trait]
impl Tracker for GitLab {
    fn describe(&self) -> String {
        format!("gitlab at {}", self.base_url)
    }

    async fn read_template(
        &self,
        project: &str,
        name: &str,
    ) -> Result<Option<String>, TrackerError> {
        let file = format!(".gitlab/issue_templates/{name}.md");
        let op = Op::new(
            format!("reading the issue template `{name}` of `{project}`"),
            format!("project `{project}`"),
        );
        let url = self.project_url(project, &["repository", "files", &file, "raw"]);
        let sent = self
            .client
            .send_raw(&op, Replay::Safe, &|http| {
                http.get(url.clone()).query(&[("ref", "HEAD")])
            })
            .await;
        let resp = match sent {
            Ok(resp) => resp,
            // A missing file is an answer; a missing project is an error.
            Err(Failure::Refused {
                status: StatusCode::NOT_FOUND,
                message,
                ..
            }) if !message.contains("Project Not Found") => return Ok(None),
            Err(failure) => return Err(self.client.phrase(&op, failure)),
        };
        let bytes = resp.bytes().await.map_err(|e| TrackerError::Network {
            what: op.doing.clone(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| TrackerError::Protocol {
            what: op.doing.clone(),
            message: format!("`{file}` is not UTF-8 text"),
        })?;
        Ok(Some(text.trim_start_matches('\u{feff}').to_owned()))
    }

    async fn resolve_users(&self, usernames: &[String]) -> Result<Vec<User>, TrackerError> {
        let mut users = Vec::with_capacity(usernames.len());
        for username in usernames {
            users.push(self.user_by_username(username).await?);
        }
        Ok(users)
    }

    async fn group_members(&self, group: &str) -> Result<Vec<User>, TrackerError> {
        let op = Op::new(
            format!("listing the members of the group `{group}`"),
            format!("group `{group}`"),
        );
        let url = self.client.url(&["groups", group, "members", "all"]);
        let members: Vec<WireUser> = self.client.get_all(&op, url, &[]).await?;
        let mut seen = std::collections::HashSet::new();
        Ok(members
            .into_iter()
            .filter(|m| m.is_active() && seen.insert(m.id))
            .map(WireUser::into_user)
            .collect())
    }

    async fn create_issue(&self, project: &str, issue: &NewIssue) -> Result<Issue, TrackerError> {
        let op = Op::new(
            format!("creating the issue `{}` in `{project}`", issue.title),
            format!("project `{project}`"),
        );
        let assignees = self.resolve_users(&issue.assignees).await?;
        let mut body = json!({
            "title": issue.title,
            "description": issue.description,
        });
        if !issue.labels.is_empty() {
            body["labels"] = json!(comma_joined(&op.doing, &issue.labels)?);
        }
        if !assignees.is_empty() {
            body["assignee_ids"] = json!(assignees.iter().map(|u| u.id).collect::<Vec<_>>());
        }
        let url = self.project_url(project, &["issues"]);
        let wire: WireIssue = self
            .client
            .send_json(&op, Method::POST, Replay::Never, url, &body)
            .await?;
        to_issue(&op, wire, project)
    }

    async fn issue(&self, project: &str, iid: u64) -> Result<Issue, TrackerError> {
        let op = Op::new(
            format!("reading the issue #{iid} of `{project}`"),
            format!("issue #{iid} of `{project}`"),
        );
        let wire: WireIssue = self
            .client
            .get_json(&op, self.issue_url(project, iid, &[]), &[])
            .await?;
        to_issue(&op, wire, project)
    }

    async fn list_issues(
        &self,
        project: &str,
        query: &IssueQuery,
    ) -> Result<Vec<Issue>, TrackerError> {
        let op = Op::new(
            format!("listing the issues of `{project}`"),
            format!("project `{project}`"),
        );
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(state) = query.state {
            params.push(("state", state.as_str().to_owned()));
        }
        if !query.labels.is_empty() {
            params.push(("labels", comma_joined(&op.doing, &query.labels)?));
        }
        if let Some(search) = query.search.as_deref().filter(|s| !s.trim().is_empty()) {
            params.push(("search", search.to_owned()));
        }
        if let Some(t) = query.created_after {
            params.push(("created_after", t.to_string()));
        }
        if let Some(t) = query.updated_after {
            params.push(("updated_after", t.to_string()));
        }
        for iid in &query.iids {
            params.push(("iids[]", iid.to_string()));
        }
        params.push(("order_by", "created_at".to_owned()));
        params.push(("sort", "asc".to_owned()));
        let url = self.project_url(project, &["issues"]);
        let wire: Vec<WireIssue> = self.client.get_all(&op, url, &params).await?;
        let mut issues = wire
            .into_iter()
            .map(|w| to_issue(&op, w, project))
            .collect::<Result<Vec<_>, _>>()?;
        // GitLab's search matches words anywhere; the port promises the text itself.
        if let Some(search) = query.search.as_deref().filter(|s| !s.trim().is_empty()) {
            let needle = search.to_lowercase();
            issues.retain(|i| {
                i.title.to_lowercase().contains(&needle)
                    || i.description.to_lowercase().contains(&needle)
            });
        }
        Ok(issues)
    }

    async fn add_note(&self, project: &str, iid: u64, body: &str) -> Result<Note, TrackerError> {
        let op = Op::new(
            format!("adding a note to the issue #{iid} of `{project}`"),
            format!("issue #{iid} of `{project}`"),
        );
        let url = self.issue_url(project, iid, &["notes"]);
        let wire: WireNote = self
            .client
            .send_json(
                &op,
                Method::POST,
                Replay::Never,
                url,
                &json!({ "body": body }),
            )
            .await?;
        Ok(wire.into_note())
    }

    async fn notes(&self, project: &str, iid: u64) -> Result<Vec<Note>, TrackerError> {
        let op = Op::new(
            format!("listing the notes of the issue #{iid} of `{project}`"),
            format!("issue #{iid} of `{project}`"),
        );
        let url = self.issue_url(project, iid, &["notes"]);
        let params = [
            ("sort", "asc".to_owned()),
            ("order_by", "created_at".to_owned()),
        ];
        let wire: Vec<WireNote> = self.client.get_all(&op, url, &params).await?;
        Ok(wire
            .into_iter()
            .filter(|n| !n.system)
            .map(WireNote::into_note)
            .collect())
    }

    async fn update_labels(
        &self,
        project: &str,
        iid: u64,
        add: &[String],
        remove: &[String],
    ) -> Result<Issue, TrackerError> {
        let op = Op::new(
            format!("changing the labels of the issue #{iid} of `{project}`"),
            format!("issue #{iid} of `{project}`"),
        );
        // GitLab refuses an edit that changes nothing (400): send only what there is.
        let mut body = serde_json::Map::new();
        if !add.is_empty() {
            body.insert("add_labels".into(), json!(comma_joined(&op.doing, add)?));
        }
        if !remove.is_empty() {
            body.insert(
                "remove_labels".into(),
                json!(comma_joined(&op.doing, remove)?),
            );
        }
        if body.is_empty() {
            return self.issue(project, iid).await;
        }
        self.put_issue(&op, project, iid, body.into()).await
    }

    async fn edit_description(
        &self,
        project: &str,
        iid: u64,
        description: &str,
    ) -> Result<Issue, TrackerError> {
        let op = Op::new(
            format!("editing the description of the issue #{iid} of `{project}`"),
            format!("issue #{iid} of `{project}`"),
        );
        self.put_issue(&op, project, iid, json!({ "description": description }))
            .await
    }

    async fn set_state(
        &self,
        project: &str,
        iid: u64,
        state: IssueState,
    ) -> Result<Issue, TrackerError> {
        let (verb, event) = match state {
            IssueState::Opened => ("reopening", "reopen"),
            IssueState::Closed => ("closing", "close"),
        };
        let op = Op::new(
            format!("{verb} the issue #{iid} of `{project}`"),
            format!("issue #{iid} of `{project}`"),
        );
        self.put_issue(&op, project, iid, json!({ "state_event": event }))
            .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn api_root_accepts_the_forms_people_write() {
        let root = |s: &str| api_root(s).unwrap().to_string();
        assert_eq!(root("https://gitlab.com"), "https://gitlab.com/api/v4/");
        assert_eq!(root("https://gitlab.com/"), "https://gitlab.com/api/v4/");
        assert_eq!(
            root("https://gitlab.com/api/v4"),
            "https://gitlab.com/api/v4/"
        );
        assert_eq!(
            root("https://example.org/gitlab/"),
            "https://example.org/gitlab/api/v4/"
        );
        assert_eq!(
            root("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/api/v4/"
        );
    }

    #[test]
    fn api_root_refuses_what_is_not_an_http_address() {
        for bad in ["gitlab.com", "ftp://gitlab.com", "mailto:a@b"] {
            let err = api_root(bad).unwrap_err();
            assert!(
                matches!(&err, TrackerError::InvalidSetting { key, .. } if key == "tracker.url"),
                "{bad}: {err}"
            );
        }
        insta::assert_snapshot!(
            api_root("gitlab.com").unwrap_err(),
            @"invalid setting `tracker.url` (`gitlab.com`): not a URL (relative URL without a base); write it like `https://gitlab.com`"
        );
    }
}
