//! Who shadows and whom: Support Ops members and Support regions, each with a time zone and
//! working hours, and how much their working days overlap.

use std::collections::BTreeSet;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use super::Month;

/// Why working hours could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a span of working hours; expected HH:MM-HH:MM, e.g. `09:00-17:00`")]
pub struct HoursError {
    /// What was given.
    pub input: String,
}

/// Daily working hours in some zone, e.g. `09:00-17:00`. An end before the start runs past
/// midnight (`22:00-06:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    start: Time,
    end: Time,
}

impl WorkingHours {
    /// Reads `HH:MM-HH:MM`.
    pub fn parse(text: &str) -> Result<WorkingHours, HoursError> {
        let err = || HoursError {
            input: text.to_owned(),
        };
        let (a, b) = text.split_once('-').ok_or_else(err)?;
        let time = |t: &str| -> Result<Time, HoursError> {
            let t = t.trim();
            if t == "24:00" {
                return Ok(Time::MAX);
            }
            let (h, m) = t.split_once(':').ok_or_else(err)?;
            if h.is_empty() || h.len() > 2 || m.len() != 2 {
                return Err(err());
            }
            let h: i8 = h.parse().map_err(|_| err())?;
            let m: i8 = m.parse().map_err(|_| err())?;
            Time::new(h, m, 0, 0).map_err(|_| err())
        };
        let (start, end) = (time(a)?, time(b)?);
        if start == end {
            return Err(err());
        }
        Ok(WorkingHours { start, end })
    }

    /// When work starts.
    pub fn start(self) -> Time {
        self.start
    }

    /// When work ends.
    pub fn end(self) -> Time {
        self.end
    }

    /// The working span that starts on `date` in `zone`, as instants.
    pub fn on(self, date: Date, zone: &TimeZone) -> Option<(Timestamp, Timestamp)> {
        let start = zone
            .to_ambiguous_timestamp(date.to_datetime(self.start))
            .compatible()
            .ok()?;
        let end_date = if self.end > self.start {
            date
        } else {
            date.tomorrow().ok()?
        };
        let end = zone
            .to_ambiguous_timestamp(end_date.to_datetime(self.end))
            .compatible()
            .ok()?;
        Some((start, end))
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
        write!(f, "{}-{}", hm(self.start), hm(self.end))
    }
}

/// A Support Ops team member who shadows.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Tracker username.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Home time zone.
    pub zone: TimeZone,
    /// Working hours in `zone`.
    pub hours: WorkingHours,
    /// Months the member is away and does not shadow.
    pub away: BTreeSet<Month>,
}

impl Member {
    /// Whether the member is away for `month`.
    pub fn is_away(&self, month: Month) -> bool {
        self.away.contains(&month)
    }
}

/// A Support region whose engineers are shadowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Its name, e.g. `EMEA`.
    pub name: String,
    /// Support Managers' usernames, asked to find an engineer.
    pub managers: Vec<String>,
    /// The region's time zone.
    pub zone: TimeZone,
    /// Working hours in `zone`.
    pub hours: WorkingHours,
}

/// How many minutes of the member's working day on `date` fall within the region's working
/// hours (of that day or the days either side, so zones far apart are compared fairly).
pub fn overlap_minutes(member: &Member, region: &Region, date: Date) -> i64 {
    let Some((ms, me)) = member.hours.on(date, &member.zone) else {
        return 0;
    };
    let mut total = 0;
    for d in [date.yesterday().ok(), Some(date), date.tomorrow().ok()]
        .into_iter()
        .flatten()
    {
        if let Some((rs, re)) = region.hours.on(d, &region.zone) {
            let (s, e) = (ms.max(rs), me.min(re));
            if s < e {
                total += (e - s).as_mins();
            }
        }
    }
    total
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn member(username: &str, zone: &str, hours: &str) -> Member {
        Member {
            username: username.into(),
            name: username.into(),
            zone: TimeZone::get(zone).unwrap(),
            hours: WorkingHours::parse(hours).unwrap(),
            away: BTreeSet::new(),
        }
    }

    pub(crate) fn region(name: &str, zone: &str) -> Region {
        Region {
            name: name.into(),
            managers: vec![format!("{}-manager", name.to_lowercase())],
            zone: TimeZone::get(zone).unwrap(),
            hours: WorkingHours::parse("09:00-17:00").unwrap(),
        }
    }

    pub(crate) fn month(text: &str) -> crate::shadow::Month {
        crate::shadow::Month::parse(text).unwrap()
    }

    /// The demo team: New York, Madrid, Singapore, Warsaw.
    pub(crate) fn team() -> Vec<Member> {
        vec![
            member("amara", "America/New_York", "09:00-17:00"),
            member("bruno", "Europe/Madrid", "08:30-16:30"),
            member("chen", "Asia/Singapore", "09:00-18:00"),
            member("dana", "Europe/Warsaw", "10:00-18:00"),
        ]
    }

    /// The handbook's three regions.
    pub(crate) fn regions() -> Vec<Region> {
        vec![
            region("AMER", "America/Chicago"),
            region("APAC", "Australia/Sydney"),
            region("EMEA", "Europe/London"),
        ]
    }

    #[test]
    fn working_hours_read_and_print() {
        assert_eq!(
            WorkingHours::parse("9:00-17:30").unwrap().to_string(),
            "09:00-17:30"
        );
        assert_eq!(
            WorkingHours::parse("22:00-06:00").unwrap().to_string(),
            "22:00-06:00"
        );
        for bad in ["9-17", "09:00", "09:00-09:00", "25:00-26:00", "09:00-17:0"] {
            let err = WorkingHours::parse(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn overlap_follows_the_zones_on_the_day() {
        let day = jiff::civil::date(2026, 12, 15);
        let amer = region("AMER", "America/Chicago");
        let emea = region("EMEA", "Europe/London");
        let apac = region("APAC", "Australia/Sydney");
        let new_york = member("amara", "America/New_York", "09:00-17:00");
        let singapore = member("chen", "Asia/Singapore", "09:00-18:00");
        // New York 09–17 is Chicago 08–16: seven shared hours.
        assert_eq!(overlap_minutes(&new_york, &amer, day), 7 * 60);
        // New York 14–22 UTC against London 09–17 UTC.
        assert_eq!(overlap_minutes(&new_york, &emea, day), 3 * 60);
        assert_eq!(overlap_minutes(&new_york, &apac, day), 0);
        // Singapore 09–18 is 01–10 UTC; Sydney in summer (UTC+11) works 22–06 UTC.
        assert_eq!(overlap_minutes(&singapore, &apac, day), 5 * 60);
        assert_eq!(overlap_minutes(&singapore, &amer, day), 0);
    }

    #[test]
    fn overlap_changes_with_daylight_saving_time() {
        let singapore = member("chen", "Asia/Singapore", "09:00-18:00");
        let apac = region("APAC", "Australia/Sydney");
        // In June Sydney is UTC+10 and works 23–07 UTC: one more shared hour than in December.
        let june = jiff::civil::date(2026, 6, 15);
        assert_eq!(overlap_minutes(&singapore, &apac, june), 6 * 60);
    }
}
