//! The dashboard's HTML pages: Overview, Responses, Reviews and Syncs, rendered from the view
//! models with auto-escaping askama templates under `templates/` (the Shadowing page is
//! `shadow_actions`', with its actions).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Html;
use supportops_domain::Band;

use crate::charts;
use crate::error::PageError;
use crate::state::AppState;
use crate::views;
use crate::views::responses::{FilterParams, ResponseFilter, ResponsePage, ResponseView};
use crate::views::summary::SummaryView;
use crate::views::syncs::SyncsView;
use supportops_app::sync::MeetingView;
use supportops_domain::sync::{Fit, MeetingKind, OccurrenceStatus};

pub use crate::layout::Layout;

fn render(t: &impl Template) -> Result<Html<String>, PageError> {
    Ok(Html(t.render()?))
}

/// Any path that is no page.
pub async fn not_found(uri: Uri) -> PageError {
    PageError::NotFound {
        path: uri.path().to_owned(),
    }
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    layout: Layout,
    summary: SummaryView,
    band_mix: String,
    trend: String,
    this_month: Option<views::summary::MonthView>,
    open_reviews: Vec<views::reviews::ReviewView>,
    open_count: Option<usize>,
    reviews_problem: Option<&'static str>,
    next_syncs: Vec<MeetingRow>,
    shadowing: Option<(String, Vec<RegionLine>)>,
    shadow_done: u32,
    shadow_target: u32,
    shadow_warnings: Vec<String>,
}

/// How many open review issues the Overview lists.
const OVERVIEW_REVIEWS: u64 = 6;

/// `GET /`.
pub async fn overview(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let summary = views::summary::load(&state).await?;
    let mixes: Vec<charts::MonthMix> = summary
        .months
        .iter()
        .map(|m| charts::MonthMix {
            month: m.month.clone(),
            bands: m.bands,
        })
        .collect();
    let points: Vec<charts::TrendPoint> = summary
        .months
        .iter()
        .map(|m| charts::TrendPoint {
            month: m.month.clone(),
            mean: m.mean_score,
            scored: m.scored,
        })
        .collect();
    let band_mix = charts::band_mix(&mixes)?;
    let trend = charts::score_trend(&points, state.sheet().scoring.thresholds)?;
    let (band_mix, trend) =
        crate::formula_marks::on_overview(&state, &mixes, band_mix, trend).await?;
    let this_month = summary.months.last().cloned();

    // The tracker may be unreachable: the rest of the overview still shows.
    let open = views::reviews::ReviewQuery {
        state: Some("opened".to_owned()),
        outcome: None,
        band: None,
        month: None,
        q: None,
        page: 1,
        per_page: OVERVIEW_REVIEWS,
    };
    let (open_reviews, open_count, reviews_problem) =
        match views::reviews::load(&state, open, "/reviews").await {
            Ok(reviews) => (
                reviews
                    .reviews
                    .into_iter()
                    .filter(|r| r.state == "opened")
                    .collect(),
                Some(reviews.open),
                None,
            ),
            Err(e) if e.status() == StatusCode::BAD_GATEWAY => {
                tracing::warn!(error = %e, "overview: review issues left out");
                (
                    Vec::new(),
                    None,
                    Some("the tracker could not be reached; the server log says why"),
                )
            }
            Err(e) => return Err(e.into()),
        };

    let meetings = views::syncs::upcoming(&state).await?;
    let next_syncs = [MeetingKind::Weekly, MeetingKind::Monthly]
        .into_iter()
        .filter_map(|kind| views::syncs::first_of(&meetings, kind))
        .map(|m| MeetingRow::of(&m))
        .collect();

    let coverage = views::shadowing::current(&state).await?;
    let (shadow_done, shadow_target) = coverage.as_ref().map_or((0, 0), |p| {
        (
            p.regions.iter().map(|r| r.done.min(r.target)).sum(),
            p.regions.iter().map(|r| r.target).sum(),
        )
    });
    let shadow_warnings = coverage
        .as_ref()
        .map(|p| p.warnings.iter().map(|w| w.message.clone()).collect())
        .unwrap_or_default();
    let shadowing = coverage.map(|p| (p.period.to_string(), region_lines(&p)));
    render(&OverviewPage {
        layout: Layout::of(&state, "/"),
        summary,
        band_mix,
        trend,
        this_month,
        open_reviews,
        open_count,
        reviews_problem,
        next_syncs,
        shadowing,
        shadow_done,
        shadow_target,
        shadow_warnings,
    })
}

#[derive(Template)]
#[template(path = "responses.html")]
struct ResponsesPage {
    layout: Layout,
    page: ResponsePage,
    bands: [(Band, &'static str); 4],
    prev: Option<String>,
    next: Option<String>,
}

impl ResponsesPage {
    /// The orders the page offers: `(sort value, label)`.
    fn orders(&self) -> [(&'static str, &'static str); 4] {
        [
            ("newest", "Newest first"),
            ("oldest", "Oldest first"),
            ("score_asc", "Lowest score first"),
            ("score_desc", "Highest score first"),
        ]
    }

    fn order_selected(&self, value: &str) -> bool {
        self.page.filter.sort.as_str() == value
    }

    /// The current order, as the heading says it.
    fn order_text(&self) -> &'static str {
        match self.page.filter.sort.as_str() {
            "oldest" => "oldest first",
            "score_asc" => "lowest score first",
            "score_desc" => "highest score first",
            _ => "newest first",
        }
    }

    fn band_selected(&self, band: &Band) -> bool {
        self.page.filter.band == Some(*band)
    }

    fn month_selected(&self, month: &str) -> bool {
        self.page.filter.month.as_deref() == Some(month)
    }

    fn first_shown(&self) -> usize {
        if self.page.total == 0 {
            0
        } else {
            (self.page.page - 1) * self.page.per_page + 1
        }
    }

    fn last_shown(&self) -> usize {
        (self.first_shown() + self.page.responses.len()).saturating_sub(1)
    }

    fn date(r: &ResponseView) -> String {
        r.submitted_at
            .as_deref()
            .and_then(|t| t.get(..10))
            .map(str::to_owned)
            .unwrap_or_else(|| r.timestamp.clone())
    }

    fn score_text(r: &ResponseView) -> String {
        match (&r.score, r.error) {
            (_, Some(e)) => e.to_owned(),
            (serde_json::Value::Number(n), _) => n
                .as_f64()
                .map(views::number_text)
                .unwrap_or_else(|| n.to_string()),
            (serde_json::Value::String(s), _) => format!("\"{s}\""),
            (serde_json::Value::Bool(b), _) => if *b { "TRUE" } else { "FALSE" }.into(),
            _ => "(blank)".into(),
        }
    }

    fn stored_text(r: &ResponseView) -> String {
        match &r.stored_score {
            Some(serde_json::Value::Number(n)) => n
                .as_f64()
                .map(views::number_text)
                .unwrap_or_else(|| n.to_string()),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }
}

/// The query string of the same filter on another page.
fn page_link(filter: &ResponseFilter, page: usize) -> String {
    format!("/responses?{}", filter.query_string(page))
}

/// `GET /responses`.
pub async fn responses(
    State(state): State<AppState>,
    Query(params): Query<FilterParams>,
) -> Result<Html<String>, PageError> {
    let filter = ResponseFilter::parse(&params)?;
    let page = views::responses::load(&state, filter, "/responses").await?;
    let prev = (page.page > 1).then(|| page_link(&page.filter, page.page - 1));
    let next = (page.page < page.pages).then(|| page_link(&page.filter, page.page + 1));
    render(&ResponsesPage {
        layout: Layout::of(&state, "/responses"),
        bands: Band::ALL.map(|b| (b, b.label())),
        page,
        prev,
        next,
    })
}

/// A meeting as the pages list it.
#[derive(Debug, Clone)]
pub struct MeetingRow {
    /// `Tue 01 Dec 2026`.
    pub day: String,
    /// `14:30–15:00 UTC` (in the schedule's zone).
    pub time: String,
    /// The meeting's title.
    pub title: String,
    /// `weekly` or `monthly`.
    pub kind: &'static str,
    /// `scheduled`, `moved` or `cancelled`.
    pub status: &'static str,
    /// How a monthly sync sits next to the weekly one.
    pub relation: Option<&'static str>,
    /// Each member: username, local time, and whether they are working then.
    pub members: Vec<(String, String, &'static str)>,
}

impl MeetingRow {
    fn of(m: &MeetingView) -> MeetingRow {
        MeetingRow {
            day: m.start.strftime("%a %d %b %Y").to_string(),
            time: format!(
                "{}–{} {}",
                m.start.strftime("%H:%M"),
                m.end.strftime("%H:%M"),
                m.start.time_zone().iana_name().unwrap_or("UTC")
            ),
            title: m.title.clone(),
            kind: match m.kind {
                MeetingKind::Weekly => "weekly",
                MeetingKind::Monthly => "monthly",
            },
            status: m.status.as_str(),
            relation: m.relation.map(|r| r.describe()),
            members: m
                .members
                .iter()
                .map(|t| {
                    let fit = match t.fit {
                        Fit::Outside => "outside",
                        Fit::Inside => "inside",
                        Fit::Comfortable => "comfortable",
                    };
                    (
                        t.username.clone(),
                        t.local.strftime("%a %H:%M %Z").to_string(),
                        fit,
                    )
                })
                .collect(),
        }
    }

    fn cancelled(&self) -> bool {
        self.status == OccurrenceStatus::Cancelled.as_str()
    }
}

#[derive(Template)]
#[template(path = "syncs.html")]
struct SyncsPage {
    layout: Layout,
    view: SyncsView,
    meetings: Vec<MeetingRow>,
}

impl SyncsPage {
    fn reference(subject: &str) -> String {
        supportops_domain::review::reference(&supportops_domain::SubjectUrl::parse(subject))
    }

    fn outcome(o: &Option<supportops_domain::sync::Outcome>) -> &'static str {
        match o {
            Some(supportops_domain::sync::Outcome::Resolved) => "resolved",
            Some(supportops_domain::sync::Outcome::NotResolved) => "not resolved",
            None => "no outcome yet",
        }
    }

    fn state(s: &supportops_domain::sync::ReviewState) -> &'static str {
        match s {
            supportops_domain::sync::ReviewState::Open => "opened",
            supportops_domain::sync::ReviewState::Closed => "closed",
        }
    }

    fn since(&self) -> String {
        let since = &self.view.agenda.since;
        match since.kind {
            supportops_domain::sync::SinceKind::Held => {
                format!("since the last monthly sync, held on {}", since.date)
            }
            supportops_domain::sync::SinceKind::Scheduled => format!(
                "since {}, the last monthly sync on the schedule (none recorded as held)",
                since.date
            ),
        }
    }
}

/// Where a tracker issue can be opened: its own link when it is a web link (GitLab), else its
/// page on the dashboard (`/reviews/{iid}`), which shows a local issue's text.
pub fn issue_href(web_url: &str, iid: &u64) -> String {
    views::href(web_url).unwrap_or_else(|| format!("/reviews/{iid}"))
}

/// A subject reference without its leading groups: `group/sub/project#12` → `sub/project#12`,
/// so tables stay narrow; the full reference is in the link's title.
pub fn short_ref(reference: &str) -> &str {
    let Some(sigil) = reference.find(['#', '!', '&']) else {
        return reference;
    };
    let path = &reference[..sigil];
    if reference.contains("://") {
        return reference;
    }
    let mut cut = path.len();
    for _ in 0..2 {
        match path[..cut].rfind('/') {
            Some(i) => cut = i,
            None => return reference,
        }
    }
    &reference[cut + 1..]
}

/// The date of an RFC 3339 time, e.g. `2026-11-27`.
pub fn date_of(rfc3339: &Option<String>) -> &str {
    rfc3339.as_deref().and_then(|t| t.get(..10)).unwrap_or("–")
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    layout: Layout,
    view: crate::views::reviews::ReviewsView,
}

/// `GET /reviews?state=&outcome=&band=&month=&q=&page=&per_page=`.
pub async fn reviews(
    State(state): State<AppState>,
    Query(params): Query<views::reviews::ReviewParams>,
) -> Result<Html<String>, PageError> {
    let query = views::reviews::ReviewQuery::parse(&params)?;
    let view = views::reviews::load(&state, query, "/reviews").await?;
    render(&ReviewsPage {
        layout: Layout::of(&state, "/reviews"),
        view,
    })
}

/// `GET /syncs`.
pub async fn syncs(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let view = views::syncs::load(&state).await?;
    let meetings = view.meetings.iter().map(MeetingRow::of).collect();
    render(&SyncsPage {
        layout: Layout::of(&state, "/syncs"),
        view,
        meetings,
    })
}

/// A region's line in a coverage card.
#[derive(Debug, Clone)]
pub struct RegionLine {
    /// The region.
    pub region: String,
    /// Sessions done.
    pub done: u32,
    /// Sessions scheduled or planned.
    pub arranged: u32,
    /// The target.
    pub target: u32,
    /// Width of the done bar, percent.
    pub done_pct: u32,
    /// Width of the arranged part, percent.
    pub arranged_pct: u32,
    /// `met`, `arranged`, `open`, `cannot_meet`, `missed`.
    pub status: &'static str,
    /// Where it stands, in words.
    pub status_text: &'static str,
    /// Sessions past their time and not recorded done.
    pub overdue: u32,
}

/// The lines of a period's coverage.
pub fn region_lines(p: &supportops_domain::shadow::PeriodCoverage) -> Vec<RegionLine> {
    use supportops_domain::shadow::coverage::RegionStatus;
    p.regions
        .iter()
        .map(|r| {
            let pct = |n: u32| (n * 100).checked_div(r.target).unwrap_or(100).min(100);
            let arranged = r.scheduled + r.planned;
            let done_pct = pct(r.done);
            RegionLine {
                region: r.region.clone(),
                done: r.done,
                arranged,
                target: r.target,
                done_pct,
                arranged_pct: pct(r.done + arranged).saturating_sub(done_pct),
                status: r.status.as_str(),
                status_text: match r.status {
                    RegionStatus::Met => "target met",
                    RegionStatus::Arranged => "on track: the rest is arranged",
                    RegionStatus::Open => "needs sessions",
                    RegionStatus::CannotMeet => "cannot be met any more",
                    RegionStatus::Missed => "missed",
                    RegionStatus::BeforeStart => "before the team started tracking",
                },
                overdue: r.overdue,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::short_ref;

    #[test]
    fn short_references_keep_the_last_two_path_segments() {
        assert_eq!(
            short_ref("gitlab-com/support/support-ops/zendesk-global/macros#207"),
            "zendesk-global/macros#207"
        );
        assert_eq!(short_ref("a/b!7"), "a/b!7");
        assert_eq!(short_ref("ZD macro cleanup"), "ZD macro cleanup");
        assert_eq!(
            short_ref("https://example.com/x#y"),
            "https://example.com/x#y"
        );
    }
}
