//! Coverage: for a period, how many sessions each region got against its target, whether each
//! member shadowed each month, and an early warning when a target can no longer be met.
//!
//! "Can no longer be met" is counted, not guessed: a region can still get the sessions already
//! planned or scheduled for the months left, plus one per free member-month (a member who is
//! not away and has not used their sessions for that month). When even that falls short of the
//! target, the region gets a warning, as does the team when the regions' shortfalls together
//! exceed the free member-months.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use super::{Member, Month, Period, Region, Rules, SessionId, SessionState, ShadowSession};

/// Where a period lies relative to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// It has ended.
    Past,
    /// Today is in it.
    Current,
    /// It has not started.
    Future,
}

/// How a region stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionStatus {
    /// Enough sessions are done.
    Met,
    /// Enough sessions are done, scheduled or planned.
    Arranged,
    /// More sessions are needed, and there is still room for them.
    Open,
    /// The months left cannot give it enough sessions any more.
    CannotMeet,
    /// The period ended short of the target.
    Missed,
    /// The whole period is before the team started tracking (`team.since`).
    BeforeStart,
}

impl RegionStatus {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionStatus::Met => "met",
            RegionStatus::Arranged => "arranged",
            RegionStatus::Open => "open",
            RegionStatus::CannotMeet => "cannot_meet",
            RegionStatus::Missed => "missed",
            RegionStatus::BeforeStart => "before_start",
        }
    }
}

/// One region's line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionCoverage {
    /// The region.
    pub region: String,
    /// Sessions wanted in the period.
    pub target: u32,
    /// Sessions done.
    pub done: u32,
    /// Sessions scheduled, not yet done.
    pub scheduled: u32,
    /// Sessions planned, not yet scheduled.
    pub planned: u32,
    /// Sessions past their time and not recorded done (not counted as scheduled or planned).
    pub overdue: u32,
    /// The most it can still reach: done, plus what is arranged for the months left, plus
    /// the free member-months.
    pub reachable: u32,
    /// Where it stands.
    pub status: RegionStatus,
}

/// Whether a member shadowed in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthStatus {
    /// A session is done.
    Shadowed,
    /// A session is scheduled.
    Scheduled,
    /// A session is planned.
    Planned,
    /// A session is past its time (its end, or its month for a planned one) and not done.
    Overdue,
    /// Before the team started tracking sessions (`team.since`): not missed.
    BeforeStart,
    /// Away that month.
    Away,
    /// The month is over and no session was done.
    Missed,
    /// The current month, nothing arranged yet.
    Open,
    /// A later month, nothing arranged yet.
    Upcoming,
}

/// A session as it appears in a member's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionBrief {
    /// Its id.
    pub id: SessionId,
    /// The region.
    pub region: String,
    /// Its state.
    pub state: SessionState,
}

/// One member's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberMonth {
    /// The month.
    pub month: Month,
    /// What happened.
    pub status: MonthStatus,
    /// The member's sessions that month (cancelled ones left out).
    pub sessions: Vec<SessionBrief>,
}

/// One member's line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberCoverage {
    /// The username.
    pub member: String,
    /// The display name.
    pub name: String,
    /// Each month of the period.
    pub months: Vec<MemberMonth>,
}

/// A warning about a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The region it is about; `None` for the team as a whole.
    pub region: Option<String>,
    /// What is wrong and what can be done.
    pub message: String,
}

/// The coverage of one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodCoverage {
    /// The period.
    pub period: Period,
    /// Past, current or future.
    pub timing: Timing,
    /// Its months.
    pub months: Vec<Month>,
    /// Sessions wanted per region.
    pub target_per_region: u32,
    /// Member-months still free in the months left.
    pub free_member_months: u32,
    /// Per region.
    pub regions: Vec<RegionCoverage>,
    /// Per member.
    pub members: Vec<MemberCoverage>,
    /// Targets missed or that cannot be met any more.
    pub warnings: Vec<Warning>,
}

/// When a coverage report is made, and since when the team tracks its sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    /// The current time: sessions past their end and not done are overdue.
    pub now: Timestamp,
    /// The first month the team tracked (`team.since`): earlier months are never missed, and
    /// a period that began earlier has its target scaled to the months tracked.
    pub since: Option<Month>,
}

/// Computes the coverage of `period` as of the start of `today`, with every month tracked
/// (see [`coverage_as_of`]).
pub fn coverage(
    period: Period,
    rules: &Rules,
    members: &[Member],
    regions: &[Region],
    sessions: &[ShadowSession],
    today: Date,
) -> PeriodCoverage {
    let now = today
        .to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH);
    coverage_as_of(
        period,
        rules,
        members,
        regions,
        sessions,
        AsOf { now, since: None },
    )
}

/// Computes the coverage of `period` as of `as_of`. `sessions` may hold any sessions; those
/// outside the period are ignored. Members who are not in `members` but shadowed in the period
/// are listed too.
pub fn coverage_as_of(
    period: Period,
    rules: &Rules,
    members: &[Member],
    regions: &[Region],
    sessions: &[ShadowSession],
    as_of: AsOf,
) -> PeriodCoverage {
    let today = as_of.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let now = Month::of(today);
    let since = as_of.since;
    let tracked = |m: Month| since.is_none_or(|s| m >= s);
    let overdue = |s: &ShadowSession| s.is_overdue(as_of.now);
    let timing = if period.last_month() < now {
        Timing::Past
    } else if period.first_month() > now {
        Timing::Future
    } else {
        Timing::Current
    };
    let months = period.months();
    let in_period: Vec<&ShadowSession> = sessions
        .iter()
        .filter(|s| s.state.is_active() && period.contains(s.month))
        .collect();
    let left = |m: Month| m >= now && tracked(m);

    let mut free = 0u32;
    for member in members {
        for &m in months.iter().filter(|m| left(**m)) {
            if member.is_away(m) {
                continue;
            }
            let used = in_period
                .iter()
                .filter(|s| s.member == member.username && s.month == m)
                .count() as u32;
            free += rules.per_member_per_month.saturating_sub(used);
        }
    }

    // A period the team started part-way through asks for its share of the target.
    let tracked_months = months.iter().filter(|m| tracked(**m)).count() as u32;
    let target = if tracked_months as usize == months.len() {
        rules.target_per_region
    } else {
        (rules.target_per_region * tracked_months).div_ceil(months.len().max(1) as u32)
    };
    let before_start = tracked_months == 0;
    let mut region_lines = Vec::new();
    let mut warnings = Vec::new();
    let mut team_shortfall = 0u32;
    for r in regions {
        let mine = || in_period.iter().filter(|s| s.region == r.name);
        let n =
            |state: SessionState| mine().filter(|s| s.state == state && !overdue(s)).count() as u32;
        let (done, scheduled, planned) = (
            n(SessionState::Done),
            n(SessionState::Scheduled),
            n(SessionState::Planned),
        );
        let late = mine().filter(|s| overdue(s)).count() as u32;
        let pending = mine()
            .filter(|s| s.state != SessionState::Done && left(s.month))
            .count() as u32;
        let reachable = done + pending + free;
        let status = if before_start {
            RegionStatus::BeforeStart
        } else if done >= target {
            RegionStatus::Met
        } else if timing == Timing::Past {
            RegionStatus::Missed
        } else if reachable < target {
            RegionStatus::CannotMeet
        } else if done + pending >= target {
            RegionStatus::Arranged
        } else {
            RegionStatus::Open
        };
        team_shortfall += target.saturating_sub(done + pending);
        match status {
            RegionStatus::Missed => warnings.push(Warning {
                region: Some(r.name.clone()),
                message: format!(
                    "{} missed its target in {period}: {done} of {target} sessions done",
                    r.name
                ),
            }),
            RegionStatus::CannotMeet => warnings.push(Warning {
                region: Some(r.name.clone()),
                message: format!(
                    "{} cannot reach {target} sessions in {period} any more: {done} done, \
                     {pending} arranged and {} left; plan extra sessions beyond {} per member \
                     per month, or accept the shortfall",
                    r.name,
                    member_months(free),
                    rules.per_member_per_month,
                ),
            }),
            _ => {}
        }
        region_lines.push(RegionCoverage {
            region: r.name.clone(),
            target,
            done,
            scheduled,
            planned,
            overdue: late,
            reachable,
            status,
        });
    }
    let cannot = region_lines
        .iter()
        .any(|r| r.status == RegionStatus::CannotMeet);
    if timing != Timing::Past && !before_start && !cannot && team_shortfall > free {
        warnings.push(Warning {
            region: None,
            message: format!(
                "the team cannot cover every region in {period} any more: the regions need \
                 {team_shortfall} more sessions but only {} left",
                member_months(free)
            ),
        });
    }

    let member_lines = member_lines(members, &in_period, &months, now, as_of);

    PeriodCoverage {
        period,
        timing,
        months,
        target_per_region: target,
        free_member_months: free,
        regions: region_lines,
        members: member_lines,
        warnings,
    }
}

/// Per member (the configured ones, then anyone else with a session in the period), the
/// status of each month of the period as of `now`.
fn member_lines(
    members: &[Member],
    in_period: &[&ShadowSession],
    months: &[Month],
    now: Month,
    as_of: AsOf,
) -> Vec<MemberCoverage> {
    let tracked = |m: Month| as_of.since.is_none_or(|s| m >= s);
    let overdue = |s: &ShadowSession| s.is_overdue(as_of.now);
    let mut names: Vec<(String, String)> = members
        .iter()
        .map(|m| (m.username.clone(), m.name.clone()))
        .collect();
    let extra: BTreeSet<&str> = in_period
        .iter()
        .map(|s| s.member.as_str())
        .filter(|u| !members.iter().any(|m| m.username == *u))
        .collect();
    names.extend(extra.into_iter().map(|u| (u.to_owned(), u.to_owned())));
    let by_member: BTreeMap<(&str, Month), Vec<&ShadowSession>> =
        in_period.iter().fold(BTreeMap::new(), |mut acc, s| {
            acc.entry((s.member.as_str(), s.month))
                .or_default()
                .push(*s);
            acc
        });
    names
        .into_iter()
        .map(|(username, name)| {
            let config = members.iter().find(|m| m.username == username);
            let months = months
                .iter()
                .map(|&m| {
                    let list = by_member
                        .get(&(username.as_str(), m))
                        .cloned()
                        .unwrap_or_default();
                    let has = |st: SessionState| list.iter().any(|s| s.state == st);
                    let status = if has(SessionState::Done) {
                        MonthStatus::Shadowed
                    } else if list.iter().any(|s| overdue(s)) {
                        MonthStatus::Overdue
                    } else if has(SessionState::Scheduled) {
                        MonthStatus::Scheduled
                    } else if has(SessionState::Planned) {
                        MonthStatus::Planned
                    } else if config.is_some_and(|c| c.is_away(m)) {
                        MonthStatus::Away
                    } else if !tracked(m) {
                        MonthStatus::BeforeStart
                    } else if m < now {
                        MonthStatus::Missed
                    } else if m == now {
                        MonthStatus::Open
                    } else {
                        MonthStatus::Upcoming
                    };
                    MemberMonth {
                        month: m,
                        status,
                        sessions: list
                            .iter()
                            .map(|s| SessionBrief {
                                id: s.id,
                                region: s.region.clone(),
                                state: s.state,
                            })
                            .collect(),
                    }
                })
                .collect();
            MemberCoverage {
                member: username,
                name,
                months,
            }
        })
        .collect()
}

fn member_months(n: u32) -> String {
    if n == 1 {
        "1 free member-month is".to_owned()
    } else {
        format!("{n} free member-months are")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;
    use crate::shadow::team::tests::{month, regions, team};

    /// Sessions from `(month, member, region, state)`.
    fn sessions(list: &[(&str, &str, &str, SessionState)]) -> Vec<ShadowSession> {
        list.iter()
            .enumerate()
            .map(|(i, (m, who, r, state))| ShadowSession {
                id: SessionId::new(i as i64 + 1),
                month: month(m),
                member: (*who).into(),
                region: (*r).into(),
                engineer: None,
                start: None,
                length_minutes: 60,
                state: *state,
                reason: String::new(),
                issue: None,
                notes: None,
                cancel_reason: None,
                improvements: Vec::new(),
                created_at: Timestamp::UNIX_EPOCH,
                updated_at: Timestamp::UNIX_EPOCH,
            })
            .collect()
    }

    /// The report as text, for snapshots.
    fn show(c: &PeriodCoverage) -> String {
        let mut out = format!(
            "{} ({:?}), {} free member-months\n",
            c.period, c.timing, c.free_member_months
        );
        for r in &c.regions {
            out.push_str(&format!(
                "{}: {} done, {} scheduled, {} planned of {}, reachable {} → {}\n",
                r.region,
                r.done,
                r.scheduled,
                r.planned,
                r.target,
                r.reachable,
                r.status.as_str()
            ));
        }
        for m in &c.members {
            let cells: Vec<String> = m
                .months
                .iter()
                .map(|mm| format!("{} {:?}", mm.month.short_name(), mm.status))
                .collect();
            out.push_str(&format!("{}: {}\n", m.member, cells.join(", ")));
        }
        for w in &c.warnings {
            out.push_str(&format!("warning: {}\n", w.message));
        }
        out
    }

    use SessionState::{Cancelled, Done, Planned, Scheduled};

    #[test]
    fn a_region_nobody_visited_warns_once_the_months_left_are_too_few() {
        let mut members = team();
        members[1].away.insert(month("2026-12"));
        members[2].away.insert(month("2026-12"));
        members[3].away.insert(month("2026-12"));
        let s = sessions(&[
            ("2026-10", "amara", "AMER", Done),
            ("2026-10", "bruno", "EMEA", Done),
            ("2026-10", "chen", "AMER", Cancelled),
            ("2026-10", "dana", "EMEA", Done),
            ("2026-11", "amara", "AMER", Done),
            ("2026-11", "bruno", "EMEA", Done),
            ("2026-11", "dana", "AMER", Scheduled),
            ("2026-12", "amara", "APAC", Planned),
        ]);
        let today = jiff::civil::date(2026, 11, 20);
        let c = coverage(
            Period::Quarter(2026, 4),
            &Rules::default(),
            &members,
            &regions(),
            &s,
            today,
        );
        insta::assert_snapshot!(show(&c), @"
        2026-Q4 (Current), 1 free member-months
        AMER: 2 done, 1 scheduled, 0 planned of 3, reachable 4 → arranged
        APAC: 0 done, 0 scheduled, 1 planned of 3, reachable 2 → cannot_meet
        EMEA: 3 done, 0 scheduled, 0 planned of 3, reachable 4 → met
        amara: Oct Shadowed, Nov Shadowed, Dec Planned
        bruno: Oct Shadowed, Nov Shadowed, Dec Away
        chen: Oct Missed, Nov Open, Dec Away
        dana: Oct Shadowed, Nov Scheduled, Dec Away
        warning: APAC cannot reach 3 sessions in 2026-Q4 any more: 0 done, 1 arranged and 1 free member-month is left; plan extra sessions beyond 1 per member per month, or accept the shortfall
        ");
    }

    #[test]
    fn a_past_period_short_of_its_target_is_missed() {
        let s = sessions(&[
            ("2026-07", "amara", "AMER", Done),
            ("2026-08", "amara", "AMER", Done),
            ("2026-09", "amara", "AMER", Done),
            ("2026-09", "bruno", "EMEA", Done),
        ]);
        let c = coverage(
            Period::Quarter(2026, 3),
            &Rules::default(),
            &team()[..2],
            &regions(),
            &s,
            jiff::civil::date(2026, 11, 20),
        );
        insta::assert_snapshot!(show(&c), @"
        2026-Q3 (Past), 0 free member-months
        AMER: 3 done, 0 scheduled, 0 planned of 3, reachable 3 → met
        APAC: 0 done, 0 scheduled, 0 planned of 3, reachable 0 → missed
        EMEA: 1 done, 0 scheduled, 0 planned of 3, reachable 1 → missed
        amara: Jul Shadowed, Aug Shadowed, Sep Shadowed
        bruno: Jul Missed, Aug Missed, Sep Shadowed
        warning: APAC missed its target in 2026-Q3: 0 of 3 sessions done
        warning: EMEA missed its target in 2026-Q3: 1 of 3 sessions done
        ");
    }

    #[test]
    fn the_team_is_warned_when_regions_together_need_more_than_is_left() {
        // Each region alone could still make it, but not all three together.
        let s = sessions(&[("2026-11", "amara", "AMER", Done)]);
        let c = coverage(
            Period::Quarter(2026, 4),
            &Rules::default(),
            &team(),
            &regions(),
            &s,
            jiff::civil::date(2026, 11, 20),
        );
        assert!(c.regions.iter().all(|r| r.status == RegionStatus::Open));
        assert_eq!(c.warnings.len(), 1, "{:#?}", c.warnings);
        assert_eq!(c.warnings[0].region, None);
        assert_eq!(
            c.warnings[0].message,
            "the team cannot cover every region in 2026-Q4 any more: the regions need 8 more \
             sessions but only 7 free member-months are left"
        );
    }

    #[test]
    fn months_before_the_team_started_are_not_missed_and_the_target_is_its_share() {
        // The team started in November: October is before its time, and Q4 asks for two
        // sessions per region (3 × 2 of 3 months, rounded up), not three.
        let s = sessions(&[("2026-12", "amara", "AMER", Planned)]);
        let c = coverage_as_of(
            Period::Quarter(2026, 4),
            &Rules::default(),
            &team(),
            &regions(),
            &s,
            AsOf {
                now: "2026-11-20T10:00:00Z".parse().unwrap(),
                since: Some(month("2026-11")),
            },
        );
        insta::assert_snapshot!(show(&c), @r"
        2026-Q4 (Current), 7 free member-months
        AMER: 0 done, 0 scheduled, 1 planned of 2, reachable 8 → open
        APAC: 0 done, 0 scheduled, 0 planned of 2, reachable 7 → open
        EMEA: 0 done, 0 scheduled, 0 planned of 2, reachable 7 → open
        amara: Oct BeforeStart, Nov Open, Dec Planned
        bruno: Oct BeforeStart, Nov Open, Dec Upcoming
        chen: Oct BeforeStart, Nov Open, Dec Upcoming
        dana: Oct BeforeStart, Nov Open, Dec Upcoming
        ");
        let earlier = coverage_as_of(
            Period::Quarter(2026, 3),
            &Rules::default(),
            &team(),
            &regions(),
            &s,
            AsOf {
                now: "2026-11-20T10:00:00Z".parse().unwrap(),
                since: Some(month("2026-11")),
            },
        );
        assert!(earlier.warnings.is_empty(), "{:?}", earlier.warnings);
        assert!(
            earlier
                .regions
                .iter()
                .all(|r| r.status == RegionStatus::BeforeStart)
        );
    }

    #[test]
    fn a_scheduled_session_past_its_end_is_overdue_not_done() {
        let mut s = sessions(&[("2026-11", "amara", "AMER", Scheduled)]);
        s[0].start = Some("2026-11-03T15:00:00Z".parse().unwrap());
        let c = coverage_as_of(
            Period::Quarter(2026, 4),
            &Rules::default(),
            &team(),
            &regions(),
            &s,
            AsOf {
                now: "2026-11-20T10:00:00Z".parse().unwrap(),
                since: None,
            },
        );
        let amer = &c.regions[0];
        assert_eq!(
            (amer.done, amer.scheduled, amer.overdue),
            (0, 0, 1),
            "{amer:?}"
        );
        assert_eq!(c.members[0].months[1].status, MonthStatus::Overdue);
    }

    #[test]
    fn a_future_period_has_room_for_everything() {
        let c = coverage(
            Period::Quarter(2027, 1),
            &Rules::default(),
            &team(),
            &regions(),
            &[],
            jiff::civil::date(2026, 11, 20),
        );
        assert_eq!(c.timing, Timing::Future);
        assert_eq!(c.free_member_months, 12);
        assert!(c.warnings.is_empty());
        assert!(
            c.members
                .iter()
                .all(|m| m.months.iter().all(|mm| mm.status == MonthStatus::Upcoming))
        );
    }
}
