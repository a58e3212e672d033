//! A year of shadowing history for the demo team, so the dashboard and `shadow coverage` have
//! something true-looking to show, including a gap that makes the report warn.
//!
//! The history is made by the real planner, month by month, for the twelve months before
//! `today`: each proposal is recorded, then scheduled at a time inside both the member's and
//! the region's working hours and marked done with a short note. The region that overlaps the
//! team's working hours least is the gap: its sessions fell through late (cancelled after the
//! month was planned, so the planner did not make up for them) in the first two months of the
//! previous period and in the current period's months before today; the previous period
//! misses its target for it. The current month is planned, not done.

use jiff::civil::{Date, Weekday};
use jiff::{SignedDuration, Timestamp};
use supportops_config::Config;
use supportops_domain::shadow::{
    self as domain, IssueRef, Member, Month, NewSession, Period, PlanInput, Region, Scheduling,
    SessionState, ShadowSession, overlap_minutes,
};
use supportops_ports::store::ShadowStore;
use supportops_ports::store::shadow::SessionQuery;

use super::{ShadowError, Shadowing};

const NOTES: [&str; 4] = [
    "Filtering the ticket view by region took several clicks every time.",
    "The engineer keeps a personal list of macros outside Zendesk because search misses them.",
    "Linking a GitLab issue from a ticket meant copying the URL by hand.",
    "Escalation labels were applied by hand on every ticket.",
];

fn engineers(region: &str) -> Vec<String> {
    let names: &[&str] = match region {
        "AMER" => &["jordan", "priya", "marcus"],
        "EMEA" => &["sofia", "lars", "amina"],
        "APAC" => &["kenji", "mei", "liam"],
        _ => &[],
    };
    if names.is_empty() {
        (1..=3)
            .map(|n| format!("{}-engineer-{n}", region.to_lowercase()))
            .collect()
    } else {
        names.iter().map(|n| (*n).to_owned()).collect()
    }
}

/// A weekday of `month` near its `day`th day.
fn workday(month: Month, day: i8) -> Date {
    let d = month.day(day);
    match d.weekday() {
        Weekday::Saturday => d.checked_sub(jiff::Span::new().days(1)).unwrap_or(d),
        Weekday::Sunday => d.checked_add(jiff::Span::new().days(1)).unwrap_or(d),
        _ => d,
    }
}

/// A start on `date` inside both working days, or the region's start of day.
fn start_on(date: Date, member: &Member, region: &Region, minutes: u32) -> Option<Timestamp> {
    let (rs, re) = region.hours.on(date, &region.zone)?;
    let need = SignedDuration::from_mins(i64::from(minutes));
    for d in [date.yesterday().ok(), Some(date), date.tomorrow().ok()]
        .into_iter()
        .flatten()
    {
        if let Some((ms, me)) = member.hours.on(d, &member.zone) {
            let (s, e) = (ms.max(rs), me.min(re));
            if s < e && e.duration_since(s) >= need {
                return Some(s);
            }
        }
    }
    Some(rs)
}

/// Loads a year of shadowing history for the team in `config`, ending with `today`'s month
/// planned. Does nothing when the store already holds sessions. Returns how many sessions were
/// recorded.
pub async fn load_demo_history<S>(
    store: &S,
    config: &Config,
    today: Date,
) -> Result<usize, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    if !store.sessions(&SessionQuery::default()).await?.is_empty() {
        return Ok(0);
    }
    let sh = Shadowing::from_config(config, None)?;
    if sh.members.is_empty() || sh.regions.is_empty() {
        return Ok(0);
    }
    let now = Month::of(today);
    let current = Period::containing(sh.rules.period, now);
    let previous = current.prev();
    let gap_months: Vec<Month> = previous
        .months()
        .into_iter()
        .take(2)
        .chain(current.months().into_iter().filter(|m| *m < now))
        .collect();
    let mid = now.day(15);
    let gap = sh
        .regions
        .iter()
        .min_by_key(|r| {
            let total: i64 = sh.members.iter().map(|m| overlap_minutes(m, r, mid)).sum();
            (total, r.name.clone())
        })
        .map(|r| r.name.clone())
        .unwrap_or_default();

    // What the planner saw when each month was planned: late cancellations were still planned.
    let mut as_planned: Vec<ShadowSession> = Vec::new();
    let mut recorded = 0;
    for back in (0..=12).rev() {
        let month = now.plus(-back);
        let plan = domain::plan(PlanInput {
            month,
            rules: &sh.rules,
            members: &sh.members,
            regions: &sh.regions,
            sessions: &as_planned,
            pins: &[],
        })?;
        let planned_at = month
            .first_day()
            .at(9, 0, 0, 0)
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let new: Vec<NewSession> = plan
            .proposals
            .iter()
            .map(|p| NewSession {
                month,
                member: p.member.clone(),
                region: p.region.clone(),
                length_minutes: sh.rules.length_minutes,
                reason: p.reason.clone(),
            })
            .collect();
        let added = store.add_sessions(&new, planned_at).await?;
        recorded += added.len();
        as_planned.extend(added.iter().cloned());
        if back == 0 {
            continue;
        }
        for (k, mut session) in added.into_iter().enumerate() {
            let (Some(member), Some(region)) =
                (sh.member(&session.member), sh.region(&session.region))
            else {
                continue;
            };
            let list = engineers(&region.name);
            let engineer = list
                .get((month.number() as usize + k) % list.len().max(1))
                .cloned();
            let date = workday(month, 6 + 5 * (k as i8 % 4));
            let Some(start) = start_on(date, member, region, session.length_minutes) else {
                continue;
            };
            let done_at = start
                .checked_add(SignedDuration::from_mins(i64::from(session.length_minutes)))
                .unwrap_or(start);
            if session.region == gap && gap_months.contains(&month) {
                session.cancel(
                    format!("no {} engineer was free that month", session.region),
                    planned_at,
                )?;
                store
                    .update_session(&session, SessionState::Planned)
                    .await?;
            } else {
                session.schedule(
                    Scheduling {
                        engineer,
                        start,
                        month,
                        issue: IssueRef {
                            project: sh.project.clone(),
                            iid: 0,
                            web_url: String::new(),
                        },
                    },
                    planned_at,
                )?;
                session.issue = None;
                store
                    .update_session(&session, SessionState::Planned)
                    .await?;
                session.complete(Some(NOTES[k % NOTES.len()].to_owned()), done_at)?;
                store
                    .update_session(&session, SessionState::Scheduled)
                    .await?;
            }
        }
    }
    Ok(recorded)
}
