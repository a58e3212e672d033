//! The Reviews list: a page of the review issues the store knows, filtered by state, outcome,
//! band, month and subject text in SQL, each with its issue as the tracker has it now (one
//! tracker request for the page) and the responses it covers.
//!
//! The store keeps each issue's tracker state as last seen, so filters and counts by state run
//! in SQL; reading a page refreshes what it shows, and the service refreshes every state when
//! it starts ([`refresh_states`]).

use std::collections::BTreeMap;

use supportops_domain::SubjectUrl;
use supportops_ports::store::PageQueries;
use supportops_ports::store::pages::{
    IssueCoverage, PageRequest, ReviewFilter, ReviewRow, ReviewTotals, SeenState,
};
use supportops_ports::{Issue, IssueQuery, StoreError, Tracker, TrackerError};

use super::Paging;

/// Why the list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReviewsError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The tracker failed.
    #[error(transparent)]
    Tracker(#[from] TrackerError),
}

/// A listed review issue.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedReview {
    /// The record and its last seen state.
    pub row: ReviewRow,
    /// The issue as the tracker has it now; none when the tracker no longer has it.
    pub issue: Option<Issue>,
    /// The responses it covers: counted per band, and the latest [`LATEST_COVERED`] of them.
    pub covered: IssueCoverage,
    /// Its open review issues for the same subject besides this one (when it is open).
    pub also_open: Vec<u64>,
}

/// A page of review issues.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewListing {
    /// Review issues matching the filter, on all pages.
    pub total: u64,
    /// Open, closed and uncovered counts over every review issue.
    pub totals: ReviewTotals,
    /// This page.
    pub items: Vec<ListedReview>,
    /// Subjects with two or more open review issues, with their numbers.
    pub duplicates: Vec<(SubjectUrl, Vec<u64>)>,
}

/// Covered responses listed per review issue: the latest ones, however many it covers (its
/// page, `/reviews/{iid}`, and the Responses page filtered by its subject show the rest).
pub const LATEST_COVERED: usize = 10;

/// The page `paging` of the review issues `filter` selects.
pub async fn list<S>(
    store: &S,
    tracker: &dyn Tracker,
    filter: &ReviewFilter,
    paging: Paging,
) -> Result<ReviewListing, ReviewsError>
where
    S: PageQueries + ?Sized,
{
    let page = store.review_page(filter, paging.request()).await?;
    let issues = read_by_number(tracker, &page.items).await?;
    let changed: Vec<SeenState> = page
        .items
        .iter()
        .zip(&issues)
        .filter_map(|(row, issue)| {
            let now = SeenState::of(issue.as_ref()?);
            (row.state.as_deref() != Some(now.state.as_str()) || row.outcome != now.outcome)
                .then_some(now)
        })
        .collect();
    store.note_review_states(&changed).await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.record.id).collect();
    let mut covered = store.coverage_of(&ids, LATEST_COVERED).await?;
    let mut duplicates: Vec<(SubjectUrl, Vec<u64>)> = Vec::new();
    for (subject, iid) in store.open_duplicate_reviews().await? {
        match duplicates.last_mut() {
            Some((s, iids)) if *s == subject => iids.push(iid),
            _ => duplicates.push((subject, vec![iid])),
        }
    }
    let items = page
        .items
        .into_iter()
        .zip(issues)
        .map(|(mut row, issue)| {
            if let Some(i) = &issue {
                let now = SeenState::of(i);
                row.state = Some(now.state);
                row.outcome = now.outcome;
            }
            let open = row.state.as_deref() == Some("opened");
            let also_open = duplicates
                .iter()
                .find(|(s, _)| open && *s == row.record.subject)
                .map(|(_, iids)| {
                    iids.iter()
                        .copied()
                        .filter(|i| *i != row.record.issue.iid)
                        .collect()
                })
                .unwrap_or_default();
            ListedReview {
                covered: covered.remove(&row.record.id).unwrap_or_default(),
                row,
                issue,
                also_open,
            }
        })
        .collect();
    Ok(ReviewListing {
        total: page.total,
        totals: store.review_totals().await?,
        items,
        duplicates,
    })
}

/// The issues of `rows` as the tracker has them now, in the same order (`None` for one the
/// tracker no longer has): one request per project (GitLab's `iids[]`), not one per issue.
async fn read_by_number(
    tracker: &dyn Tracker,
    rows: &[ReviewRow],
) -> Result<Vec<Option<Issue>>, TrackerError> {
    let mut wanted: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for row in rows {
        let issue = &row.record.issue;
        wanted.entry(&issue.project).or_default().push(issue.iid);
    }
    let mut found: BTreeMap<(String, u64), Issue> = BTreeMap::new();
    for (project, iids) in wanted {
        let query = IssueQuery {
            iids,
            ..IssueQuery::default()
        };
        for issue in tracker.list_issues(project, &query).await? {
            found.insert((project.to_owned(), issue.iid), issue);
        }
    }
    Ok(rows
        .iter()
        .map(|row| {
            let issue = &row.record.issue;
            found.remove(&(issue.project.clone(), issue.iid))
        })
        .collect())
}

/// Review issues whose state is refreshed at a time.
const REFRESH_BATCH: u64 = 100;

/// Reads every review issue the store knows from the tracker, a hundred at a time by number,
/// and keeps their states in the store (when the service starts: states changed in the tracker
/// while it was down). Memory is that of one batch, whatever the history. Returns how many
/// issues were read.
pub async fn refresh_states<S>(store: &S, tracker: &dyn Tracker) -> Result<usize, ReviewsError>
where
    S: PageQueries + ?Sized,
{
    let mut read = 0;
    let mut offset = 0;
    loop {
        let page = store
            .review_page(
                &ReviewFilter::default(),
                PageRequest {
                    offset,
                    limit: REFRESH_BATCH,
                },
            )
            .await?;
        let states: Vec<SeenState> = read_by_number(tracker, &page.items)
            .await?
            .iter()
            .flatten()
            .map(SeenState::of)
            .collect();
        store.note_review_states(&states).await?;
        read += states.len();
        offset += REFRESH_BATCH;
        if page.items.is_empty() || offset >= page.total {
            return Ok(read);
        }
    }
}
