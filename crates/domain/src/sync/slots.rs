//! The slot finder: weekly times at which every member is inside their working hours, for one
//! given week (so daylight-saving time is whatever it is that week), best first.
//!
//! Ranking: most members comfortably inside (see [`super::team::COMFORT_MARGIN`]), then
//! nearest to the series' current weekday and time (the smallest move for the team), then
//! earliest in the week. Each slot also says when, in the weeks after, the same weekly time
//! stops suiting someone (typically a daylight-saving change in a member's zone). When no
//! time suits everyone, the slots that suit the most members are listed instead, with who is
//! left out.

use std::cmp::Reverse;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, ToSpan, ZonedDateTime};

use super::{Fit, SyncError, TeamMember};

/// What to look for.
#[derive(Debug, Clone)]
pub struct SlotQuery<'a> {
    /// The team.
    pub members: &'a [TeamMember],
    /// The zone slots are written in (the weekly series' zone).
    pub zone: TimeZone,
    /// Any date of the week to look at, in `zone`; weeks start on Monday.
    pub week_of: Date,
    /// The meeting's length.
    pub length: SignedDuration,
    /// Distance between candidate start times, e.g. 30 minutes.
    pub step: SignedDuration,
    /// The series' current weekday and time in `zone`, if any: nearer is better.
    pub current: Option<(Weekday, Time)>,
    /// How many following weeks to check for a slot that stops suiting someone.
    pub horizon_weeks: u32,
}

/// How one member finds a slot.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberFit {
    /// Username.
    pub username: String,
    /// The slot's start on their clock.
    pub local: ZonedDateTime,
    /// Inside, comfortable or outside their hours.
    pub fit: Fit,
}

/// The first later week in which a slot no longer suits everyone it suited.
#[derive(Debug, Clone, PartialEq)]
pub struct Break {
    /// The date of the slot that week, in the query's zone.
    pub date: Date,
    /// Who is outside their hours then.
    pub outside: Vec<String>,
}

/// A weekly time.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// The weekday, in the query's zone.
    pub weekday: Weekday,
    /// The local start time, in the query's zone.
    pub time: Time,
    /// The start in the week looked at.
    pub start: ZonedDateTime,
    /// Each member's view, in team order.
    pub members: Vec<MemberFit>,
    /// How many members are inside their hours.
    pub inside: usize,
    /// How many are comfortably inside.
    pub comfortable: usize,
    /// How far it is from the current weekday and time (zero without one).
    pub distance: SignedDuration,
    /// When it stops suiting someone, within the horizon.
    pub breaks: Option<Break>,
}

impl Slot {
    /// Usernames of the members outside their hours in the week looked at.
    pub fn outside(&self) -> Vec<&str> {
        self.members
            .iter()
            .filter(|m| !m.fit.is_inside())
            .map(|m| m.username.as_str())
            .collect()
    }
}

/// The slots found, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotReport {
    /// The Monday of the week looked at.
    pub week_start: Date,
    /// Whether the slots suit every member; if not, they suit as many as possible.
    pub everyone_fits: bool,
    /// The slots, best first.
    pub slots: Vec<Slot>,
    /// The series' current weekday and time in the week looked at, however well it suits the
    /// team, so it can be shown next to the alternatives.
    pub current: Option<Slot>,
}

fn minute_of_week(weekday: Weekday, time: Time) -> i64 {
    i64::from(weekday.to_monday_zero_offset()) * 24 * 60
        + i64::from(time.hour()) * 60
        + i64::from(time.minute())
}

fn week_distance(a: (Weekday, Time), b: (Weekday, Time)) -> SignedDuration {
    const WEEK: i64 = 7 * 24 * 60;
    let d = (minute_of_week(a.0, a.1) - minute_of_week(b.0, b.1)).rem_euclid(WEEK);
    SignedDuration::from_mins(d.min(WEEK - d))
}

/// Finds the weekly slots for `query`.
pub fn find_slots(query: &SlotQuery<'_>) -> Result<SlotReport, SyncError> {
    let offset = i64::from(query.week_of.weekday().to_monday_zero_offset());
    let week_start = query.week_of.checked_sub(offset.days())?;
    let step = if query.step.is_positive() {
        query.step
    } else {
        SignedDuration::from_mins(30)
    };
    let mut candidates = Vec::new();
    for day in 0..7 {
        let date = week_start.checked_add(day.days())?;
        let mut time = Time::midnight();
        loop {
            if let Some(slot) = evaluate(query, date, time)? {
                candidates.push(slot);
            }
            match time.checked_add(step) {
                Ok(next) if next > time => time = next,
                _ => break,
            }
        }
    }
    let everyone = query.members.len();
    let best_inside = candidates.iter().map(|s| s.inside).max().unwrap_or(0);
    let mut slots: Vec<Slot> = if best_inside == 0 {
        Vec::new()
    } else {
        candidates
            .into_iter()
            .filter(|s| s.inside == best_inside)
            .collect()
    };
    slots.sort_by_key(|s| (Reverse(s.comfortable), s.distance, s.start.timestamp()));
    for slot in &mut slots {
        slot.breaks = first_break(query, slot)?;
    }
    let current = match query.current {
        None => None,
        Some((weekday, time)) => {
            let offset = i64::from(weekday.to_monday_zero_offset());
            match evaluate(query, week_start.checked_add(offset.days())?, time)? {
                Some(mut slot) => {
                    slot.breaks = first_break(query, &slot)?;
                    Some(slot)
                }
                None => None,
            }
        }
    };
    Ok(SlotReport {
        week_start,
        everyone_fits: best_inside == everyone && everyone > 0,
        slots,
        current,
    })
}

fn evaluate(query: &SlotQuery<'_>, date: Date, time: Time) -> Result<Option<Slot>, SyncError> {
    let dt = date.to_datetime(time);
    let start = dt.to_zoned_datetime(query.zone.clone())?;
    if start.datetime() != dt {
        // A local time the clocks skip in the query's zone.
        return Ok(None);
    }
    let members: Vec<MemberFit> = query
        .members
        .iter()
        .map(|m| MemberFit {
            username: m.username.clone(),
            local: m.local(start.timestamp()),
            fit: m.fit(start.timestamp(), query.length),
        })
        .collect();
    let inside = members.iter().filter(|m| m.fit.is_inside()).count();
    let comfortable = members.iter().filter(|m| m.fit == Fit::Comfortable).count();
    let distance = query.current.map_or(SignedDuration::ZERO, |c| {
        week_distance(c, (date.weekday(), time))
    });
    Ok(Some(Slot {
        weekday: date.weekday(),
        time,
        start,
        members,
        inside,
        comfortable,
        distance,
        breaks: None,
    }))
}

fn first_break(query: &SlotQuery<'_>, slot: &Slot) -> Result<Option<Break>, SyncError> {
    let date = slot.start.date();
    for week in 1..=i64::from(query.horizon_weeks) {
        let later = date.checked_add((7 * week).days())?;
        let start = later
            .to_datetime(slot.time)
            .to_zoned_datetime(query.zone.clone())?
            .timestamp();
        let outside: Vec<String> = query
            .members
            .iter()
            .zip(&slot.members)
            .filter(|(m, now)| now.fit.is_inside() && !m.fit(start, query.length).is_inside())
            .map(|(m, _)| m.username.clone())
            .collect();
        if !outside.is_empty() {
            return Ok(Some(Break {
                date: later,
                outside,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::{date, time};

    use super::super::WorkingHours;
    use super::*;

    fn member(username: &str, zone: &str, hours: &str) -> TeamMember {
        TeamMember {
            username: username.into(),
            zone: TimeZone::get(zone).unwrap(),
            hours: WorkingHours::parse(hours).unwrap(),
            workdays: TeamMember::WEEKDAYS.to_vec(),
        }
    }

    fn query(members: &[TeamMember], week_of: Date) -> SlotQuery<'_> {
        SlotQuery {
            members,
            zone: TimeZone::UTC,
            week_of,
            length: SignedDuration::from_mins(30),
            step: SignedDuration::from_mins(30),
            current: Some((Weekday::Tuesday, time(14, 30, 0, 0))),
            horizon_weeks: 52,
        }
    }

    /// `Tue 14:30 UTC c=2 breaks 2027-03-16 [amara]` for each of the first `n` slots.
    fn summary(report: &SlotReport, n: usize) -> Vec<String> {
        report
            .slots
            .iter()
            .take(n)
            .map(|s| {
                let breaks = s.breaks.as_ref().map_or(String::new(), |b| {
                    format!(" breaks {} {:?}", b.date, b.outside)
                });
                format!(
                    "{} {} UTC in={} c={}{breaks}",
                    s.start.strftime("%a"),
                    s.time.strftime("%H:%M"),
                    s.inside,
                    s.comfortable
                )
            })
            .collect()
    }

    fn new_york_and_berlin() -> Vec<TeamMember> {
        vec![
            member("amara", "America/New_York", "09:00-17:00"),
            member("dana", "Europe/Berlin", "09:00-17:00"),
        ]
    }

    #[test]
    fn new_york_and_berlin_overlap_from_1400_to_1600_utc_in_winter() {
        // Week of Monday 2027-01-11: New York is UTC-5, Berlin UTC+1.
        let members = new_york_and_berlin();
        let report = find_slots(&query(&members, date(2027, 1, 13))).unwrap();
        assert!(report.everyone_fits);
        assert_eq!(report.week_start, date(2027, 1, 11));
        // Every weekday has 14:00, 14:30, 15:00 and 15:30 UTC.
        assert_eq!(report.slots.len(), 20);
        assert_eq!(
            summary(&report, 3),
            [
                "Tue 14:30 UTC in=2 c=1",
                "Tue 14:00 UTC in=2 c=1",
                "Tue 15:00 UTC in=2 c=1 breaks 2027-03-30 [\"dana\"]",
            ]
        );
        // Berlin moves to summer time on 2027-03-28: 15:00 UTC is then 17:00 there.
    }

    #[test]
    fn in_the_weeks_between_the_two_changes_the_overlap_is_an_hour_longer() {
        // Between 2027-03-14 (New York) and 2027-03-28 (Berlin) the gap is 5 hours, not 6.
        let members = new_york_and_berlin();
        let report = find_slots(&query(&members, date(2027, 3, 17))).unwrap();
        assert_eq!(report.slots.len(), 5 * 6);
        let first = &report.slots[0];
        assert_eq!(
            (first.weekday, first.time),
            (Weekday::Tuesday, time(14, 30, 0, 0))
        );
        let amara = &first.members[0];
        assert_eq!(amara.local.time(), time(10, 30, 0, 0));
        assert_eq!(amara.fit, Fit::Comfortable);
        assert_eq!(first.comfortable, 2);
    }

    #[test]
    fn comfort_outranks_nearness() {
        let members = vec![
            member("amara", "UTC", "09:00-17:00"),
            member("bruno", "UTC", "09:00-17:00"),
        ];
        let mut q = query(&members, date(2027, 1, 13));
        q.current = Some((Weekday::Tuesday, time(9, 0, 0, 0)));
        let report = find_slots(&q).unwrap();
        let first = &report.slots[0];
        // 09:00 suits both but is at the edge of their day; 10:00 is comfortable.
        assert_eq!(
            (first.weekday, first.time),
            (Weekday::Tuesday, time(10, 0, 0, 0))
        );
        assert_eq!(first.comfortable, 2);
        assert_eq!(first.distance, SignedDuration::from_hours(1));
    }

    #[test]
    fn when_no_time_suits_everyone_the_best_partial_slots_say_who_is_left_out() {
        let members = vec![
            member("amara", "America/New_York", "09:00-17:00"),
            member("chen", "Asia/Singapore", "09:00-18:00"),
            member("dana", "Europe/Warsaw", "10:00-18:00"),
        ];
        let report = find_slots(&query(&members, date(2027, 1, 13))).unwrap();
        assert!(!report.everyone_fits);
        assert!(report.slots.iter().all(|s| s.inside == 2));
        let first = &report.slots[0];
        assert_eq!(first.outside(), ["chen"]);
    }

    #[test]
    fn a_time_skipped_by_the_clocks_in_the_series_zone_is_not_offered() {
        let mut night_owl = member("amara", "Europe/Berlin", "00:00-23:59");
        night_owl.workdays = Weekday::Monday.cycle_forward().take(7).collect();
        let members = vec![night_owl];
        let mut q = query(&members, date(2027, 3, 28));
        q.zone = TimeZone::get("Europe/Berlin").unwrap();
        q.current = None;
        let report = find_slots(&q).unwrap();
        let sunday_2am = report
            .slots
            .iter()
            .filter(|s| s.weekday == Weekday::Sunday && s.time.hour() == 2);
        assert_eq!(sunday_2am.count(), 0);
    }
}
