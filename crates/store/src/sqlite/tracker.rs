//! The local tracker: issues, notes, labels, assignees and states kept in the store, so the whole
//! product works with no GitLab. It behaves like a GitLab project where it matters to callers:
//! issue numbers (`iid`) count up per project, links read `local://PROJECT/-/issues/N`, searches
//! look into titles and descriptions (so hidden markers are found), and the quick actions
//! `/label`, `/unlabel`, `/assign`, `/unassign`, `/close` and `/reopen` on their own line in a
//! description or note are applied and removed, as GitLab does. Hidden markers are indexed
//! (`local_issue_markers`), so finding an issue by its marker is an indexed lookup.
//!
//! Issue templates come from [`LocalTracker::with_template`], else built-in texts for
//! `Feedback Review` and `Support Shadowing`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use sqlx::pool::PoolConnection;
use sqlx::{Any, Row as _};
use supportops_ports::tracker::{
    Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User,
};
use supportops_ports::{Clock, StoreError};

use super::codec::{
    list_from_text, list_to_text, second_text, time_from_text, time_to_text, to_i64, to_u64,
};
use super::{SqliteStore, query_err};

/// The local issue listing, as a literal so that filters can be appended with `concat!`.
macro_rules! select_issues {
    () => {
        "SELECT id, project, iid, title, description, state, labels, assignees, created_at, \
         updated_at, closed_at FROM local_issues"
    };
}

/// The built-in Support Shadowing template, used when none is configured. `{{ details }}` is
/// where the filled-in issue places the session: who shadows whom, when in both time zones,
/// and the managers asked for help (without it, that section would come first and this
/// template's `## Session` would stand empty below it).
pub const SHADOWING_TEMPLATE: &str = "\
## Session

{{ details }}

## What we saw

<!-- Where did Zendesk or GitLab slow the engineer down? What did they work around? -->

## Improvements

<!-- File each improvement with `supportops shadow improve`: it links back to this issue. -->
";

/// The author of notes written through the local tracker.
const AUTHOR: &str = "supportops";

/// The tracker kept in the store. Cheap to clone.
#[derive(Clone)]
pub struct LocalTracker {
    store: SqliteStore,
    templates: BTreeMap<String, String>,
    clock: Clock,
}

impl std::fmt::Debug for LocalTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalTracker")
            .field("store", &self.store.url())
            .field("templates", &self.templates.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl LocalTracker {
    /// A local tracker over `store`, stamping changes with the system clock.
    pub fn new(store: SqliteStore) -> LocalTracker {
        LocalTracker {
            store,
            templates: BTreeMap::new(),
            clock: Clock::system(),
        }
    }

    /// Uses `text` as the issue template `name` in every project.
    pub fn with_template(mut self, name: &str, text: impl Into<String>) -> LocalTracker {
        self.templates.insert(name.to_owned(), text.into());
        self
    }

    /// Stamps changes with `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: impl Into<Clock>) -> LocalTracker {
        self.clock = clock.into();
        self
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A connection from the store's pool, for reads that take more than one query.
    async fn connection(&self) -> Result<PoolConnection<Any>, TrackerError> {
        Ok(self
            .store
            .pool()
            .acquire()
            .await
            .map_err(query_err("reading the local tracker"))?)
    }
}

/// Reads an issue and its row id.
async fn find(
    conn: &mut AnyConnection,
    project: &str,
    iid: u64,
) -> Result<(i64, Issue), TrackerError> {
    let row = sqlx::query(concat!(
        select_issues!(),
        " WHERE project = $1 AND iid = $2"
    ))
    .bind(project)
    .bind(to_i64(iid))
    .fetch_optional(&mut *conn)
    .await
    .map_err(query_err("reading a local issue"))?;
    match row {
        Some(row) => {
            let id: i64 = row
                .try_get("id")
                .map_err(query_err("reading a local issue"))?;
            Ok((id, read_issue(&row)?))
        }
        None => Err(TrackerError::NotFound {
            what: format!("issue #{iid} in local project `{project}`"),
        }),
    }
}

/// Writes an issue's labels, assignees and state back, stamped `at`.
async fn save(
    conn: &mut AnyConnection,
    id: i64,
    issue: &Issue,
    at: Timestamp,
) -> Result<(), TrackerError> {
    sqlx::query(
        "UPDATE local_issues SET labels = $2, assignees = $3, state = $4, closed_at = $5, \
         updated_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(list_to_text(&issue.labels))
    .bind(list_to_text(&issue.assignees))
    .bind(issue.state.as_str())
    .bind(issue.closed_at.map(time_to_text))
    .bind(time_to_text(at))
    .execute(&mut *conn)
    .await
    .map_err(query_err("updating a local issue"))?;
    Ok(())
}

/// Every hidden marker in a text that the local tracker indexes
/// ([`supportops_domain::markers::naming_markers`]).
fn markers(text: &str) -> Vec<&str> {
    supportops_domain::markers::naming_markers(text)
}

/// Replaces the marker index of issue row `id` with the markers of `description`.
async fn index_markers(
    conn: &mut AnyConnection,
    id: i64,
    description: &str,
) -> Result<(), TrackerError> {
    let doing = "indexing the markers of a local issue";
    sqlx::query("DELETE FROM local_issue_markers WHERE issue_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(query_err(doing))?;
    for marker in markers(description) {
        sqlx::query(
            "INSERT INTO local_issue_markers (issue_id, marker) VALUES ($1, $2) \
             ON CONFLICT (issue_id, marker) DO NOTHING",
        )
        .bind(id)
        .bind(marker)
        .execute(&mut *conn)
        .await
        .map_err(query_err(doing))?;
    }
    Ok(())
}

/// Records users the local tracker has not seen yet; returns them all.
async fn ensure_users(
    conn: &mut AnyConnection,
    usernames: &[String],
) -> Result<Vec<User>, TrackerError> {
    let doing = "recording local users";
    let mut users = Vec::with_capacity(usernames.len());
    for raw in usernames {
        let username = raw.trim().trim_start_matches('@');
        if username.is_empty() || username.contains(char::is_whitespace) {
            return Err(TrackerError::NotFound {
                what: format!("user `{raw}` (a username has no spaces)"),
            });
        }
        sqlx::query(
            "INSERT INTO local_users (username, name) VALUES ($1, $1) \
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(username)
        .execute(&mut *conn)
        .await
        .map_err(query_err(doing))?;
        let row = sqlx::query("SELECT id, username, name FROM local_users WHERE username = $1")
            .bind(username)
            .fetch_one(&mut *conn)
            .await
            .map_err(query_err(doing))?;
        let get = query_err(doing);
        users.push(User {
            id: to_u64(row.try_get("id").map_err(&get)?),
            username: row.try_get("username").map_err(&get)?,
            name: row.try_get("name").map_err(&get)?,
        });
    }
    Ok(users)
}

fn read_issue(row: &AnyRow) -> Result<Issue, StoreError> {
    let get = query_err("reading a local issue");
    let project: String = row.try_get("project").map_err(&get)?;
    let iid = to_u64(row.try_get("iid").map_err(&get)?);
    let state: String = row.try_get("state").map_err(&get)?;
    let closed_at: Option<String> = row.try_get("closed_at").map_err(&get)?;
    Ok(Issue {
        web_url: web_url(&project, iid),
        project,
        iid,
        title: row.try_get("title").map_err(&get)?,
        description: row.try_get("description").map_err(&get)?,
        state: if state == IssueState::Closed.as_str() {
            IssueState::Closed
        } else {
            IssueState::Opened
        },
        labels: list_from_text(row.try_get("labels").map_err(&get)?)?,
        assignees: list_from_text(row.try_get("assignees").map_err(&get)?)?,
        created_at: time_from_text(row.try_get::<&str, _>("created_at").map_err(&get)?)?,
        updated_at: time_from_text(row.try_get::<&str, _>("updated_at").map_err(&get)?)?,
        closed_at: closed_at.as_deref().map(time_from_text).transpose()?,
    })
}

/// The link of a local issue.
pub fn web_url(project: &str, iid: u64) -> String {
    format!("local://{project}/-/issues/{iid}")
}

/// A quick action found on its own line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum QuickAction {
    Label(Vec<String>),
    Unlabel(Vec<String>),
    Assign(Vec<String>),
    Unassign(Vec<String>),
    Close,
    Reopen,
}

/// Splits the quick actions the local tracker understands out of a text, as GitLab does:
/// each on its own line, outside code fences. Other lines, including unknown commands, stay.
fn quick_actions(text: &str) -> (String, Vec<QuickAction>) {
    let mut kept: Vec<&str> = Vec::new();
    let mut actions = Vec::new();
    let mut in_fence = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if trimmed.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let action = if in_fence {
            None
        } else {
            parse_quick_action(trimmed)
        };
        match action {
            Some(a) => actions.push(a),
            None => kept.push(line),
        }
    }
    (kept.concat(), actions)
}

fn parse_quick_action(line: &str) -> Option<QuickAction> {
    let rest = line.strip_prefix('/')?;
    let (command, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let names = |sigil: char| -> Vec<String> {
        tokens(args)
            .into_iter()
            .map(|t| t.strip_prefix(sigil).unwrap_or(&t).to_owned())
            .filter(|t| !t.is_empty())
            .collect()
    };
    match command {
        "label" | "labels" => Some(QuickAction::Label(names('~'))),
        "unlabel" | "remove_label" => Some(QuickAction::Unlabel(names('~'))),
        "assign" => Some(QuickAction::Assign(names('@'))),
        "unassign" => Some(QuickAction::Unassign(names('@'))),
        "close" if args.trim().is_empty() => Some(QuickAction::Close),
        "reopen" if args.trim().is_empty() => Some(QuickAction::Reopen),
        _ => None,
    }
}

/// Splits quick-action arguments on spaces, keeping `~"two words"` together (quotes removed).
fn tokens(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in args.chars() {
        match ch {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Applies quick actions to an issue. Returns the usernames newly assigned.
fn apply(issue: &mut Issue, actions: Vec<QuickAction>, at: Timestamp) -> Vec<String> {
    let mut assigned = Vec::new();
    for action in actions {
        match action {
            QuickAction::Label(labels) => add_all(&mut issue.labels, labels),
            QuickAction::Unlabel(labels) if labels.is_empty() => issue.labels.clear(),
            QuickAction::Unlabel(labels) => issue.labels.retain(|l| !labels.contains(l)),
            QuickAction::Assign(users) => {
                assigned.extend(users.iter().cloned());
                add_all(&mut issue.assignees, users);
            }
            QuickAction::Unassign(users) if users.is_empty() => issue.assignees.clear(),
            QuickAction::Unassign(users) => issue.assignees.retain(|u| !users.contains(u)),
            QuickAction::Close => {
                if issue.state != IssueState::Closed {
                    issue.state = IssueState::Closed;
                    issue.closed_at = Some(at);
                }
            }
            QuickAction::Reopen => {
                issue.state = IssueState::Opened;
                issue.closed_at = None;
            }
        }
    }
    assigned
}

/// Adds labels, replacing another label of the same scope (`a::b` replaces `a::c`), as GitLab
/// does for scoped labels.
fn add_all(list: &mut Vec<String>, new: Vec<String>) {
    for item in new {
        if let Some((scope, _)) = item.rsplit_once("::") {
            let prefix = format!("{scope}::");
            list.retain(|l| !(l.starts_with(&prefix) && l[prefix.len()..].find("::").is_none()));
        }
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

fn clean_usernames(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = n.trim().trim_start_matches('@').to_owned();
        if !n.is_empty() && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

#[async_trait::async_trait]
impl Tracker for LocalTracker {
    fn describe(&self) -> String {
        "local tracker".into()
    }

    fn has_web_pages(&self) -> bool {
        false
    }

    async fn read_template(
        &self,
        _project: &str,
        name: &str,
    ) -> Result<Option<String>, TrackerError> {
        if let Some(text) = self.templates.get(name) {
            return Ok(Some(text.clone()));
        }
        Ok(match name {
            "Feedback Review" => Some(supportops_domain::review::BUILTIN_TEMPLATE.to_owned()),
            "Support Shadowing" => Some(SHADOWING_TEMPLATE.to_owned()),
            _ => None,
        })
    }

    async fn resolve_users(&self, usernames: &[String]) -> Result<Vec<User>, TrackerError> {
        let doing = "recording local users";
        let mut tx = self.store.begin_write(doing).await?;
        let users = ensure_users(&mut tx, usernames).await?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(users)
    }

    async fn group_members(&self, group: &str) -> Result<Vec<User>, TrackerError> {
        Err(TrackerError::NotFound {
            what: format!(
                "group `{group}`: the local tracker has no groups; list usernames in \
                 `review.assignees` instead"
            ),
        })
    }

    async fn create_issue(&self, project: &str, new: &NewIssue) -> Result<Issue, TrackerError> {
        let now = self.now();
        let (description, actions) = quick_actions(&new.description);
        let mut issue = Issue {
            project: project.to_owned(),
            iid: 0,
            web_url: String::new(),
            title: new.title.clone(),
            description,
            state: IssueState::Opened,
            labels: Vec::new(),
            assignees: clean_usernames(&new.assignees),
            created_at: now,
            updated_at: now,
            closed_at: None,
        };
        add_all(&mut issue.labels, new.labels.clone());
        apply(&mut issue, actions, now);
        issue.assignees = clean_usernames(&issue.assignees);
        let doing = "creating a local issue";
        let mut tx = self.store.begin_write(doing).await?;
        ensure_users(&mut tx, &issue.assignees).await?;
        let (id, iid): (i64, i64) = sqlx::query_as(
            "INSERT INTO local_issues (project, iid, title, description, state, labels, \
             assignees, created_at, updated_at, closed_at) \
             SELECT $1, COALESCE(MAX(iid), 0) + 1, $2, $3, $4, $5, $6, $7, $7, $8 \
             FROM local_issues WHERE project = $1 RETURNING id, iid",
        )
        .bind(project)
        .bind(&issue.title)
        .bind(&issue.description)
        .bind(issue.state.as_str())
        .bind(list_to_text(&issue.labels))
        .bind(list_to_text(&issue.assignees))
        .bind(time_to_text(now))
        .bind(issue.closed_at.map(time_to_text))
        .fetch_one(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        index_markers(&mut tx, id, &issue.description).await?;
        tx.commit().await.map_err(query_err(doing))?;
        issue.iid = to_u64(iid);
        issue.web_url = web_url(project, issue.iid);
        Ok(issue)
    }

    async fn issue(&self, project: &str, iid: u64) -> Result<Issue, TrackerError> {
        let mut conn = self.connection().await?;
        Ok(find(&mut conn, project, iid).await?.1)
    }

    async fn list_issues(
        &self,
        project: &str,
        query: &IssueQuery,
    ) -> Result<Vec<Issue>, TrackerError> {
        // Numbers, state and times (to the second, in an index range: the agenda asks for the
        // issues closed since the last monthly sync) are filtered in SQL (a page of the Reviews
        // list asks for its issues by number); the rest, and times exactly, on the rows read.
        let mut select =
            sqlx::QueryBuilder::<Any>::new(concat!(select_issues!(), " WHERE project = "));
        select.push_bind(project);
        if let Some(state) = query.state {
            select.push(" AND state = ").push_bind(state.as_str());
        }
        if let Some(t) = query.created_after {
            select.push(" AND created_at >= ").push_bind(second_text(t));
        }
        if let Some(t) = query.updated_after {
            select.push(" AND updated_at >= ").push_bind(second_text(t));
        }
        if !query.iids.is_empty() {
            select.push(" AND iid IN (");
            let mut list = select.separated(", ");
            for iid in &query.iids {
                list.push_bind(to_i64(*iid));
            }
            list.push_unseparated(")");
        }
        if query.created_after.is_some() || query.updated_after.is_some() {
            // Read the time index's range, then sort: in number order, the planner may walk
            // every issue of the project instead.
            select.push(" ORDER BY iid + 0");
        } else {
            select.push(" ORDER BY iid");
        }
        let rows = super::numbered::numbered(&mut select, self.store.backend())?
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(query_err("listing local issues"))?;
        let needle = query.search.as_deref().map(str::to_lowercase);
        let mut out = Vec::new();
        for row in &rows {
            let issue = read_issue(row)?;
            let keep = query.state.is_none_or(|s| issue.state == s)
                && query.labels.iter().all(|l| issue.labels.contains(l))
                && needle.as_deref().is_none_or(|n| {
                    issue.title.to_lowercase().contains(n)
                        || issue.description.to_lowercase().contains(n)
                })
                && query.created_after.is_none_or(|t| issue.created_at >= t)
                && query.updated_after.is_none_or(|t| issue.updated_at >= t)
                && (query.iids.is_empty() || query.iids.contains(&issue.iid));
            if keep {
                out.push(issue);
            }
        }
        Ok(out)
    }

    /// An indexed lookup in `local_issue_markers`.
    async fn marked_issues(
        &self,
        project: &str,
        marker: &str,
    ) -> Result<Option<Vec<Issue>>, TrackerError> {
        let rows = sqlx::query(concat!(
            select_issues!(),
            " WHERE project = $1 AND id IN \
             (SELECT issue_id FROM local_issue_markers WHERE marker = $2) ORDER BY iid"
        ))
        .bind(project)
        .bind(marker)
        .fetch_all(self.store.pool())
        .await
        .map_err(query_err("finding local issues by marker"))?;
        let issues = rows
            .iter()
            .map(read_issue)
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(issues))
    }

    async fn add_note(&self, project: &str, iid: u64, body: &str) -> Result<Note, TrackerError> {
        let doing = "adding a note to a local issue";
        let mut tx = self.store.begin_write(doing).await?;
        let (id, mut issue) = find(&mut tx, project, iid).await?;
        let now = self.now();
        let (body, actions) = quick_actions(body);
        if !actions.is_empty() {
            let assigned = apply(&mut issue, actions, now);
            ensure_users(&mut tx, &assigned).await?;
        }
        let note_id: i64 = sqlx::query_scalar(
            "INSERT INTO local_notes (issue_id, body, author, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(id)
        .bind(&body)
        .bind(AUTHOR)
        .bind(time_to_text(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        save(&mut tx, id, &issue, now).await?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(Note {
            id: to_u64(note_id),
            body,
            author: AUTHOR.into(),
            created_at: now,
        })
    }

    async fn notes(&self, project: &str, iid: u64) -> Result<Vec<Note>, TrackerError> {
        let mut conn = self.connection().await?;
        let (id, _) = find(&mut conn, project, iid).await?;
        let rows = sqlx::query(
            "SELECT id, body, author, created_at FROM local_notes WHERE issue_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(query_err("reading the notes of a local issue"))?;
        let get = query_err("reading a note");
        rows.iter()
            .map(|row| {
                Ok(Note {
                    id: to_u64(row.try_get("id").map_err(&get)?),
                    body: row.try_get("body").map_err(&get)?,
                    author: row.try_get("author").map_err(&get)?,
                    created_at: time_from_text(
                        row.try_get::<&str, _>("created_at").map_err(&get)?,
                    )?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()
            .map_err(TrackerError::from)
    }

    async fn update_labels(
        &self,
        project: &str,
        iid: u64,
        add: &[String],
        remove: &[String],
    ) -> Result<Issue, TrackerError> {
        let doing = "updating a local issue";
        let mut tx = self.store.begin_write(doing).await?;
        let (id, mut issue) = find(&mut tx, project, iid).await?;
        let now = self.now();
        issue.labels.retain(|l| !remove.contains(l));
        add_all(&mut issue.labels, add.to_vec());
        issue.updated_at = now;
        save(&mut tx, id, &issue, now).await?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(issue)
    }

    async fn edit_description(
        &self,
        project: &str,
        iid: u64,
        description: &str,
    ) -> Result<Issue, TrackerError> {
        let doing = "editing a local issue";
        let mut tx = self.store.begin_write(doing).await?;
        let (id, mut issue) = find(&mut tx, project, iid).await?;
        if issue.description == description {
            return Ok(issue);
        }
        let now = self.now();
        issue.description = description.to_owned();
        issue.updated_at = now;
        save(&mut tx, id, &issue, now).await?;
        sqlx::query("UPDATE local_issues SET description = $2 WHERE id = $1")
            .bind(id)
            .bind(description)
            .execute(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        index_markers(&mut tx, id, description).await?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(issue)
    }

    async fn set_state(
        &self,
        project: &str,
        iid: u64,
        state: IssueState,
    ) -> Result<Issue, TrackerError> {
        let doing = "updating a local issue";
        let mut tx = self.store.begin_write(doing).await?;
        let (id, mut issue) = find(&mut tx, project, iid).await?;
        if issue.state == state {
            return Ok(issue);
        }
        let now = self.now();
        issue.state = state;
        issue.closed_at = (state == IssueState::Closed).then_some(now);
        issue.updated_at = now;
        save(&mut tx, id, &issue, now).await?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(issue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_actions_on_their_own_lines_are_applied_and_removed() {
        let text = "Intro\n/label ~bug ~\"Feedback Review\"\n/assign @alice bob\n\
                    ```\n/close\n```\n/unknown thing\n/close\n";
        let (kept, actions) = quick_actions(text);
        assert_eq!(kept, "Intro\n```\n/close\n```\n/unknown thing\n");
        assert_eq!(
            actions,
            vec![
                QuickAction::Label(vec!["bug".into(), "Feedback Review".into()]),
                QuickAction::Assign(vec!["alice".into(), "bob".into()]),
                QuickAction::Close,
            ]
        );
    }

    #[test]
    fn a_scoped_label_replaces_its_sibling() {
        let mut labels = vec!["review-outcome::resolved".to_owned(), "x".to_owned()];
        add_all(&mut labels, vec!["review-outcome::not-resolved".into()]);
        assert_eq!(labels, ["x", "review-outcome::not-resolved"]);
    }
}
