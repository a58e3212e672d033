//! The planner: for one month, which member shadows which region, and why.
//!
//! Each step picks the (member, region) pair that ranks best by, in order:
//! 1. the region's shortfall against its period target (sessions planned, scheduled or done
//!    so far; a met target counts as no shortfall), largest first;
//! 2. whether the member's and the region's working hours overlap for a whole session;
//! 3. the member with the fewest such regions at that level of shortfall first, so a choice
//!    for one member does not strand another outside working hours;
//! 4. rotation: the region the member shadowed least recently (never first);
//! 5. the region with the fewest sessions in the period;
//! 6. the overlap in minutes, largest first;
//! 7. the region's name, then the member's username, so ties always break the same way.
//!
//! Members who are away that month are skipped, as are members who already have their
//! sessions for the month. Sessions pinned by hand ([`Pin`]) are placed first.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    Member, Month, Period, Region, Rules, SessionId, SessionState, ShadowSession, format_minutes,
    overlap_minutes,
};

/// A session fixed by hand before the planner fills in the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The member's username.
    pub member: String,
    /// The region's name.
    pub region: String,
}

/// What the planner works from.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The month to plan.
    pub month: Month,
    /// The team's rules.
    pub rules: &'a Rules,
    /// The members, in config order.
    pub members: &'a [Member],
    /// The regions.
    pub regions: &'a [Region],
    /// Every session known (cancelled ones are ignored).
    pub sessions: &'a [ShadowSession],
    /// Sessions fixed by hand.
    pub pins: &'a [Pin],
}

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A pin names a member who is not in the team.
    #[error("`{member}` is not a team member; known members: {known}")]
    UnknownMember {
        /// The name given.
        member: String,
        /// The members' usernames, comma-separated.
        known: String,
    },
    /// A pin names a region that is not configured.
    #[error("`{region}` is not a region; known regions: {known}")]
    UnknownRegion {
        /// The name given.
        region: String,
        /// The regions' names, comma-separated.
        known: String,
    },
    /// No regions are configured.
    #[error("no regions are configured; add a `[shadowing.regions.NAME]` table")]
    NoRegions,
}

/// A proposed session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// The member's username.
    pub member: String,
    /// The region.
    pub region: String,
    /// Why, in words.
    pub reason: String,
    /// Minutes the member's and the region's working hours overlap mid-month.
    pub overlap_minutes: i64,
    /// Whether it was fixed by hand.
    pub pinned: bool,
}

/// A session already arranged for the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arranged {
    /// Its id.
    pub id: SessionId,
    /// The member.
    pub member: String,
    /// The region.
    pub region: String,
    /// Its state.
    pub state: SessionState,
}

/// A member the planner left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    /// The member's username.
    pub member: String,
    /// Why.
    pub reason: String,
}

/// A region's count for the period, before and with the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionTally {
    /// The region.
    pub region: String,
    /// The period target.
    pub target: u32,
    /// Sessions planned, scheduled or done in the period before this plan.
    pub arranged: u32,
    /// Sessions this plan adds.
    pub proposed: u32,
}

/// The planner's answer for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The month planned.
    pub month: Month,
    /// The period it counts toward.
    pub period: Period,
    /// New sessions, in the order they were chosen.
    pub proposals: Vec<Proposal>,
    /// Sessions that already exist for the month.
    pub arranged: Vec<Arranged>,
    /// Members left out.
    pub skipped: Vec<Skip>,
    /// Each region's count for the period.
    pub regions: Vec<RegionTally>,
}

/// Proposes the sessions of `input.month`. Deterministic: the same input gives the same plan.
pub fn plan(input: PlanInput<'_>) -> Result<Plan, PlanError> {
    let PlanInput {
        month,
        rules,
        members,
        regions,
        sessions,
        pins,
    } = input;
    if regions.is_empty() {
        return Err(PlanError::NoRegions);
    }
    let period = Period::containing(rules.period, month);
    let mid_month = month.day(15);
    let target = i64::from(rules.target_per_region);
    let active = || sessions.iter().filter(|s| s.state.is_active());

    let mut count: BTreeMap<&str, i64> = regions.iter().map(|r| (r.name.as_str(), 0)).collect();
    for s in active().filter(|s| period.contains(s.month)) {
        if let Some(c) = count.get_mut(s.region.as_str()) {
            *c += 1;
        }
    }
    let before = count.clone();
    let mut last: BTreeMap<(&str, &str), Month> = BTreeMap::new();
    for s in active().filter(|s| s.month <= month) {
        let e = last
            .entry((s.member.as_str(), s.region.as_str()))
            .or_insert(s.month);
        *e = (*e).max(s.month);
    }
    let arranged: Vec<Arranged> = active()
        .filter(|s| s.month == month)
        .map(|s| Arranged {
            id: s.id,
            member: s.member.clone(),
            region: s.region.clone(),
            state: s.state,
        })
        .collect();

    let mut proposals = Vec::new();
    let mut pinned_count: BTreeMap<&str, u32> = BTreeMap::new();
    for pin in pins {
        let member = members
            .iter()
            .find(|m| m.username == pin.member)
            .ok_or_else(|| PlanError::UnknownMember {
                member: pin.member.clone(),
                known: join(members.iter().map(|m| m.username.as_str())),
            })?;
        let region = regions
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(&pin.region))
            .ok_or_else(|| PlanError::UnknownRegion {
                region: pin.region.clone(),
                known: join(regions.iter().map(|r| r.name.as_str())),
            })?;
        let mut reason = "assigned by hand".to_owned();
        if member.is_away(month) {
            reason.push_str(&format!(" (although away in {month})"));
        }
        proposals.push(Proposal {
            member: member.username.clone(),
            region: region.name.clone(),
            reason,
            overlap_minutes: overlap_minutes(member, region, mid_month),
            pinned: true,
        });
        *count.entry(region.name.as_str()).or_default() += 1;
        last.insert((member.username.as_str(), region.name.as_str()), month);
        *pinned_count.entry(member.username.as_str()).or_default() += 1;
    }

    let (mut slots, skipped) = free_slots(members, rules, month, &arranged, &pinned_count);

    let length = i64::from(rules.length_minutes);
    loop {
        let candidates = members
            .iter()
            .filter(|m| slots.get(m.username.as_str()).is_some_and(|n| *n > 0))
            .flat_map(|m| regions.iter().map(move |r| (m, r)));
        let shortfall = |r: &Region| (target - count[r.name.as_str()]).max(0);
        let reachable = |m: &Member, r: &Region| overlap_minutes(m, r, mid_month) >= length;
        // How many regions at this level of shortfall the member could attend in working hours.
        let choices = |m: &Member, level: i64| {
            regions
                .iter()
                .filter(|r| shortfall(r) == level && reachable(m, r))
                .count()
        };
        let best = candidates
            .map(|(m, r)| {
                let overlap = overlap_minutes(m, r, mid_month);
                let previous = last.get(&(m.username.as_str(), r.name.as_str())).copied();
                (m, r, overlap, previous)
            })
            .min_by_key(|&(m, r, overlap, previous)| {
                (
                    Reverse(shortfall(r)),
                    Reverse(overlap >= length),
                    choices(m, shortfall(r)),
                    previous,
                    count[r.name.as_str()],
                    Reverse(overlap),
                    r.name.as_str(),
                    m.username.as_str(),
                )
            });
        let Some((m, r, overlap, previous)) = best else {
            break;
        };
        let only = regions.iter().filter(|x| reachable(m, x)).count() == 1 && reachable(m, r);
        let reason = reason(m, r, period, rules, &count, previous, overlap, only);
        proposals.push(Proposal {
            member: m.username.clone(),
            region: r.name.clone(),
            reason,
            overlap_minutes: overlap,
            pinned: false,
        });
        *count.entry(r.name.as_str()).or_default() += 1;
        last.insert((m.username.as_str(), r.name.as_str()), month);
        if let Some(n) = slots.get_mut(m.username.as_str()) {
            *n -= 1;
        }
    }

    let regions = regions
        .iter()
        .map(|r| {
            let (b, a) = (before[r.name.as_str()], count[r.name.as_str()]);
            RegionTally {
                region: r.name.clone(),
                target: rules.target_per_region,
                arranged: b as u32,
                proposed: (a - b) as u32,
            }
        })
        .collect();
    Ok(Plan {
        month,
        period,
        proposals,
        arranged,
        skipped,
        regions,
    })
}

/// How many more sessions each member can take in `month` (after what is arranged and pinned),
/// and the members skipped, with why (away, or already arranged).
fn free_slots<'m>(
    members: &'m [Member],
    rules: &Rules,
    month: Month,
    arranged: &[Arranged],
    pinned_count: &BTreeMap<&str, u32>,
) -> (BTreeMap<&'m str, u32>, Vec<Skip>) {
    let mut skipped = Vec::new();
    let mut slots: BTreeMap<&'m str, u32> = BTreeMap::new();
    for m in members {
        let pinned = pinned_count.get(m.username.as_str()).copied().unwrap_or(0);
        if pinned > 0 && m.is_away(month) {
            continue;
        }
        if m.is_away(month) {
            skipped.push(Skip {
                member: m.username.clone(),
                reason: format!("away in {month}"),
            });
            continue;
        }
        let mine: Vec<&Arranged> = arranged.iter().filter(|a| a.member == m.username).collect();
        let free = rules
            .per_member_per_month
            .saturating_sub(mine.len() as u32)
            .saturating_sub(pinned);
        if free == 0 {
            if pinned == 0 {
                let list = join(
                    mine.iter()
                        .map(|a| format!("#{} ({}, {})", a.id, a.region, a.state)),
                );
                skipped.push(Skip {
                    member: m.username.clone(),
                    reason: format!("already has {list} in {month}"),
                });
            }
            continue;
        }
        slots.insert(m.username.as_str(), free);
    }
    (slots, skipped)
}

#[allow(
    clippy::too_many_arguments,
    reason = "each argument is one fact the reason states"
)]
fn reason(
    m: &Member,
    r: &Region,
    period: Period,
    rules: &Rules,
    count: &BTreeMap<&str, i64>,
    previous: Option<Month>,
    overlap: i64,
    only: bool,
) -> String {
    let target = i64::from(rules.target_per_region);
    let have = count[r.name.as_str()];
    let shortfall = target - have;
    let least = count.values().map(|c| target - c).min().unwrap_or(0);
    let need = if shortfall <= 0 {
        format!("every region has its {target} sessions arranged for {period}")
    } else if shortfall > least {
        format!(
            "{} has {have} of {target} sessions arranged for {period}, the furthest behind",
            r.name
        )
    } else {
        format!(
            "{} has {have} of {target} sessions arranged for {period}",
            r.name
        )
    };
    let rotation = match previous {
        None => format!("{} has never shadowed {}", m.username, r.name),
        Some(month) => format!("{} last shadowed {} in {month}", m.username, r.name),
    };
    let hours = if only {
        format!(
            "working hours overlap by {}, the only region that does",
            format_minutes(overlap)
        )
    } else if overlap >= i64::from(rules.length_minutes) {
        format!("working hours overlap by {}", format_minutes(overlap))
    } else if overlap > 0 {
        format!("working hours overlap by only {}", format_minutes(overlap))
    } else {
        format!(
            "working hours do not overlap ({} {} vs {} {})",
            m.hours,
            m.zone.iana_name().unwrap_or("?"),
            r.hours,
            r.zone.iana_name().unwrap_or("?"),
        )
    };
    format!("{need}; {rotation}; {hours}")
}

fn join<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;
    use crate::shadow::team::tests::{member, month, region, regions, team};
    use jiff::Timestamp;

    fn plan_of(
        m: &str,
        members: &[Member],
        regions: &[Region],
        sessions: &[ShadowSession],
        pins: &[Pin],
    ) -> Plan {
        plan(PlanInput {
            month: month(m),
            rules: &Rules::default(),
            members,
            regions,
            sessions,
            pins,
        })
        .unwrap()
    }

    /// The plan as one line per decision, for snapshots.
    fn show(plan: &Plan) -> String {
        let mut out = String::new();
        for p in &plan.proposals {
            out.push_str(&format!("{} → {}: {}\n", p.member, p.region, p.reason));
        }
        for s in &plan.skipped {
            out.push_str(&format!("{} skipped: {}\n", s.member, s.reason));
        }
        out
    }

    /// Records a plan's proposals as sessions in `state`.
    fn record(plan: &Plan, state: SessionState, sessions: &mut Vec<ShadowSession>) {
        for p in &plan.proposals {
            let id = SessionId::new(sessions.len() as i64 + 1);
            sessions.push(ShadowSession {
                id,
                month: plan.month,
                member: p.member.clone(),
                region: p.region.clone(),
                engineer: None,
                start: None,
                length_minutes: 60,
                state,
                reason: p.reason.clone(),
                issue: None,
                notes: None,
                cancel_reason: None,
                improvements: Vec::new(),
                created_at: Timestamp::UNIX_EPOCH,
                updated_at: Timestamp::UNIX_EPOCH,
            });
        }
    }

    #[test]
    fn a_team_of_four_covers_every_region_three_times_in_a_quarter() {
        let (members, regions) = (team(), regions());
        let mut sessions = Vec::new();
        let mut lines = String::new();
        for m in ["2026-10", "2026-11", "2026-12"] {
            let p = plan_of(m, &members, &regions, &sessions, &[]);
            assert_eq!(p.proposals.len(), 4, "one session per member in {m}");
            lines.push_str(&format!("{m}\n{}", show(&p)));
            record(&p, SessionState::Done, &mut sessions);
        }
        for r in ["AMER", "APAC", "EMEA"] {
            let n = sessions.iter().filter(|s| s.region == r).count();
            assert!(n >= 3, "{r} got {n} sessions");
        }
        insta::assert_snapshot!(lines, @"
        2026-10
        bruno → EMEA: EMEA has 0 of 3 sessions arranged for 2026-Q4; bruno has never shadowed EMEA; working hours overlap by 6h30, the only region that does
        amara → AMER: AMER has 0 of 3 sessions arranged for 2026-Q4, the furthest behind; amara has never shadowed AMER; working hours overlap by 7h
        chen → APAC: APAC has 0 of 3 sessions arranged for 2026-Q4, the furthest behind; chen has never shadowed APAC; working hours overlap by 5h
        dana → EMEA: EMEA has 1 of 3 sessions arranged for 2026-Q4; dana has never shadowed EMEA; working hours overlap by 8h
        2026-11
        dana → AMER: AMER has 1 of 3 sessions arranged for 2026-Q4, the furthest behind; dana has never shadowed AMER; working hours overlap by 2h
        chen → APAC: APAC has 1 of 3 sessions arranged for 2026-Q4, the furthest behind; chen last shadowed APAC in 2026-10; working hours overlap by 5h
        bruno → EMEA: EMEA has 2 of 3 sessions arranged for 2026-Q4; bruno last shadowed EMEA in 2026-10; working hours overlap by 6h30, the only region that does
        amara → AMER: AMER has 2 of 3 sessions arranged for 2026-Q4, the furthest behind; amara last shadowed AMER in 2026-10; working hours overlap by 7h
        2026-12
        chen → APAC: APAC has 2 of 3 sessions arranged for 2026-Q4, the furthest behind; chen last shadowed APAC in 2026-11; working hours overlap by 5h
        bruno → EMEA: every region has its 3 sessions arranged for 2026-Q4; bruno last shadowed EMEA in 2026-11; working hours overlap by 6h30, the only region that does
        amara → EMEA: every region has its 3 sessions arranged for 2026-Q4; amara has never shadowed EMEA; working hours overlap by 3h
        dana → EMEA: every region has its 3 sessions arranged for 2026-Q4; dana last shadowed EMEA in 2026-10; working hours overlap by 8h
        ");
    }

    #[test]
    fn a_member_on_leave_is_skipped_and_the_others_still_cover_the_regions() {
        let mut members = team();
        members[2].away.insert(month("2026-10"));
        let p = plan_of("2026-10", &members, &regions(), &[], &[]);
        insta::assert_snapshot!(show(&p), @"
        bruno → EMEA: EMEA has 0 of 3 sessions arranged for 2026-Q4; bruno has never shadowed EMEA; working hours overlap by 6h30, the only region that does
        amara → AMER: AMER has 0 of 3 sessions arranged for 2026-Q4, the furthest behind; amara has never shadowed AMER; working hours overlap by 7h
        dana → APAC: APAC has 0 of 3 sessions arranged for 2026-Q4, the furthest behind; dana has never shadowed APAC; working hours do not overlap (10:00-18:00 Europe/Warsaw vs 09:00-17:00 Australia/Sydney)
        chen skipped: away in 2026-10
        ");
    }

    #[test]
    fn a_region_added_mid_period_goes_first() {
        let (members, mut regions) = (team(), regions());
        let mut sessions = Vec::new();
        for m in ["2026-10", "2026-11"] {
            let p = plan_of(m, &members, &regions, &sessions, &[]);
            record(&p, SessionState::Done, &mut sessions);
        }
        regions.push(region("LATAM", "America/Sao_Paulo"));
        let p = plan_of("2026-12", &members, &regions, &sessions, &[]);
        assert_eq!(p.proposals[0].region, "LATAM");
        assert!(
            p.proposals[0]
                .reason
                .starts_with("LATAM has 0 of 3 sessions arranged for 2026-Q4, the furthest behind"),
            "{}",
            p.proposals[0].reason
        );
        let latam = p.regions.iter().find(|t| t.region == "LATAM").unwrap();
        assert_eq!((latam.arranged, latam.proposed), (0, 3));
    }

    #[test]
    fn ties_break_by_name_whatever_the_config_order() {
        let twins = vec![
            member("zoe", "Europe/London", "09:00-17:00"),
            member("yann", "Europe/London", "09:00-17:00"),
        ];
        let one_region = vec![region("EMEA", "Europe/London")];
        let a = plan_of("2026-10", &twins, &one_region, &[], &[]);
        let reversed: Vec<Member> = twins.iter().rev().cloned().collect();
        let b = plan_of("2026-10", &reversed, &one_region, &[], &[]);
        assert_eq!(a.proposals, b.proposals);
        assert_eq!(a.proposals[0].member, "yann");
    }

    #[test]
    fn members_go_where_working_hours_overlap() {
        // Singapore overlaps Sydney's day, not Chicago's, although AMER sorts first.
        let members = vec![member("chen", "Asia/Singapore", "09:00-18:00")];
        let regions = vec![
            region("AMER", "America/Chicago"),
            region("APAC", "Australia/Sydney"),
        ];
        let p = plan_of("2026-10", &members, &regions, &[], &[]);
        assert_eq!(p.proposals[0].region, "APAC");
        assert!(
            p.proposals[0].reason.contains("overlap by 5h"),
            "{}",
            p.proposals[0].reason
        );
    }

    #[test]
    fn rotation_sends_a_member_to_the_region_they_shadowed_least_recently() {
        let members = vec![member("dana", "Europe/Warsaw", "08:00-18:00")];
        let regions = vec![
            region("AMER", "America/Chicago"),
            region("EMEA", "Europe/London"),
        ];
        let mut sessions = Vec::new();
        // Both regions met for the quarter: only rotation is left to decide.
        for (m, r) in [
            ("2026-07", "AMER"),
            ("2026-08", "EMEA"),
            ("2026-08", "AMER"),
            ("2026-09", "EMEA"),
        ] {
            let p = plan_of(
                m,
                &members,
                &regions,
                &[],
                &[Pin {
                    member: "dana".into(),
                    region: r.into(),
                }],
            );
            record(&p, SessionState::Done, &mut sessions);
        }
        let extra: Vec<ShadowSession> = sessions
            .iter()
            .cloned()
            .map(|mut s| {
                s.id = SessionId::new(s.id.get() + 100);
                s
            })
            .collect();
        sessions.extend(extra);
        let p = plan_of("2026-09", &members, &regions, &sessions, &[]);
        assert!(
            p.proposals.is_empty(),
            "dana already has her session in 2026-09"
        );
        assert_eq!(
            p.skipped[0].reason,
            "already has #4 (EMEA, done), #104 (EMEA, done) in 2026-09"
        );
        let p = plan_of("2026-10", &members, &regions, &sessions, &[]);
        assert_eq!(p.proposals[0].region, "AMER");
        assert!(
            p.proposals[0]
                .reason
                .contains("dana last shadowed AMER in 2026-08")
        );
    }

    #[test]
    fn pins_come_first_and_the_planner_fills_the_rest() {
        let pins = [Pin {
            member: "amara".into(),
            region: "apac".into(),
        }];
        let p = plan_of("2026-10", &team(), &regions(), &[], &pins);
        assert_eq!(p.proposals[0].region, "APAC");
        assert_eq!(p.proposals[0].reason, "assigned by hand");
        assert!(p.proposals[0].pinned);
        assert_eq!(
            p.proposals.iter().filter(|x| x.member == "amara").count(),
            1
        );
        assert_eq!(p.proposals.len(), 4);
        let err = plan(PlanInput {
            month: month("2026-10"),
            rules: &Rules::default(),
            members: &team(),
            regions: &regions(),
            sessions: &[],
            pins: &[Pin {
                member: "zed".into(),
                region: "EMEA".into(),
            }],
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`zed` is not a team member; known members: amara, bruno, chen, dana"
        );
    }
}
