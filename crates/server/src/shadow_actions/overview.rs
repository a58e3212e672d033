//! The Shadowing page (`/shadowing`): coverage, the heatmap, next month's proposal (with the
//! way to plan and apply it) and the sessions still to arrange or record, each linking to its
//! page.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::charts;
use crate::error::PageError;
use crate::pages::{Layout, RegionLine, region_lines};
use crate::state::AppState;
use crate::views::shadowing::{SessionView, ShadowingView};

#[derive(Template)]
#[template(path = "shadowing.html")]
struct ShadowingPage {
    layout: Layout,
    view: ShadowingView,
    heatmap: String,
    current: Option<(String, Vec<RegionLine>)>,
    /// Planned and scheduled sessions, by month then id.
    open: Vec<SessionView>,
}

impl ShadowingPage {
    fn period_word(&self) -> &'static str {
        use supportops_domain::shadow::PeriodKind;
        match self.view.coverage.period_kind {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    fn month_status(
        s: &supportops_domain::shadow::coverage::MonthStatus,
    ) -> (&'static str, &'static str) {
        use supportops_domain::shadow::coverage::MonthStatus;
        match s {
            MonthStatus::Shadowed => ("shadowed", "✓ shadowed"),
            MonthStatus::Scheduled => ("scheduled", "scheduled"),
            MonthStatus::Planned => ("planned", "planned"),
            MonthStatus::Overdue => ("overdue", "! overdue"),
            MonthStatus::BeforeStart => ("before-start", "–"),
            MonthStatus::Away => ("away", "away"),
            MonthStatus::Missed => ("missed", "✗ missed"),
            MonthStatus::Open => ("open", "not arranged"),
            MonthStatus::Upcoming => ("upcoming", "–"),
        }
    }

    /// What an editor does next with a session, as its link's text.
    fn next_step(s: &SessionView) -> &'static str {
        use supportops_domain::shadow::SessionState;
        match s.session.state {
            SessionState::Planned => "schedule",
            SessionState::Scheduled if s.overdue => "record it done",
            SessionState::Scheduled => "open",
            SessionState::Done | SessionState::Cancelled => "open",
        }
    }
}

/// `GET /shadowing`.
pub async fn page(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let view = crate::views::shadowing::load(&state).await?;
    let open = crate::views::shadowing::open_sessions(&state).await?;
    let rows: Vec<charts::HeatRow> = view
        .heatmap
        .regions
        .iter()
        .map(|r| charts::HeatRow {
            name: r.region.clone(),
            values: r.done.clone(),
            arranged: r.arranged.clone(),
        })
        .collect();
    let heatmap = charts::heatmap(&view.heatmap.months, &rows, view.heatmap.monthly_pace)?;
    let current = view
        .current()
        .map(|p| (p.period.to_string(), region_lines(p)));
    Ok(Html(
        ShadowingPage {
            layout: Layout::of(&state, "/shadowing"),
            view,
            heatmap,
            current,
            open,
        }
        .render()?,
    ))
}
