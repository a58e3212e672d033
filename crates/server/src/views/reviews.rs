//! The Reviews view: every Feedback Review issue the store knows, with its state, outcome and
//! assignees as the tracker reports them, and the responses it covers.

use std::collections::HashMap;

use serde::Serialize;
use supportops_domain::ResponseKey;
use supportops_domain::review::IssueRef;
use supportops_domain::sync::Outcome;
use supportops_ports::store::responses::{ResponseQuery, StoredResponse};
use supportops_ports::store::review::ReviewIssueRecord;
use supportops_ports::{Issue, IssueQuery, IssueState, TrackerError};

use super::{BandView, href, value_json};
use crate::charts::BandCounts;
use crate::error::DataError;
use crate::state::AppState;

/// A covered response, briefly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoveredResponse {
    /// Its key.
    pub key: String,
    /// Its sheet row (0: webhook).
    pub row: u64,
    /// When it was submitted (RFC 3339), if known.
    pub submitted_at: Option<String>,
    /// Its score.
    pub score: serde_json::Value,
    /// Its band.
    pub band: BandView,
    /// Its comment, if the sheet has that column.
    pub comment: Option<String>,
    /// Whether it came with a note added after the issue was opened.
    pub in_note: bool,
}

/// One review issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewView {
    /// The store's id of the record.
    pub id: i64,
    /// The tracker project.
    pub project: String,
    /// The issue number.
    pub iid: u64,
    /// The tracker's link.
    pub web_url: String,
    /// Title, as the tracker has it.
    pub title: String,
    /// `opened` or `closed` (`unknown` when the tracker no longer has it).
    pub state: &'static str,
    /// The recorded outcome (`resolved`, `not-resolved`) from its scoped label.
    pub outcome: Option<&'static str>,
    /// Labels.
    pub labels: Vec<String>,
    /// Assignees' usernames.
    pub assignees: Vec<String>,
    /// When the tracker created it (RFC 3339).
    pub created_at: Option<String>,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// The subject reviewed.
    pub subject: String,
    /// A short reference to the subject.
    pub subject_ref: String,
    /// The subject as a link, when it is an `http(s)` URL.
    pub subject_href: Option<String>,
    /// The subject's earlier, closed review issue.
    pub previous: Option<IssueRef>,
    /// `filed` by supportops or `found` in the tracker.
    pub origin: &'static str,
    /// Responses covered.
    pub responses: u64,
    /// The covered responses per band.
    pub bands: BandCounts,
    /// The covered responses, oldest first.
    pub covered: Vec<CoveredResponse>,
    /// The issue's description, for issues kept by the local tracker (which has no web page).
    pub description: Option<String>,
    /// When this review is open: the other open review issues for the same subject (after
    /// `reopen`, say). Later responses go to one of them only; close the others.
    pub also_open: Vec<u64>,
}

/// A subject with more than one open review issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateReviews {
    /// The subject.
    pub subject: String,
    /// A short reference to it.
    pub subject_ref: String,
    /// The open review issues, lowest number first.
    pub iids: Vec<u64>,
}

/// What the Reviews view shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewsView {
    /// Open review issues.
    pub open: usize,
    /// Closed review issues.
    pub closed: usize,
    /// Flagged responses no review issue covers yet (being filed, or left out).
    pub uncovered: usize,
    /// Every review issue: open ones first, newest first.
    pub reviews: Vec<ReviewView>,
    /// Subjects with two or more open review issues.
    pub duplicates: Vec<DuplicateReviews>,
}

/// The issues of the review project carrying the review labels, by number; issues that lost the
/// labels are read one by one.
async fn tracker_issues(
    state: &AppState,
    records: &[ReviewIssueRecord],
) -> Result<HashMap<(String, u64), Issue>, DataError> {
    let config = &state.config().review;
    let query = IssueQuery {
        labels: config.labels.clone(),
        ..IssueQuery::default()
    };
    let mut by_iid: HashMap<(String, u64), Issue> = state
        .tracker()
        .list_issues(&config.project, &query)
        .await?
        .into_iter()
        .map(|i| ((i.project.clone(), i.iid), i))
        .collect();
    for r in records {
        let k = (r.issue.project.clone(), r.issue.iid);
        if by_iid.contains_key(&k) {
            continue;
        }
        match state.tracker().issue(&r.issue.project, r.issue.iid).await {
            Ok(issue) => {
                by_iid.insert(k, issue);
            }
            Err(TrackerError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(by_iid)
}

/// The whole view.
pub async fn load(state: &AppState) -> Result<ReviewsView, DataError> {
    let records = state.store().review_issues().await?;
    let coverage = state.store().review_coverage().await?;
    let flagged = state
        .store()
        .responses(&ResponseQuery {
            flagged_only: true,
            ..ResponseQuery::default()
        })
        .await?;
    let issues = tracker_issues(state, &records).await?;
    let by_key: HashMap<&ResponseKey, &StoredResponse> = flagged
        .iter()
        .map(|r| (&r.scored.response.key, r))
        .collect();
    let comment_col = state
        .config()
        .sheet
        .columns
        .comment
        .as_deref()
        .and_then(|c| {
            state
                .sheet()
                .headers
                .resolve(&supportops_sheet::ColumnRef::parse(c))
        });
    let mut covered: HashMap<i64, Vec<CoveredResponse>> = HashMap::new();
    for c in &coverage {
        let Some(r) = by_key.get(&c.key) else {
            continue;
        };
        let resp = &r.scored.response;
        covered
            .entry(c.review_issue_id)
            .or_default()
            .push(CoveredResponse {
                key: resp.key.as_str().to_owned(),
                row: resp.row,
                submitted_at: resp.submitted_at.map(|t| t.to_string()),
                score: value_json(&r.scored.score),
                band: r.scored.band.into(),
                comment: comment_col
                    .and_then(|i| resp.cells.get(i))
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty()),
                in_note: c.note_id.is_some(),
            });
    }
    let uncovered = flagged.len().saturating_sub(
        coverage
            .iter()
            .filter(|c| by_key.contains_key(&c.key))
            .count(),
    );
    let local = state.tracker().describe().starts_with("local");
    let mut reviews: Vec<ReviewView> = records
        .into_iter()
        .map(|r| {
            let issue = issues.get(&(r.issue.project.clone(), r.issue.iid));
            let list = covered.remove(&r.id).unwrap_or_default();
            let mut bands = BandCounts::default();
            for c in &list {
                bands.add(c.band.band);
            }
            ReviewView {
                id: r.id,
                project: r.issue.project.clone(),
                iid: r.issue.iid,
                web_url: r.issue.web_url.clone(),
                title: issue
                    .map(|i| i.title.clone())
                    .unwrap_or_else(|| supportops_domain::review::title(&r.subject)),
                state: match issue.map(|i| i.state) {
                    Some(IssueState::Opened) => "opened",
                    Some(IssueState::Closed) => "closed",
                    None => "unknown",
                },
                outcome: issue
                    .and_then(|i| Outcome::from_labels(&i.labels))
                    .map(Outcome::as_str),
                labels: issue.map(|i| i.labels.clone()).unwrap_or_default(),
                assignees: issue.map(|i| i.assignees.clone()).unwrap_or_default(),
                created_at: issue.map(|i| i.created_at.to_string()),
                closed_at: issue.and_then(|i| i.closed_at).map(|t| t.to_string()),
                subject_ref: supportops_domain::review::reference(&r.subject),
                subject_href: href(r.subject.as_str()),
                subject: r.subject.as_str().to_owned(),
                previous: r.previous,
                origin: r.origin.as_str(),
                responses: r.responses,
                bands,
                covered: list,
                description: issue.filter(|_| local).map(|i| i.description.clone()),
                also_open: Vec::new(),
            }
        })
        .collect();
    let mut open_by_subject: std::collections::BTreeMap<String, Vec<u64>> =
        std::collections::BTreeMap::new();
    for r in reviews.iter().filter(|r| r.state == "opened") {
        open_by_subject
            .entry(r.subject.clone())
            .or_default()
            .push(r.iid);
    }
    let mut duplicates = Vec::new();
    for (subject, mut iids) in open_by_subject {
        if iids.len() < 2 {
            continue;
        }
        iids.sort_unstable();
        for r in reviews
            .iter_mut()
            .filter(|r| r.state == "opened" && r.subject == subject)
        {
            r.also_open = iids.iter().copied().filter(|i| *i != r.iid).collect();
        }
        let subject_ref = reviews
            .iter()
            .find(|r| r.subject == subject)
            .map(|r| r.subject_ref.clone())
            .unwrap_or_else(|| subject.clone());
        duplicates.push(DuplicateReviews {
            subject,
            subject_ref,
            iids,
        });
    }
    reviews.sort_by(|a, b| {
        (a.state != "opened")
            .cmp(&(b.state != "opened"))
            .then_with(|| b.created_at.cmp(&a.created_at))
            .then_with(|| b.id.cmp(&a.id))
    });
    Ok(ReviewsView {
        open: reviews.iter().filter(|r| r.state == "opened").count(),
        closed: reviews.iter().filter(|r| r.state == "closed").count(),
        uncovered,
        reviews,
        duplicates,
    })
}
