//! The Reviews view: a page of the Feedback Review issues the store knows, filtered by state,
//! outcome, band, month and subject text (`supportops_app::pages::reviews` runs the query and
//! reads the page's issues from the tracker), with their state, outcome and assignees as the
//! tracker reports them, and the responses each covers.

use serde::{Deserialize, Serialize};
use supportops_app::pages::reviews::{ListedReview, list};
use supportops_app::pages::{DEFAULT_PER_PAGE, MAX_PER_PAGE, Paging};
use supportops_domain::Band;
use supportops_domain::review::IssueRef;
use supportops_ports::store::pages::ReviewFilter;

use super::{BandView, count_param, given, href, page_param, parse_month, value_json};
use crate::charts::BandCounts;
use crate::error::{BadParam, DataError};
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
    /// The latest covered responses (at most ten), oldest first; the issue's page lists
    /// every one.
    pub covered: Vec<CoveredResponse>,
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

/// The query string of `/reviews` and `/api/v1/reviews`, as typed. Empty fields are unset.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewParams {
    /// `opened` or `closed`.
    pub state: Option<String>,
    /// `resolved` or `not-resolved`.
    pub outcome: Option<String>,
    /// Issues covering a response of this band.
    pub band: Option<String>,
    /// `YYYY-MM`: issues recorded that month.
    pub month: Option<String>,
    /// Text the subject contains.
    pub q: Option<String>,
    /// 1-based page.
    pub page: Option<String>,
    /// Issues per page.
    pub per_page: Option<String>,
}

/// A validated review filter and page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewQuery {
    /// Only this state.
    pub state: Option<String>,
    /// Only this outcome.
    pub outcome: Option<String>,
    /// Only issues covering a response of this band.
    pub band: Option<Band>,
    /// Only issues recorded this month.
    pub month: Option<String>,
    /// Only subjects containing this text.
    pub q: Option<String>,
    /// 1-based page.
    pub page: u64,
    /// Issues per page.
    pub per_page: u64,
}

impl ReviewQuery {
    /// Checks the typed parameters.
    pub fn parse(p: &ReviewParams) -> Result<ReviewQuery, BadParam> {
        let one_of =
            |param: &'static str, v: Option<&str>, allowed: &[&str], expected: &'static str| {
                v.map(|t| {
                    let t = t.to_lowercase();
                    if allowed.contains(&t.as_str()) {
                        Ok(t)
                    } else {
                        Err(BadParam {
                            param,
                            value: t,
                            expected,
                        })
                    }
                })
                .transpose()
            };
        Ok(ReviewQuery {
            state: one_of(
                "state",
                given(&p.state),
                &["opened", "closed"],
                "one of opened, closed",
            )?,
            outcome: one_of(
                "outcome",
                given(&p.outcome),
                &["resolved", "not-resolved"],
                "one of resolved, not-resolved",
            )?,
            band: given(&p.band)
                .map(|b| {
                    Band::parse(b).ok_or_else(|| BadParam {
                        param: "band",
                        value: b.to_owned(),
                        expected: "one of green, yellow, red, error",
                    })
                })
                .transpose()?,
            month: given(&p.month)
                .map(|m| {
                    parse_month(m)
                        .map(|_| m.to_owned())
                        .ok_or_else(|| BadParam {
                            param: "month",
                            value: m.to_owned(),
                            expected: "a month written YYYY-MM, e.g. 2026-03",
                        })
                })
                .transpose()?,
            q: given(&p.q).map(str::to_owned),
            page: page_param(given(&p.page), u64::MAX)?,
            per_page: count_param(
                "per_page",
                given(&p.per_page),
                DEFAULT_PER_PAGE,
                MAX_PER_PAGE,
                "a number from 1 to 500",
            )?,
        })
    }

    /// The band filter's name, if any.
    pub fn band_name(&self) -> Option<&'static str> {
        self.band.map(Band::as_str)
    }

    /// The query string of page `page` of this filter (without the `?`).
    pub fn query_string(&self, page: u64) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("state", self.state.as_deref()),
            ("outcome", self.outcome.as_deref()),
            ("band", self.band.map(Band::as_str)),
            ("month", self.month.as_deref()),
            ("q", self.q.as_deref()),
        ] {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        if self.per_page != DEFAULT_PER_PAGE {
            q.append_pair("per_page", &self.per_page.to_string());
        }
        q.append_pair("page", &page.to_string());
        q.finish()
    }
}

/// What the Reviews view shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewsView {
    /// Open review issues (as last seen in the tracker).
    pub open: usize,
    /// Closed review issues.
    pub closed: usize,
    /// Flagged responses no review issue covers yet (being filed, or left out).
    pub uncovered: usize,
    /// Review issues matching the filter, on all pages.
    pub total: u64,
    /// This page (1-based).
    pub page: u64,
    /// Issues per page.
    pub per_page: u64,
    /// Number of pages (at least 1).
    pub pages: u64,
    /// The filter applied.
    pub filter: ReviewQuery,
    /// This page's review issues: open ones first, newest first.
    pub reviews: Vec<ReviewView>,
    /// Subjects with two or more open review issues.
    pub duplicates: Vec<DuplicateReviews>,
    /// The link to the next page, absent on the last page.
    pub next: Option<String>,
    /// The link to the previous page, absent on the first.
    pub prev: Option<String>,
    /// The positions of this page's first and last issue (`0` when empty).
    pub first_shown: u64,
    /// See `first_shown`.
    pub last_shown: u64,
}

fn review_view(state: &AppState, l: ListedReview) -> ReviewView {
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
    let r = l.row.record;
    let issue = l.issue.as_ref();
    let covered: Vec<CoveredResponse> = l
        .covered
        .latest
        .iter()
        .map(|c| CoveredResponse {
            key: c.key.as_str().to_owned(),
            row: c.row,
            submitted_at: c.submitted_at.map(|t| t.to_string()),
            score: value_json(&c.score),
            band: c.band.into(),
            comment: comment_col
                .and_then(|i| c.cells.get(i))
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            in_note: c.in_note,
        })
        .collect();
    let bands = BandCounts::from(l.covered.bands);
    ReviewView {
        id: r.id,
        project: r.issue.project.clone(),
        iid: r.issue.iid,
        web_url: r.issue.web_url.clone(),
        title: issue
            .map(|i| i.title.clone())
            .unwrap_or_else(|| supportops_domain::review::title(&r.subject)),
        state: match issue.map(|i| i.state) {
            Some(supportops_ports::IssueState::Opened) => "opened",
            Some(supportops_ports::IssueState::Closed) => "closed",
            None => "unknown",
        },
        outcome: issue
            .and_then(|i| supportops_domain::sync::Outcome::from_labels(&i.labels))
            .map(supportops_domain::sync::Outcome::as_str),
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
        covered,
        also_open: l.also_open,
    }
}

/// The page of review issues `query` selects; `path` is where the next page is asked.
pub async fn load(
    state: &AppState,
    query: ReviewQuery,
    path: &str,
) -> Result<ReviewsView, DataError> {
    let filter = ReviewFilter {
        state: query.state.clone(),
        outcome: query.outcome.clone(),
        band: query.band,
        month: query.month.clone(),
        text: query.q.clone(),
    };
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let listing = list(
        state.store().as_ref(),
        state.tracker().as_ref(),
        &filter,
        paging,
    )
    .await?;
    let reviews: Vec<ReviewView> = listing
        .items
        .into_iter()
        .map(|l| review_view(state, l))
        .collect();
    let duplicates = listing
        .duplicates
        .into_iter()
        .map(|(subject, iids)| DuplicateReviews {
            subject_ref: supportops_domain::review::reference(&subject),
            subject: subject.as_str().to_owned(),
            iids,
        })
        .collect();
    let pages = paging.pages(listing.total);
    let (first_shown, last_shown) = paging.showing(listing.total);
    let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    Ok(ReviewsView {
        open: count(listing.totals.open),
        closed: count(listing.totals.closed),
        uncovered: count(listing.totals.uncovered),
        total: listing.total,
        page: query.page,
        per_page: query.per_page,
        pages,
        next: (query.page < pages)
            .then(|| format!("{path}?{}", query.query_string(query.page + 1))),
        prev: (query.page > 1).then(|| format!("{path}?{}", query.query_string(query.page - 1))),
        first_shown,
        last_shown,
        filter: query,
        reviews,
        duplicates,
    })
}
