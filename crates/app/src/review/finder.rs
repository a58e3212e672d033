//! Finding issues in the tracker by their hidden marker: [`find_marked`], the one lookup every
//! use case goes through (shadowing, the journal), and review's [`Finder`], which does the same
//! once per run for many subjects.
//!
//! Finding review issues in the tracker by their hidden marker, when the store does not know
//! them (a new or lost store, an interrupted run, another machine filing into the same project).
//!
//! Recovery costs what is missing, once per run: when more than a few subjects are unknown to
//! the store (or it knows no review issue at all), the project's issues are listed once,
//! paginated, and their markers indexed, instead of one search per subject. With a few unknown
//! subjects each is searched for. A tracker that keeps a marker index (the local tracker)
//! is asked by marker instead: an indexed lookup per subject. Whatever is found is recorded by the caller at once, so an
//! interrupted run still makes progress.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use supportops_domain::review as domain;
use supportops_domain::{ResponseKey, SubjectUrl};
use supportops_ports::{Issue, IssueQuery, IssueState, Note, Tracker, TrackerError};

use super::ReviewError;

/// Issues of `project` carrying `marker`: the tracker's marker index when it keeps one, else a
/// search for `search` and, should the search index lag, the issues created since `since`.
pub async fn find_marked(
    tracker: &dyn Tracker,
    project: &str,
    search: &str,
    marker: &str,
    since: Option<Timestamp>,
) -> Result<Vec<Issue>, TrackerError> {
    if let Some(found) = tracker.marked_issues(project, marker).await? {
        return Ok(found);
    }
    let mut queries = vec![IssueQuery {
        search: Some(search.to_owned()),
        ..IssueQuery::default()
    }];
    if since.is_some() {
        queries.push(IssueQuery {
            created_after: since,
            ..IssueQuery::default()
        });
    }
    for query in &queries {
        let found: Vec<Issue> = tracker
            .list_issues(project, query)
            .await?
            .into_iter()
            .filter(|i| i.description.contains(marker))
            .collect();
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Ok(Vec::new())
}

/// Above this many subjects unknown to the store, the project is listed once rather than
/// searched once per subject.
pub(super) const SEARCH_BUDGET: usize = 10;

/// Finds review issues in the tracker by their hidden marker: by one listing of each project
/// (indexed by marker) or by the tracker's search per subject, as [`Finder::new`] decides.
pub(super) struct Finder<'t> {
    tracker: &'t dyn Tracker,
    listing: bool,
    index: HashMap<String, HashMap<String, Vec<Issue>>>,
    /// Tracker calls made to find issues, for the report.
    pub calls: usize,
}

impl<'t> Finder<'t> {
    /// A finder that lists each project once when `listing`, else searches per subject.
    pub fn new(tracker: &'t dyn Tracker, listing: bool) -> Finder<'t> {
        Finder {
            tracker,
            listing,
            index: HashMap::new(),
            calls: 0,
        }
    }

    /// Issues of `project` whose description carries the subject's marker. With `since`,
    /// issues created from then on are also listed and checked, should the search miss.
    pub async fn marked(
        &mut self,
        project: &str,
        subject: &SubjectUrl,
        since: Option<Timestamp>,
    ) -> Result<Vec<Issue>, ReviewError> {
        if let Some(found) = self.indexed(project, subject).await? {
            return Ok(found);
        }
        if self.listing {
            if !self.index.contains_key(project) {
                let issues = self.list(project, IssueQuery::default(), subject).await?;
                let mut index: HashMap<String, Vec<Issue>> = HashMap::new();
                for issue in issues {
                    for m in domain::markers_in(&issue.description) {
                        index.entry(m.to_owned()).or_default().push(issue.clone());
                    }
                }
                self.index.insert(project.to_owned(), index);
            }
            let marker = domain::marker(subject);
            let mut found = self
                .index
                .get(project)
                .and_then(|i| i.get(&marker))
                .cloned()
                .unwrap_or_default();
            if found.is_empty()
                && let Some(since) = since
            {
                // An issue made after the listing (by an interrupted filing of this run).
                found = self.fresh(project, subject, Some(since)).await?;
            }
            return Ok(found);
        }
        self.fresh(project, subject, since).await
    }

    /// Asks the tracker now, past any listing made earlier in the run: a search for the
    /// marker, then, with `since`, the issues created from then on.
    pub async fn fresh(
        &mut self,
        project: &str,
        subject: &SubjectUrl,
        since: Option<Timestamp>,
    ) -> Result<Vec<Issue>, ReviewError> {
        if let Some(found) = self.indexed(project, subject).await? {
            return Ok(found);
        }
        let query = IssueQuery {
            search: Some(domain::marker_search_text(subject)),
            ..IssueQuery::default()
        };
        let mut found: Vec<Issue> = self
            .list(project, query, subject)
            .await?
            .into_iter()
            .filter(|i| domain::has_marker(&i.description, subject))
            .collect();
        if found.is_empty()
            && let Some(since) = since
        {
            let query = IssueQuery {
                created_after: Some(since),
                ..IssueQuery::default()
            };
            found = self
                .list(project, query, subject)
                .await?
                .into_iter()
                .filter(|i| domain::has_marker(&i.description, subject))
                .collect();
        }
        Ok(found)
    }

    /// The subject's issues from the tracker's marker index, when it keeps one (the local
    /// tracker): one indexed lookup, no listing, no search.
    async fn indexed(
        &mut self,
        project: &str,
        subject: &SubjectUrl,
    ) -> Result<Option<Vec<Issue>>, ReviewError> {
        self.calls += 1;
        self.tracker
            .marked_issues(project, &domain::marker(subject))
            .await
            .map_err(|source| ReviewError::Lookup {
                doing: format!(
                    "look up the review issue of `{subject}` in project `{project}` (`review.project`)"
                ),
                source,
            })
    }

    async fn list(
        &mut self,
        project: &str,
        query: IssueQuery,
        subject: &SubjectUrl,
    ) -> Result<Vec<Issue>, ReviewError> {
        self.calls += 1;
        self.tracker
            .list_issues(project, &query)
            .await
            .map_err(|source| ReviewError::Lookup {
                doing: format!(
                    "search project `{project}` (`review.project`) for the review issue of `{subject}`"
                ),
                source,
            })
    }

    /// The notes of an issue, named by its `web_url` should the tracker fail.
    pub async fn notes(
        &mut self,
        project: &str,
        iid: u64,
        web_url: &str,
    ) -> Result<Vec<Note>, ReviewError> {
        self.calls += 1;
        self.tracker
            .notes(project, iid)
            .await
            .map_err(|source| ReviewError::Lookup {
                doing: format!("read the notes of {web_url}"),
                source,
            })
    }

    /// Every response an issue's description and notes list.
    pub async fn keys_of(&mut self, issue: &Issue) -> Result<HashSet<ResponseKey>, ReviewError> {
        let mut keys = domain::covered_keys_in(&issue.description);
        for note in self
            .notes(&issue.project, issue.iid, &issue.web_url)
            .await?
        {
            keys.extend(domain::covered_keys_in(&note.body));
        }
        Ok(keys)
    }

    /// The subject's review issue to go on with: the oldest open one carrying its marker (two
    /// machines may each have made one; the newer ones are closed by `Filer::converge`), else
    /// the newest closed one; with every response its description and notes list.
    pub async fn latest(
        &mut self,
        project: &str,
        subject: &SubjectUrl,
    ) -> Result<Option<(Issue, Vec<Issue>, HashSet<ResponseKey>)>, ReviewError> {
        let marked = self.marked(project, subject, None).await?;
        let Some((keep, others)) = pick(marked) else {
            return Ok(None);
        };
        let keys = self.keys_of(&keep).await?;
        Ok(Some((keep, others, keys)))
    }
}

/// Of the issues carrying one subject's marker: the one to keep (the oldest open one, else the
/// newest), and the other open ones, newer duplicates to close.
pub(super) fn pick(mut marked: Vec<Issue>) -> Option<(Issue, Vec<Issue>)> {
    marked.sort_by_key(|i| (i.created_at, i.iid));
    let open: Vec<Issue> = marked
        .iter()
        .filter(|i| i.state == IssueState::Opened)
        .cloned()
        .collect();
    match open.split_first() {
        Some((keep, newer)) => Some((keep.clone(), newer.to_vec())),
        None => marked.pop().map(|i| (i, Vec::new())),
    }
}
