//! Upcoming meetings of both kinds in one list: the weekly syncs, and the monthly syncs that
//! fall among them, each monthly one related to the weekly sync of its day.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use serde::Serialize;

use super::{
    MonthlyOccurrence, MonthlySchedule, Occurrence, OccurrenceStatus, SyncError, WeeklySeries,
};

/// Which sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// The weekly sync.
    Weekly,
    /// The monthly sync.
    Monthly,
}

impl MeetingKind {
    /// The lowercase name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::Weekly => "weekly",
            MeetingKind::Monthly => "monthly",
        }
    }
}

/// How a monthly sync sits next to the weekly sync held the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// It starts when the weekly sync ends, or within the hour after.
    FollowsWeekly,
    /// It ends when the weekly sync starts, or within the hour before.
    PrecedesWeekly,
    /// The two overlap: one of them should move.
    OverlapsWeekly,
}

impl Relation {
    /// A phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            Relation::FollowsWeekly => "follows the weekly sync",
            Relation::PrecedesWeekly => "just before the weekly sync",
            Relation::OverlapsWeekly => "overlaps the weekly sync",
        }
    }
}

/// One upcoming meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    /// Weekly or monthly.
    pub kind: MeetingKind,
    /// Its name: the date it was scheduled on, in its schedule's zone.
    pub date: Date,
    /// When it was scheduled to start.
    pub scheduled: ZonedDateTime,
    /// When it starts.
    pub start: ZonedDateTime,
    /// When it ends.
    pub end: ZonedDateTime,
    /// Scheduled, moved or cancelled.
    pub status: OccurrenceStatus,
    /// For a monthly sync, how it sits next to that day's weekly sync.
    pub relation: Option<Relation>,
}

const NEAR: SignedDuration = SignedDuration::from_hours(1);

fn relation(monthly: &MonthlyOccurrence, weekly: &[Occurrence]) -> Option<Relation> {
    let zone = monthly.start.time_zone();
    weekly
        .iter()
        .filter(|w| w.status != OccurrenceStatus::Cancelled)
        .filter(|w| w.start.with_time_zone(zone.clone()).date() == monthly.date)
        .find_map(|w| {
            let (ms, me) = (monthly.start.timestamp(), monthly.end.timestamp());
            let (ws, we) = (w.start.timestamp(), w.end.timestamp());
            if ms < we && ws < me {
                Some(Relation::OverlapsWeekly)
            } else if ms >= we && ms.duration_since(we) <= NEAR {
                Some(Relation::FollowsWeekly)
            } else if me <= ws && ws.duration_since(me) <= NEAR {
                Some(Relation::PrecedesWeekly)
            } else {
                None
            }
        })
}

/// The monthly sync `occ` with its relation to the weekly sync of its day.
pub fn monthly_meeting(
    occ: MonthlyOccurrence,
    weekly: &WeeklySeries,
) -> Result<Meeting, SyncError> {
    let day = SignedDuration::from_hours(36);
    let around = weekly.between(
        occ.start.timestamp().checked_sub(day)?,
        occ.start.timestamp().checked_add(day)?,
    )?;
    let relation = if occ.status == OccurrenceStatus::Cancelled {
        None
    } else {
        relation(&occ, &around)
    };
    Ok(Meeting {
        kind: MeetingKind::Monthly,
        date: occ.date,
        scheduled: occ.scheduled,
        relation,
        start: occ.start,
        end: occ.end,
        status: occ.status,
    })
}

/// The next `count` weekly syncs not over at `now` (and the cancelled ones among them), with
/// the monthly syncs that fall before the last of them, in order of start.
pub fn upcoming(
    weekly: &WeeklySeries,
    monthly: &MonthlySchedule,
    now: Timestamp,
    count: usize,
) -> Result<Vec<Meeting>, SyncError> {
    let weeklies = weekly.next(now, count)?;
    let Some(last) = weeklies.iter().map(|o| o.end.timestamp()).max() else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Meeting> = weeklies
        .into_iter()
        .map(|o| Meeting {
            kind: MeetingKind::Weekly,
            date: o.date,
            scheduled: o.scheduled,
            start: o.start,
            end: o.end,
            status: o.status,
            relation: None,
        })
        .collect();
    let from = now.checked_sub(monthly.length)?;
    for occ in monthly.between(from, last)? {
        if occ.end.timestamp() > now {
            out.push(monthly_meeting(occ, weekly)?);
        }
    }
    out.sort_by_key(|m| (m.start.timestamp(), m.kind == MeetingKind::Monthly));
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::{Weekday, date, time};
    use jiff::tz::TimeZone;

    use super::*;
    use crate::sync::{Change, MonthlyRule, SeriesSpec};

    fn weekly() -> WeeklySeries {
        WeeklySeries::new(SeriesSpec {
            weekday: Weekday::Tuesday,
            time: time(14, 30, 0, 0),
            zone: TimeZone::UTC,
            length: SignedDuration::from_mins(30),
        })
    }

    fn monthly(at: jiff::civil::Time) -> MonthlySchedule {
        MonthlySchedule {
            rule: MonthlyRule::default(),
            time: at,
            zone: TimeZone::UTC,
            length: SignedDuration::from_mins(50),
            changes: std::collections::BTreeMap::new(),
        }
    }

    fn lines(ms: &[Meeting]) -> Vec<String> {
        ms.iter()
            .map(|m| {
                let rel = m
                    .relation
                    .map_or(String::new(), |r| format!(" ({})", r.describe()));
                format!(
                    "{} {} {}{rel}",
                    m.kind.as_str(),
                    m.status.as_str(),
                    m.start.strftime("%Y-%m-%d %H:%M"),
                )
            })
            .collect()
    }

    #[test]
    fn the_default_monthly_sync_follows_the_weekly_one_on_the_first_tuesday() {
        let now: Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
        let ms = upcoming(&weekly(), &monthly(time(15, 0, 0, 0)), now, 3).unwrap();
        assert_eq!(
            lines(&ms),
            [
                "weekly scheduled 2026-12-01 14:30",
                "monthly scheduled 2026-12-01 15:00 (follows the weekly sync)",
                "weekly scheduled 2026-12-08 14:30",
                "weekly scheduled 2026-12-15 14:30",
            ]
        );
    }

    #[test]
    fn a_monthly_sync_at_the_same_time_overlaps() {
        let now: Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
        let ms = upcoming(&weekly(), &monthly(time(14, 45, 0, 0)), now, 1).unwrap();
        assert_eq!(ms[1].relation, Some(Relation::OverlapsWeekly));
    }

    #[test]
    fn when_that_days_weekly_sync_is_cancelled_the_monthly_one_stands_alone() {
        let mut w = weekly();
        w.record(date(2026, 12, 1), Change::Cancelled).unwrap();
        let now: Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
        let ms = upcoming(&w, &monthly(time(15, 0, 0, 0)), now, 2).unwrap();
        assert_eq!(
            lines(&ms),
            [
                "weekly cancelled 2026-12-01 14:30",
                "monthly scheduled 2026-12-01 15:00",
                "weekly scheduled 2026-12-08 14:30",
                "weekly scheduled 2026-12-15 14:30",
            ]
        );
    }
}
