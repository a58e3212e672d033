//! What the fake GitLab knows: users, groups, projects with their files and issues, notes,
//! the clock, the faults still to inject and the log of requests. Plain data behind one mutex.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::faults::FaultRule;

/// A user of the fake instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FakeUser {
    /// Numeric id.
    pub id: u64,
    /// Username, without `@`.
    pub username: String,
    /// Display name.
    pub name: String,
    /// `active` or `blocked`.
    pub state: String,
}

/// An issue as the fake keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeIssue {
    /// Global id.
    pub id: u64,
    /// Number within the project.
    pub iid: u64,
    /// The project's path.
    pub project: String,
    /// Title.
    pub title: String,
    /// Description, after quick actions were applied and removed.
    pub description: String,
    /// `opened` or `closed`.
    pub state: String,
    /// Labels, sorted as GitLab shows them.
    pub labels: Vec<String>,
    /// Assignees' usernames.
    pub assignees: Vec<String>,
    /// Author's username.
    pub author: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// Notes, oldest first, system notes included.
    pub notes: Vec<FakeNote>,
}

/// A note on an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeNote {
    /// Note id.
    pub id: u64,
    /// Markdown body.
    pub body: String,
    /// Author's username.
    pub author: String,
    /// GitLab's own notes ("closed", "added ~x label") are system notes.
    pub system: bool,
    /// When it was written.
    pub created_at: Timestamp,
}

/// An issue to seed with [`crate::FakeGitLab::seed_issue`].
#[derive(Debug, Clone, Default)]
pub struct SeedIssue {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Labels.
    pub labels: Vec<String>,
    /// Assignees' usernames (must be known users).
    pub assignees: Vec<String>,
    /// Closed instead of open.
    pub closed: bool,
    /// Creation time; the fake's clock when `None`.
    pub created_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub id: u64,
    pub path: String,
    pub files: BTreeMap<String, String>,
    pub issues: Vec<FakeIssue>,
    pub read_only: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub id: u64,
    pub path: String,
    pub members: Vec<u64>,
}

/// Which pagination headers list answers carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaginationHeaders {
    /// `x-page`, `x-next-page`, `x-total`… and `Link`, as GitLab sends for offset pagination.
    #[default]
    All,
    /// Only `Link` (as with keyset pagination, or behind a proxy that strips `x-` headers).
    LinkOnly,
}

#[derive(Debug)]
pub(crate) struct State {
    pub base_url: url::Url,
    pub token: String,
    pub bot: u64,
    pub users: Vec<FakeUser>,
    pub groups: Vec<Group>,
    pub projects: Vec<Project>,
    pub next_id: u64,
    pub clock: Option<(Timestamp, Duration)>,
    pub max_per_page: usize,
    pub pagination: PaginationHeaders,
    pub faults: Vec<FaultRule>,
    pub log: Vec<super::LoggedRequest>,
    /// Added before every answer.
    pub latency: Duration,
    /// Who was mentioned (`@name`, `@all`, `@group/path`) and where, as GitLab would notify.
    pub mentions: Vec<Mention>,
    /// OAuth applications registered.
    pub oauth_apps: Vec<super::oauth::OAuthApp>,
    /// Codes handed out and not yet exchanged.
    pub grants: Vec<super::oauth::Grant>,
    /// Access tokens handed out, with their user.
    pub user_tokens: Vec<(String, u64)>,
    /// Who is signed in to GitLab in "the browser".
    pub browser_user: Option<u64>,
    /// Codes exchanged for a token.
    pub exchanged: u32,
}

/// A mention GitLab would act on: a notification to a user, a group or everyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Who, without `@` (`all` for everyone).
    pub who: String,
    /// The project and issue it was written in.
    pub project: String,
    /// The issue's number.
    pub iid: u64,
    /// `title`, `description` or `note`.
    pub place: &'static str,
}

impl State {
    pub fn new(base_url: url::Url, token: String) -> State {
        let mut state = State {
            base_url,
            token,
            bot: 0,
            users: Vec::new(),
            groups: Vec::new(),
            projects: Vec::new(),
            next_id: 1,
            clock: None,
            max_per_page: 100,
            pagination: PaginationHeaders::All,
            faults: Vec::new(),
            log: Vec::new(),
            latency: Duration::ZERO,
            mentions: Vec::new(),
            oauth_apps: Vec::new(),
            grants: Vec::new(),
            user_tokens: Vec::new(),
            browser_user: None,
            exchanged: 0,
        };
        state.bot = state.add_user("supportops-bot", "Support Ops Bot");
        state
    }

    pub fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The fake's time: real time, or a ticking clock that moves one step per reading.
    pub fn now(&mut self) -> Timestamp {
        match &mut self.clock {
            None => Timestamp::now(),
            Some((next, step)) => {
                let now = *next;
                *next = next.checked_add(*step).unwrap_or(now);
                now
            }
        }
    }

    pub fn add_user(&mut self, username: &str, name: &str) -> u64 {
        if let Some(u) = self.user_by_name(username) {
            return u.id;
        }
        let id = self.fresh_id();
        self.users.push(FakeUser {
            id,
            username: username.to_owned(),
            name: name.to_owned(),
            state: "active".to_owned(),
        });
        id
    }

    pub fn user(&self, id: u64) -> Option<&FakeUser> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_by_name(&self, username: &str) -> Option<&FakeUser> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    /// A project by numeric id or by path (as GitLab accepts either).
    pub fn project_index(&self, id: &str) -> Option<usize> {
        match id.parse::<u64>() {
            Ok(n) => self.projects.iter().position(|p| p.id == n),
            Err(_) => self
                .projects
                .iter()
                .position(|p| p.path.eq_ignore_ascii_case(id)),
        }
    }

    pub fn group_index(&self, id: &str) -> Option<usize> {
        match id.parse::<u64>() {
            Ok(n) => self.groups.iter().position(|g| g.id == n),
            Err(_) => self
                .groups
                .iter()
                .position(|g| g.path.eq_ignore_ascii_case(id)),
        }
    }

    /// The group's members and those of its ancestors, as `members/all` lists them.
    pub fn all_members(&self, group: usize) -> Vec<FakeUser> {
        let path = self.groups[group].path.to_lowercase();
        let mut seen = BTreeSet::new();
        let mut members = Vec::new();
        let mut ancestors: Vec<&Group> = self
            .groups
            .iter()
            .filter(|g| {
                let p = g.path.to_lowercase();
                p == path || path.starts_with(&format!("{p}/"))
            })
            .collect();
        // The group itself first, then its parents, nearest first.
        ancestors.sort_by_key(|g| std::cmp::Reverse(g.path.len()));
        for g in ancestors {
            for id in &g.members {
                if seen.insert(*id)
                    && let Some(u) = self.user(*id)
                {
                    members.push(u.clone());
                }
            }
        }
        members
    }

    /// Adds an issue and returns its iid.
    pub fn insert_issue(&mut self, project: usize, seed: SeedIssue, author: u64) -> u64 {
        let now = self.now();
        let created = seed.created_at.unwrap_or(now);
        let id = self.fresh_id();
        let author = self
            .user(author)
            .map(|u| u.username.clone())
            .unwrap_or_default();
        let assignees = seed
            .assignees
            .iter()
            .filter_map(|name| self.user_by_name(name).map(|u| u.username.clone()))
            .collect();
        let p = &mut self.projects[project];
        let iid = p.issues.iter().map(|i| i.iid).max().unwrap_or(0) + 1;
        let mut labels = seed.labels;
        sort_labels(&mut labels);
        p.issues.push(FakeIssue {
            id,
            iid,
            project: p.path.clone(),
            title: seed.title,
            description: seed.description,
            state: if seed.closed { "closed" } else { "opened" }.to_owned(),
            labels,
            assignees,
            author,
            created_at: created,
            updated_at: created,
            closed_at: seed.closed.then_some(created),
            notes: Vec::new(),
        });
        iid
    }

    pub fn add_system_note(&mut self, project: usize, iid: u64, body: String) {
        let now = self.now();
        let id = self.fresh_id();
        let author = self
            .user(self.bot)
            .map(|u| u.username.clone())
            .unwrap_or_default();
        if let Some(issue) = self.projects[project]
            .issues
            .iter_mut()
            .find(|i| i.iid == iid)
        {
            issue.notes.push(FakeNote {
                id,
                body,
                author,
                system: true,
                created_at: now,
            });
        }
    }
}

/// Labels without duplicates, in GitLab's order (by title, case-insensitively).
pub(crate) fn sort_labels(labels: &mut Vec<String>) {
    labels.retain(|l| !l.trim().is_empty());
    for l in labels.iter_mut() {
        *l = l.trim().to_owned();
    }
    labels.sort_by_key(|l| l.to_lowercase());
    labels.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
}

/// The mentions in a Markdown text as GitLab finds them: `@name` not after a letter or digit,
/// outside code spans and code blocks.
pub(crate) fn mentions_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        let mut in_code = false;
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                i += 2;
                continue;
            }
            if c == '`' {
                in_code = !in_code;
            } else if c == '@'
                && !in_code
                && (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
                && chars
                    .get(i + 1)
                    .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_')
            {
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| {
                        !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
                    })
                    .map_or(chars.len(), |p| i + 1 + p);
                let who: String = chars[i + 1..end].iter().collect();
                found.push(who.trim_end_matches(['.', '-', '/']).to_owned());
                i = end;
                continue;
            }
            i += 1;
        }
    }
    found
}
