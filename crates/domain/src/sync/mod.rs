//! Syncs: the weekly sync's series ([`WeeklySeries`]: versions from a date on, single occurrences
//! moved or cancelled), the monthly sync's rule ([`MonthlyRule`], [`MonthlySchedule`]), the list
//! of upcoming meetings of both kinds ([`upcoming`]), the slot finder over the team's working
//! hours ([`find_slots`]) and the monthly agenda built from Feedback Review issues ([`Agenda`]).
//!
//! Everything here is pure: the current time comes in as a [`jiff::Timestamp`] argument and
//! time zones as [`jiff::tz::TimeZone`] values the caller has already looked up.
//!
//! ```
//! use jiff::civil::{date, time, Weekday};
//! use jiff::tz::TimeZone;
//! use jiff::SignedDuration;
//! use supportops_domain::sync::{SeriesSpec, WeeklySeries};
//!
//! let spec = SeriesSpec {
//!     weekday: Weekday::Tuesday,
//!     time: time(14, 30, 0, 0),
//!     zone: TimeZone::UTC,
//!     length: SignedDuration::from_mins(30),
//! };
//! let series = WeeklySeries::new(spec);
//! let now = "2026-12-02T09:00:00Z".parse().unwrap();
//! let next = series.next(now, 2).unwrap();
//! assert_eq!(next[0].date, date(2026, 12, 8));
//! assert_eq!(next[1].date, date(2026, 12, 15));
//! ```

mod action_plan;
mod agenda;
mod evidence;
mod meetings;
mod monthly;
mod slots;
mod team;
mod weekly;

pub use action_plan::{action_plan_hint, action_plan_text, has_action_plan, with_action_plan};
pub use agenda::{
    AGENDA_LIST_LIMIT, Agenda, AgendaInput, AgendaItem, AgendaPart, AgendaTotals, BandMix,
    HeldMeeting, MeetingItem, NeglectedItem, OUTCOME_SCOPE, Outcome, ReviewIssue, ReviewState,
    Since, SinceKind, Unread,
};
pub use evidence::{review_subject, tally_bands};
pub use meetings::{Meeting, MeetingKind, Relation, monthly_meeting, upcoming};
pub use monthly::{MonthlyOccurrence, MonthlyRule, MonthlySchedule, Ordinal};
pub use slots::{Break, MemberFit, Slot, SlotQuery, SlotReport, find_slots};
pub use team::{COMFORT_MARGIN, Fit, TeamMember, WorkingHours};
pub use weekly::{
    Change, Occurrence, OccurrenceStatus, SeriesSpec, SeriesVersion, WeeklySeries,
    first_on_or_after,
};

use jiff::civil::{Time, Weekday};

/// Why a schedule value or change was refused. Each variant carries the offending input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// Not a weekday name.
    #[error(
        "`{value}` is not a weekday; expected monday, tuesday, wednesday, thursday, friday, saturday or sunday"
    )]
    Weekday {
        /// What was given.
        value: String,
    },
    /// Not a time of day.
    #[error("`{value}` is not a time of day; expected HH:MM, e.g. `14:30`")]
    Time {
        /// What was given.
        value: String,
    },
    /// Not a working-hours range.
    #[error(
        "`{value}` is not a working-hours range: {reason}; expected HH:MM-HH:MM, e.g. `09:00-17:00`"
    )]
    Hours {
        /// What was given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Not a monthly rule.
    #[error("`{value}` is not a monthly rule: {reason}")]
    MonthlyRule {
        /// What was given.
        value: String,
        /// What is wrong, with a hint.
        reason: String,
    },
    /// A meeting length out of range.
    #[error("a meeting of {minutes} minutes is not possible; choose between 5 minutes and 8 hours")]
    Length {
        /// The length asked for, in minutes.
        minutes: i64,
    },
    /// A date that is not one of the weekly sync's dates.
    #[error(
        "`{date}` is not a weekly sync date: the series meets on {weekday}s then (nearest: `{before}` and `{after}`)"
    )]
    NotAnOccurrence {
        /// The date given.
        date: jiff::civil::Date,
        /// The weekday the series meets on at that date.
        weekday: String,
        /// The nearest earlier occurrence date.
        before: jiff::civil::Date,
        /// The nearest later occurrence date.
        after: jiff::civil::Date,
    },
    /// A date that is not one of the monthly sync's dates.
    #[error(
        "`{date}` is not a monthly sync date: it meets on the {rule} (nearest: `{before}` and `{after}`)"
    )]
    NotAMonthlyDate {
        /// The date given.
        date: jiff::civil::Date,
        /// The rule, e.g. `first Tuesday`.
        rule: String,
        /// The nearest earlier monthly sync date.
        before: jiff::civil::Date,
        /// The nearest later monthly sync date.
        after: jiff::civil::Date,
    },
    /// A monthly sync that was cancelled cannot be held or get an agenda.
    #[error(
        "the monthly sync of `{date}` was cancelled; restore it with `supportops sync move {date} --monthly --to \"{date} HH:MM\"` or choose another date"
    )]
    MonthlyCancelled {
        /// Its date.
        date: jiff::civil::Date,
    },
    /// A date or time beyond what the calendar can represent.
    #[error("date out of range: {message}")]
    Range {
        /// The time library's message.
        message: String,
    },
}

impl From<jiff::Error> for SyncError {
    fn from(e: jiff::Error) -> Self {
        SyncError::Range {
            message: e.to_string(),
        }
    }
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "monday"),
    (Weekday::Tuesday, "tuesday"),
    (Weekday::Wednesday, "wednesday"),
    (Weekday::Thursday, "thursday"),
    (Weekday::Friday, "friday"),
    (Weekday::Saturday, "saturday"),
    (Weekday::Sunday, "sunday"),
];

/// Parses a weekday name: `tuesday`, `Tue`, `TUESDAY` (full names or their first three letters).
pub fn parse_weekday(value: &str) -> Result<Weekday, SyncError> {
    let v = value.trim().to_ascii_lowercase();
    WEEKDAYS
        .iter()
        .find(|(_, name)| *name == v || (v.len() == 3 && name.starts_with(&v)))
        .map(|(wd, _)| *wd)
        .ok_or_else(|| SyncError::Weekday {
            value: value.to_owned(),
        })
}

/// The lowercase English name of a weekday, as written in the config: `tuesday`.
pub fn weekday_name(weekday: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(wd, _)| *wd == weekday)
        .map_or("monday", |(_, name)| name)
}

/// The English name of a weekday as people read it: `Tuesday`.
pub fn weekday_title(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// Parses a time of day written `HH:MM` (24-hour clock).
pub fn parse_time(value: &str) -> Result<Time, SyncError> {
    let bad = || SyncError::Time {
        value: value.to_owned(),
    };
    let (h, m) = value.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    Time::new(h, m, 0, 0).map_err(|_| bad())
}

/// Checks a meeting length given in minutes: between 5 minutes and 8 hours.
pub fn meeting_length(minutes: i64) -> Result<jiff::SignedDuration, SyncError> {
    if !(5..=480).contains(&minutes) {
        return Err(SyncError::Length { minutes });
    }
    Ok(jiff::SignedDuration::from_mins(minutes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_parse_in_any_case_and_as_abbreviations() {
        assert_eq!(parse_weekday("Tuesday"), Ok(Weekday::Tuesday));
        assert_eq!(parse_weekday("thu"), Ok(Weekday::Thursday));
        assert_eq!(parse_weekday(" SUNDAY "), Ok(Weekday::Sunday));
        let err = parse_weekday("tusday").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`tusday` is not a weekday; expected monday, tuesday, wednesday, thursday, friday, saturday or sunday"
        );
    }

    #[test]
    fn times_are_hours_and_minutes() {
        assert_eq!(parse_time("14:30"), Ok(jiff::civil::time(14, 30, 0, 0)));
        assert_eq!(parse_time("9:05"), Ok(jiff::civil::time(9, 5, 0, 0)));
        for bad in ["25:00", "14:60", "1430", "14:3", "noon", ""] {
            assert!(parse_time(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn meeting_lengths_must_be_plausible() {
        assert_eq!(meeting_length(30), Ok(jiff::SignedDuration::from_mins(30)));
        assert_eq!(meeting_length(0), Err(SyncError::Length { minutes: 0 }));
        assert_eq!(meeting_length(600), Err(SyncError::Length { minutes: 600 }));
    }
}
