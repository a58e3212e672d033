//! Support Shadowing: every Support Ops member shadows a Support Engineer once a month, and the
//! team covers every region a few times per period.
//!
//! - [`period`]: months and periods (`2026-12`, `2026-Q4`, `2026`);
//! - [`session`]: a [`ShadowSession`] and its life, planned → scheduled → done | cancelled;
//! - [`team`]: [`Member`]s and [`Region`]s with zones and working hours, and their overlap;
//! - [`planner`]: [`plan`] proposes who shadows which region in a month, each with a reason;
//! - [`coverage`](mod@coverage): [`coverage()`] tallies a period per region and member and warns
//!   when a target can no longer be met.
//!
//! All of it is pure: the sessions known so far and "today" are arguments.

pub mod coverage;
pub mod period;
pub mod planner;
pub mod session;
pub mod team;

pub use coverage::{AsOf, PeriodCoverage, RegionStatus, coverage, coverage_as_of};
pub use period::{Month, Period, PeriodError, PeriodKind};
pub use planner::{Pin, Plan, PlanError, PlanInput, Proposal, plan};
pub use session::{
    Improvement, IssueRef, NewSession, Scheduling, SessionId, SessionState, ShadowSession,
    TransitionError,
};
pub use team::{HoursError, Member, Region, WorkingHours, overlap_minutes};

use serde::Serialize;

/// The team's shadowing rules (config `[shadowing]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// The period targets are counted over.
    pub period: PeriodKind,
    /// Sessions each region gets per period, as a team.
    pub target_per_region: u32,
    /// Sessions each member does per month.
    pub per_member_per_month: u32,
    /// Session length in minutes.
    pub length_minutes: u32,
}

impl Default for Rules {
    /// The handbook's rules: 3 per region per quarter, 1 per member per month, 60 minutes.
    fn default() -> Self {
        Rules {
            period: PeriodKind::Quarter,
            target_per_region: 3,
            per_member_per_month: 1,
            length_minutes: 60,
        }
    }
}

/// Writes a number of minutes as `7h`, `6h30` or `45 min`.
pub fn format_minutes(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}"),
    }
}
