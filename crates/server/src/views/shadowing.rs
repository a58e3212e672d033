//! The Shadowing view: coverage per period and region against the target (with the use case's
//! warnings), sessions done per region and month for the heatmap, the planner's proposal
//! for next month, and the sessions themselves (one, or a filtered page of them), each with
//! its time in the member's and the region's zones.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use supportops_app::shadow::{self, CoverageReport, PlanReport, SessionTimes};
use supportops_domain::shadow::{Month, PeriodCoverage, SessionState, ShadowSession};
use supportops_ports::store::shadow::SessionQuery;

use crate::error::{BadParam, DataError};
use crate::state::AppState;
use crate::views::{count_param, given, page_param};

/// One region's row of the heatmap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatmapRow {
    /// The region.
    pub region: String,
    /// Sessions done, per month of [`Heatmap::months`].
    pub done: Vec<u32>,
    /// Sessions planned or scheduled, per month.
    pub arranged: Vec<u32>,
}

/// Sessions per region and month, over the periods the coverage shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heatmap {
    /// `YYYY-MM`, oldest first.
    pub months: Vec<String>,
    /// One row per region, in config order.
    pub regions: Vec<HeatmapRow>,
    /// The monthly pace that meets the period target (target ÷ months per period).
    pub monthly_pace: f64,
}

/// What the Shadowing view shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShadowingView {
    /// The coverage report, as `supportops shadow coverage --format json` prints it.
    pub coverage: CoverageReport,
    /// Sessions per region and month.
    pub heatmap: Heatmap,
    /// The planner's proposal for next month (not recorded).
    pub next_plan: Option<PlanReport>,
    /// Why there is no proposal, when the planner could not make one.
    pub plan_problem: Option<String>,
}

impl ShadowingView {
    /// The period that contains today.
    pub fn current(&self) -> Option<&PeriodCoverage> {
        self.coverage.periods.last()
    }
}

/// The coverage of the current period only (for the Overview).
pub async fn current(state: &AppState) -> Result<Option<PeriodCoverage>, DataError> {
    let report =
        shadow::coverage(state.store().as_ref(), state.shadowing(), None, state.now()).await?;
    Ok(report.periods.last().cloned())
}

/// The whole view.
pub async fn load(state: &AppState) -> Result<ShadowingView, DataError> {
    let today = state
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let sh = state.shadowing();
    let coverage = shadow::coverage(state.store().as_ref(), sh, None, state.now()).await?;
    let (first, last) = match (coverage.periods.first(), coverage.periods.last()) {
        (Some(f), Some(l)) => (f.period.first_month(), l.period.last_month()),
        _ => (Month::of(today), Month::of(today)),
    };
    let sessions = shadow::list(
        state.store().as_ref(),
        &SessionQuery {
            from: Some(first),
            to: Some(last),
            ..SessionQuery::default()
        },
    )
    .await?;
    let months: Vec<Month> = (0..=last.months_since(first))
        .map(|i| first.plus(i))
        .collect();
    let column: BTreeMap<Month, usize> = months.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut regions: Vec<HeatmapRow> = sh
        .regions
        .iter()
        .map(|r| HeatmapRow {
            region: r.name.clone(),
            done: vec![0; months.len()],
            arranged: vec![0; months.len()],
        })
        .collect();
    for s in &sessions {
        let (Some(&col), Some(row)) = (
            column.get(&s.month),
            regions.iter_mut().find(|r| r.region == s.region),
        ) else {
            continue;
        };
        match s.state {
            SessionState::Done => row.done[col] += 1,
            SessionState::Planned | SessionState::Scheduled => row.arranged[col] += 1,
            SessionState::Cancelled => {}
        }
    }
    let months_per_period = coverage.periods.last().map_or(1, |p| p.months.len().max(1));
    let heatmap = Heatmap {
        months: months.iter().map(ToString::to_string).collect(),
        regions,
        monthly_pace: f64::from(sh.rules.target_per_region) / months_per_period as f64,
    };
    let next = Month::of(today).next();
    let (next_plan, plan_problem) =
        match shadow::plan(state.store().as_ref(), sh, next, &[], false, state.now()).await {
            Ok(plan) => (Some(plan), None),
            Err(e) if e.is_bad_input() => (None, Some(e.to_string())),
            Err(e) => return Err(e.into()),
        };
    Ok(ShadowingView {
        coverage,
        heatmap,
        next_plan,
        plan_problem,
    })
}

/// A session as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionView {
    /// The session, as `supportops shadow list --format json` prints it.
    #[serde(flatten)]
    pub session: ShadowSession,
    /// The member's display name.
    pub member_name: String,
    /// `overdue` for a session past its time and not done, else its state.
    pub status: &'static str,
    /// Whether it is past its time (or its month) and not recorded done.
    pub overdue: bool,
    /// When it takes place in the member's, the region's zone and UTC, once scheduled.
    pub times: Option<SessionTimes>,
    /// Its page on the dashboard.
    pub href: String,
}

impl SessionView {
    /// The view of `session` as of now.
    pub fn of(state: &AppState, session: ShadowSession) -> SessionView {
        let sh = state.shadowing();
        let now = state.now();
        SessionView {
            member_name: sh
                .member(&session.member)
                .map_or_else(|| session.member.clone(), |m| m.name.clone()),
            status: session.status(now),
            overdue: session.is_overdue(now),
            times: sh.times(&session),
            href: format!("/shadowing/sessions/{}", session.id),
            session,
        }
    }
}

/// The most sessions one page of the list may hold.
pub const MAX_SESSIONS_PER_PAGE: usize = 200;
/// Sessions per page unless `per_page` says otherwise.
pub const DEFAULT_SESSIONS_PER_PAGE: usize = 50;

/// The query string of `/api/v1/shadowing/sessions`, as typed; empty fields are unset.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionParams {
    /// `YYYY-MM`: only sessions counting toward this month.
    pub month: Option<String>,
    /// Only this member's sessions (username).
    pub member: Option<String>,
    /// `planned`, `scheduled`, `done` or `cancelled`.
    pub state: Option<String>,
    /// 1-based page.
    pub page: Option<String>,
    /// Sessions per page.
    pub per_page: Option<String>,
}

/// A validated session filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionFilter {
    /// Only this month.
    pub month: Option<Month>,
    /// Only this member.
    pub member: Option<String>,
    /// Only this state.
    pub state: Option<SessionState>,
    /// 1-based page.
    pub page: usize,
    /// Sessions per page.
    pub per_page: usize,
}

impl SessionFilter {
    /// Checks the typed parameters.
    pub fn parse(p: &SessionParams) -> Result<SessionFilter, BadParam> {
        let month = given(&p.month)
            .map(|m| {
                Month::parse(m).map_err(|_| BadParam {
                    param: "month",
                    value: m.to_owned(),
                    expected: "a month written YYYY-MM, e.g. 2026-12",
                })
            })
            .transpose()?;
        let state = given(&p.state)
            .map(|t| {
                SessionState::parse(t).ok_or_else(|| BadParam {
                    param: "state",
                    value: t.to_owned(),
                    expected: "one of planned, scheduled, done, cancelled",
                })
            })
            .transpose()?;
        Ok(SessionFilter {
            month,
            member: given(&p.member).map(str::to_owned),
            state,
            page: page_param(given(&p.page), usize::MAX)?,
            per_page: count_param(
                "per_page",
                given(&p.per_page),
                DEFAULT_SESSIONS_PER_PAGE,
                MAX_SESSIONS_PER_PAGE,
                "a number from 1 to 200",
            )?,
        })
    }

    /// The query string of page `page` of this filter (without the `?`).
    fn query_string(&self, page: usize) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(m) = self.month {
            q.append_pair("month", &m.to_string());
        }
        if let Some(m) = &self.member {
            q.append_pair("member", m);
        }
        if let Some(s) = self.state {
            q.append_pair("state", s.as_str());
        }
        if self.per_page != DEFAULT_SESSIONS_PER_PAGE {
            q.append_pair("per_page", &self.per_page.to_string());
        }
        q.append_pair("page", &page.to_string());
        q.finish()
    }
}

/// A page of sessions, by month then id (a stable order: ids only grow).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionPage {
    /// Sessions matching the filter, on all pages.
    pub total: usize,
    /// This page (1-based).
    pub page: usize,
    /// Sessions per page.
    pub per_page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// The filter applied.
    pub filter: SessionFilter,
    /// This page's sessions.
    pub sessions: Vec<SessionView>,
    /// The link to the next page of the same list, absent on the last page.
    pub next: Option<String>,
}

/// The sessions matching `filter`, one page of them; `path` is where the list is served.
pub async fn sessions(
    state: &AppState,
    filter: SessionFilter,
    path: &str,
) -> Result<SessionPage, DataError> {
    let all = shadow::list(
        state.store().as_ref(),
        &SessionQuery {
            from: filter.month,
            to: filter.month,
            member: filter.member.clone(),
            state: filter.state,
        },
    )
    .await?;
    let total = all.len();
    let pages = total.div_ceil(filter.per_page).max(1);
    let skip = filter
        .page
        .saturating_sub(1)
        .saturating_mul(filter.per_page);
    let sessions = all
        .into_iter()
        .skip(skip)
        .take(filter.per_page)
        .map(|s| SessionView::of(state, s))
        .collect();
    Ok(SessionPage {
        total,
        page: filter.page,
        per_page: filter.per_page,
        pages,
        next: (filter.page < pages)
            .then(|| format!("{path}?{}", filter.query_string(filter.page + 1))),
        filter,
        sessions,
    })
}

/// The sessions still to arrange or record (planned or scheduled), by month then id.
pub async fn open_sessions(state: &AppState) -> Result<Vec<SessionView>, DataError> {
    let mut open = Vec::new();
    for s in [SessionState::Planned, SessionState::Scheduled] {
        open.extend(
            shadow::list(
                state.store().as_ref(),
                &SessionQuery {
                    state: Some(s),
                    ..SessionQuery::default()
                },
            )
            .await?,
        );
    }
    open.sort_by_key(|a| (a.month, a.id));
    Ok(open
        .into_iter()
        .map(|s| SessionView::of(state, s))
        .collect())
}
