//! GitLab's JSON, as the REST API v4 sends it, and its conversion into the tracker port's
//! types. Only the fields supportops reads are declared; GitLab's others are ignored.

use jiff::Timestamp;
use serde::Deserialize;
use supportops_ports::{Issue, IssueState, Note, User};

/// A user, as in `GET /users`, a member list, an issue's assignees or a note's author.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireUser {
    pub id: u64,
    pub username: String,
    #[serde(default)]
    pub name: String,
    /// `active`, `blocked`, … (absent on some embedded user objects).
    #[serde(default)]
    pub state: Option<String>,
}

impl WireUser {
    /// Whether the user can be assigned issues (blocked and deactivated users cannot).
    pub fn is_active(&self) -> bool {
        self.state.as_deref().is_none_or(|s| s == "active")
    }

    pub fn into_user(self) -> User {
        User {
            id: self.id,
            username: self.username,
            name: self.name,
        }
    }
}

/// An issue, as in `GET /projects/:id/issues/:iid`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireIssue {
    pub iid: u64,
    pub web_url: String,
    pub title: String,
    /// `null` when the issue has no description.
    #[serde(default)]
    pub description: Option<String>,
    pub state: String,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub assignees: Vec<WireUser>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub closed_at: Option<Timestamp>,
}

/// An issue in GitLab's answer that the port cannot represent.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireIssueError {
    /// A state other than `opened` or `closed`.
    #[error("issue #{iid} has the unknown state `{state}`")]
    UnknownState {
        /// The issue's number.
        iid: u64,
        /// The state GitLab gave.
        state: String,
    },
}

impl WireIssue {
    /// The port's issue; `project` is the path the issue was asked for under.
    pub fn into_issue(self, project: &str) -> Result<Issue, WireIssueError> {
        let state = match self.state.as_str() {
            "opened" => IssueState::Opened,
            "closed" => IssueState::Closed,
            other => {
                return Err(WireIssueError::UnknownState {
                    iid: self.iid,
                    state: other.to_owned(),
                });
            }
        };
        Ok(Issue {
            project: project.to_owned(),
            iid: self.iid,
            web_url: self.web_url,
            title: self.title,
            description: self.description.unwrap_or_default(),
            state,
            labels: self.labels,
            assignees: self.assignees.into_iter().map(|u| u.username).collect(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
        })
    }
}

/// A note, as in `GET /projects/:id/issues/:iid/notes`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireNote {
    pub id: u64,
    pub body: String,
    pub author: WireUser,
    pub created_at: Timestamp,
    /// GitLab's own notes ("added ~label", "closed") are `system`; they are not comments.
    #[serde(default)]
    pub system: bool,
}

impl WireNote {
    pub fn into_note(self) -> Note {
        Note {
            id: self.id,
            body: self.body,
            author: self.author.username,
            created_at: self.created_at,
        }
    }
}

/// The body of a GitLab error answer: `{"message": …}` (a string, or an object of field
/// errors) or `{"error": "…"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireError {
    #[serde(default)]
    message: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
}

impl WireError {
    /// One line for a person.
    pub fn text(self) -> Option<String> {
        match (self.message, self.error) {
            (Some(serde_json::Value::String(s)), _) => Some(s),
            (Some(other), _) => Some(other.to_string()),
            (None, Some(e)) => Some(e),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn issue_without_description_or_assignees_reads() {
        let json = r#"{"id": 9, "iid": 3, "project_id": 7, "title": "t", "description": null,
            "state": "closed", "labels": ["a"], "web_url": "https://g/p/-/issues/3",
            "created_at": "2024-05-01T10:00:00.123Z", "updated_at": "2024-05-02T10:00:00+02:00",
            "closed_at": "2024-05-02T08:00:00.000Z", "author": {"id": 1, "username": "x"}}"#;
        let issue = serde_json::from_str::<WireIssue>(json)
            .unwrap()
            .into_issue("g/p")
            .unwrap();
        assert_eq!(issue.state, IssueState::Closed);
        assert_eq!(issue.description, "");
        assert_eq!(issue.project, "g/p");
        assert_eq!(issue.updated_at.to_string(), "2024-05-02T08:00:00Z");
    }

    #[test]
    fn unknown_state_is_refused() {
        let json = r#"{"iid": 3, "title": "t", "state": "locked", "web_url": "u",
            "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-01T10:00:00Z"}"#;
        let err = serde_json::from_str::<WireIssue>(json)
            .unwrap()
            .into_issue("g/p")
            .unwrap_err();
        assert_eq!(err.to_string(), "issue #3 has the unknown state `locked`");
    }

    #[test]
    fn error_bodies_become_one_line() {
        let text = |s: &str| serde_json::from_str::<WireError>(s).unwrap().text();
        assert_eq!(
            text(r#"{"message":"404 Project Not Found"}"#).as_deref(),
            Some("404 Project Not Found")
        );
        assert_eq!(
            text(r#"{"error":"title is missing"}"#).as_deref(),
            Some("title is missing")
        );
        assert_eq!(
            text(r#"{"message":{"title":["can't be blank"]}}"#).as_deref(),
            Some(r#"{"title":["can't be blank"]}"#)
        );
    }
}
