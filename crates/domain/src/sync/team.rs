//! Team members as the syncs see them: a time zone, working hours and working days.

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use serde::Serialize;

use super::{SyncError, parse_time};

/// How far inside their working hours a meeting must be for a member to be comfortable: this
/// long after they start and before they stop.
pub const COMFORT_MARGIN: SignedDuration = SignedDuration::from_hours(1);

/// Working hours in a member's own zone, e.g. 09:00–17:00. They do not cross midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    /// When the working day starts.
    pub start: Time,
    /// When it ends.
    pub end: Time,
}

impl WorkingHours {
    /// Parses `HH:MM-HH:MM`.
    pub fn parse(value: &str) -> Result<WorkingHours, SyncError> {
        let bad = |reason: &str| SyncError::Hours {
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        let (a, b) = value
            .split_once('-')
            .ok_or_else(|| bad("there is no `-` between start and end"))?;
        let start = parse_time(a).map_err(|_| bad("the start is not a time of day"))?;
        let end = parse_time(b).map_err(|_| bad("the end is not a time of day"))?;
        if end <= start {
            return Err(bad("the end must come after the start on the same day"));
        }
        Ok(WorkingHours { start, end })
    }
}

impl std::fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M")
        )
    }
}

/// How a meeting sits in a member's working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    /// Outside their working hours or on a day off.
    Outside,
    /// Inside their working hours, near an edge.
    Inside,
    /// Inside, at least [`COMFORT_MARGIN`] from both edges.
    Comfortable,
}

impl Fit {
    /// Whether the member is working for the whole meeting.
    pub fn is_inside(self) -> bool {
        self != Fit::Outside
    }

    /// The lowercase name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Fit::Outside => "outside",
            Fit::Inside => "inside",
            Fit::Comfortable => "comfortable",
        }
    }
}

/// A Support Ops team member.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamMember {
    /// Tracker username.
    pub username: String,
    /// Their time zone.
    pub zone: TimeZone,
    /// Their working hours, in `zone`.
    pub hours: WorkingHours,
    /// The weekdays they work (in `zone`).
    pub workdays: Vec<Weekday>,
}

impl TeamMember {
    /// Monday to Friday.
    pub const WEEKDAYS: [Weekday; 5] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];

    /// `t` on the member's clock.
    pub fn local(&self, t: Timestamp) -> ZonedDateTime {
        t.to_zoned_datetime(self.zone.clone())
    }

    /// How a meeting from `start` lasting `length` sits in the member's working day.
    pub fn fit(&self, start: Timestamp, length: SignedDuration) -> Fit {
        let Ok(end) = start.checked_add(length) else {
            return Fit::Outside;
        };
        let (s, e) = (self.local(start), self.local(end));
        if !self.workdays.contains(&s.weekday()) || s.date() != e.date() {
            return Fit::Outside;
        }
        if s.time() < self.hours.start || e.time() > self.hours.end {
            return Fit::Outside;
        }
        let before = s.time().duration_since(self.hours.start);
        let after = self.hours.end.duration_since(e.time());
        if before >= COMFORT_MARGIN && after >= COMFORT_MARGIN {
            Fit::Comfortable
        } else {
            Fit::Inside
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::time;

    use super::*;

    fn member(zone: &str, hours: &str) -> TeamMember {
        TeamMember {
            username: "amara".into(),
            zone: TimeZone::get(zone).unwrap(),
            hours: WorkingHours::parse(hours).unwrap(),
            workdays: TeamMember::WEEKDAYS.to_vec(),
        }
    }

    #[test]
    fn working_hours_parse_and_refuse_nonsense() {
        let h = WorkingHours::parse("08:30-16:30").unwrap();
        assert_eq!((h.start, h.end), (time(8, 30, 0, 0), time(16, 30, 0, 0)));
        assert_eq!(h.to_string(), "08:30-16:30");
        let msg = |s: &str| WorkingHours::parse(s).unwrap_err().to_string();
        assert_eq!(
            msg("17:00-09:00"),
            "`17:00-09:00` is not a working-hours range: the end must come after the start on the same day; expected HH:MM-HH:MM, e.g. `09:00-17:00`"
        );
        assert!(msg("9 to 5").contains("no `-`"));
        assert!(msg("09:00-5pm").contains("the end is not a time of day"));
    }

    #[test]
    fn a_meeting_fits_comfortably_inside_or_not_at_all() {
        let m = member("America/New_York", "09:00-17:00");
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let half_hour = SignedDuration::from_mins(30);
        // Tuesday 2026-12-08, New York is UTC-5.
        assert_eq!(m.fit(at("2026-12-08T14:30:00Z"), half_hour), Fit::Inside); // 09:30
        assert_eq!(
            m.fit(at("2026-12-08T15:00:00Z"), half_hour),
            Fit::Comfortable
        ); // 10:00
        assert_eq!(m.fit(at("2026-12-08T13:30:00Z"), half_hour), Fit::Outside); // 08:30
        assert_eq!(m.fit(at("2026-12-08T21:30:00Z"), half_hour), Fit::Inside); // 16:30-17:00
        assert_eq!(m.fit(at("2026-12-08T21:45:00Z"), half_hour), Fit::Outside); // ends 17:15
    }

    #[test]
    fn a_utc_meeting_moves_on_a_members_clock_when_their_zone_changes() {
        use crate::sync::{SeriesSpec, WeeklySeries};
        // 14:30 UTC every Tuesday: New York moves its clocks on 2027-03-14, Berlin on
        // 2027-03-28, so for two weeks the gap between them is five hours, not six.
        let series = WeeklySeries::new(SeriesSpec {
            weekday: Weekday::Tuesday,
            time: time(14, 30, 0, 0),
            zone: TimeZone::UTC,
            length: SignedDuration::from_mins(30),
        });
        let amara = member("America/New_York", "09:00-17:00");
        let dana = member("Europe/Berlin", "09:00-17:00");
        let from: Timestamp = "2027-03-08T00:00:00Z".parse().unwrap();
        let to: Timestamp = "2027-04-04T00:00:00Z".parse().unwrap();
        let clocks: Vec<String> = series
            .between(from, to)
            .unwrap()
            .iter()
            .map(|o| {
                let t = o.start.timestamp();
                format!(
                    "{} {} {}",
                    o.date,
                    amara.local(t).strftime("%H:%M %Z"),
                    dana.local(t).strftime("%H:%M %Z")
                )
            })
            .collect();
        assert_eq!(
            clocks,
            [
                "2027-03-09 09:30 EST 15:30 CET",
                "2027-03-16 10:30 EDT 15:30 CET",
                "2027-03-23 10:30 EDT 15:30 CET",
                "2027-03-30 10:30 EDT 16:30 CEST",
            ]
        );
    }

    #[test]
    fn days_off_are_outside() {
        let m = member("Europe/Madrid", "08:30-16:30");
        let sat: Timestamp = "2026-12-12T10:00:00Z".parse().unwrap();
        assert_eq!(m.fit(sat, SignedDuration::from_mins(30)), Fit::Outside);
    }
}
