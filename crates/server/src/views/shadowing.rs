//! The Shadowing view: coverage per period and region against the target (with the use case's
//! warnings), sessions done per region and month for the heatmap, and the planner's proposal
//! for next month.

use std::collections::BTreeMap;

use serde::Serialize;
use supportops_app::shadow::{self, CoverageReport, PlanReport};
use supportops_domain::shadow::{Month, PeriodCoverage, SessionState};
use supportops_ports::store::shadow::SessionQuery;

use crate::error::DataError;
use crate::state::AppState;

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
