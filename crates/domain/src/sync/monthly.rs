//! The monthly sync: a rule such as `first tuesday` or `last friday`, a local time in a zone
//! and a length.

use std::collections::BTreeMap;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan, ZonedDateTime};

use super::{Change, OccurrenceStatus, SyncError, parse_weekday, weekday_name, weekday_title};

/// Which of a month's weekdays: the first to the fourth, or the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordinal {
    /// The first.
    First,
    /// The second.
    Second,
    /// The third.
    Third,
    /// The fourth (every month has one).
    Fourth,
    /// The last (the fourth or the fifth).
    Last,
}

impl Ordinal {
    /// As jiff and RFC 5545 count: 1 to 4, or -1 for the last.
    pub fn nth(self) -> i8 {
        match self {
            Ordinal::First => 1,
            Ordinal::Second => 2,
            Ordinal::Third => 3,
            Ordinal::Fourth => 4,
            Ordinal::Last => -1,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Ordinal::First => "first",
            Ordinal::Second => "second",
            Ordinal::Third => "third",
            Ordinal::Fourth => "fourth",
            Ordinal::Last => "last",
        }
    }
}

/// Which day of each month the monthly sync falls on, e.g. the first Tuesday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthlyRule {
    /// Which of the month's `weekday`s.
    pub ordinal: Ordinal,
    /// The weekday.
    pub weekday: Weekday,
}

impl Default for MonthlyRule {
    /// The handbook's: the first Tuesday of the month.
    fn default() -> Self {
        MonthlyRule {
            ordinal: Ordinal::First,
            weekday: Weekday::Tuesday,
        }
    }
}

impl MonthlyRule {
    /// Parses `first tuesday`, `2nd wednesday`, `last friday` (any case).
    pub fn parse(value: &str) -> Result<MonthlyRule, SyncError> {
        let bad = |reason: &str| SyncError::MonthlyRule {
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        let lower = value.trim().to_ascii_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let [ordinal, weekday] = words.as_slice() else {
            return Err(bad(
                "expected an ordinal and a weekday, e.g. `first tuesday` or `last friday`",
            ));
        };
        let ordinal = match *ordinal {
            "first" | "1st" => Ordinal::First,
            "second" | "2nd" => Ordinal::Second,
            "third" | "3rd" => Ordinal::Third,
            "fourth" | "4th" => Ordinal::Fourth,
            "last" => Ordinal::Last,
            "fifth" | "5th" => {
                return Err(bad(
                    "not every month has a fifth one; use `last …` for the last of the month",
                ));
            }
            _ => {
                return Err(bad(
                    "the first word must be first, second, third, fourth or last",
                ));
            }
        };
        let weekday = parse_weekday(weekday)
            .map_err(|_| bad("the second word must be a weekday, e.g. `tuesday`"))?;
        Ok(MonthlyRule { ordinal, weekday })
    }

    /// The date the rule picks in the month of `any_day_of_month`.
    pub fn date_in(&self, any_day_of_month: Date) -> Result<Date, SyncError> {
        Ok(any_day_of_month.nth_weekday_of_month(self.ordinal.nth(), self.weekday)?)
    }
}

impl MonthlyRule {
    /// The rule as people read it: `first Tuesday`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.ordinal.name(), weekday_title(self.weekday))
    }
}

impl std::fmt::Display for MonthlyRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.ordinal.name(), weekday_name(self.weekday))
    }
}

/// When the monthly sync meets.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlySchedule {
    /// Which day of the month.
    pub rule: MonthlyRule,
    /// Local start time in `zone`.
    pub time: Time,
    /// The zone the rule and time are written in.
    pub zone: TimeZone,
    /// How long it lasts.
    pub length: SignedDuration,
    /// Changes to single meetings (moved or cancelled), by the date the rule gives them.
    pub changes: BTreeMap<Date, Change>,
}

/// One monthly sync.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyOccurrence {
    /// Its name: the local date the rule gives it (a moved meeting keeps it).
    pub date: Date,
    /// When the rule scheduled it.
    pub scheduled: ZonedDateTime,
    /// When it starts (the moved time for a moved meeting).
    pub start: ZonedDateTime,
    /// When it ends.
    pub end: ZonedDateTime,
    /// Scheduled, moved or cancelled.
    pub status: OccurrenceStatus,
}

impl MonthlySchedule {
    /// The meeting in the month of `any_day_of_month`, with its change applied.
    pub fn in_month(&self, any_day_of_month: Date) -> Result<MonthlyOccurrence, SyncError> {
        let date = self.rule.date_in(any_day_of_month)?;
        let scheduled = date
            .to_datetime(self.time)
            .to_zoned_datetime(self.zone.clone())?;
        let (start, status) = match self.changes.get(&date) {
            None => (scheduled.clone(), OccurrenceStatus::Scheduled),
            Some(Change::Cancelled) => (scheduled.clone(), OccurrenceStatus::Cancelled),
            Some(Change::Moved(to)) => (to.clone(), OccurrenceStatus::Moved),
        };
        let end = start.checked_add(self.length)?;
        Ok(MonthlyOccurrence {
            date,
            scheduled,
            start,
            end,
            status,
        })
    }

    /// The meeting named `date`, if the rule gives that date.
    pub fn occurrence_on(&self, date: Date) -> Result<Option<MonthlyOccurrence>, SyncError> {
        let occ = self.in_month(date)?;
        Ok((occ.date == date).then_some(occ))
    }

    /// The error for a date the rule does not give, with the nearest dates it does.
    fn not_a_date(&self, date: Date) -> SyncError {
        let this = self.rule.date_in(date).unwrap_or(date);
        let other = |months: i32| {
            date.first_of_month()
                .checked_add(months.months())
                .map(|d| self.rule.date_in(d).unwrap_or(d))
                .unwrap_or(date)
        };
        let (before, after) = if this < date {
            (this, other(1))
        } else {
            (other(-1), this)
        };
        SyncError::NotAMonthlyDate {
            date,
            rule: self.rule.describe(),
            before,
            after,
        }
    }

    /// Records a change to the meeting named `date`. Moving it back to its scheduled time
    /// undoes any earlier change. Refuses a date the rule does not give.
    pub fn record(&mut self, date: Date, change: Change) -> Result<(), SyncError> {
        let Some(occ) = self.occurrence_on(date)? else {
            return Err(self.not_a_date(date));
        };
        match change {
            Change::Moved(to) if to.timestamp() == occ.scheduled.timestamp() => {
                self.changes.remove(&date);
            }
            change => {
                self.changes.insert(date, change);
            }
        }
        Ok(())
    }

    /// The meeting a user means by `date`: the one the rule gives that date, or one moved to
    /// that (local) date. Refuses other dates with the nearest ones, and cancelled meetings.
    pub fn meeting_for(&self, date: Date) -> Result<MonthlyOccurrence, SyncError> {
        let occ = match self.occurrence_on(date)? {
            Some(occ) => occ,
            None => {
                let moved_here = self.changes.iter().find_map(|(name, change)| match change {
                    Change::Moved(to) if to.date() == date => Some(*name),
                    _ => None,
                });
                match moved_here {
                    Some(name) => self.in_month(name)?,
                    None => return Err(self.not_a_date(date)),
                }
            }
        };
        if occ.status == OccurrenceStatus::Cancelled {
            return Err(SyncError::MonthlyCancelled { date: occ.date });
        }
        Ok(occ)
    }

    /// Every meeting starting in `[start, end)`, in order.
    pub fn between(
        &self,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MonthlyOccurrence>, SyncError> {
        let mut month = start
            .to_zoned_datetime(self.zone.clone())
            .date()
            .first_of_month()
            .checked_sub(1.month())?;
        let last = end.to_zoned_datetime(self.zone.clone()).date();
        let mut out = Vec::new();
        while month <= last {
            let occ = self.in_month(month)?;
            let t = occ.start.timestamp();
            if start <= t && t < end {
                out.push(occ);
            }
            month = month.checked_add(1.month())?;
        }
        Ok(out)
    }

    /// The next `count` meetings not over at `now`.
    pub fn next(&self, now: Timestamp, count: usize) -> Result<Vec<MonthlyOccurrence>, SyncError> {
        let mut out = Vec::new();
        let mut month = now
            .to_zoned_datetime(self.zone.clone())
            .date()
            .first_of_month();
        while out.len() < count {
            let occ = self.in_month(month)?;
            if occ.end.timestamp() > now {
                out.push(occ);
            }
            month = month.checked_add(1.month())?;
        }
        Ok(out)
    }

    /// The next `count` meetings not over at `now` and not cancelled.
    pub fn next_held(
        &self,
        now: Timestamp,
        count: usize,
    ) -> Result<Vec<MonthlyOccurrence>, SyncError> {
        let mut out = Vec::new();
        // Enough months for every change a team could record, and then some.
        for occ in self.next(now, count + self.changes.len() + 1)? {
            if out.len() == count {
                break;
            }
            if occ.status != OccurrenceStatus::Cancelled {
                out.push(occ);
            }
        }
        Ok(out)
    }

    /// The last meeting that started before `t`, cancelled ones left out.
    pub fn last_before(&self, t: Timestamp) -> Result<MonthlyOccurrence, SyncError> {
        let mut month = t
            .to_zoned_datetime(self.zone.clone())
            .date()
            .first_of_month()
            .checked_add(1.month())?;
        // Ten years back is far more than any team cancels in a row.
        for _ in 0..120 {
            let occ = self.in_month(month)?;
            if occ.start.timestamp() < t && occ.status != OccurrenceStatus::Cancelled {
                return Ok(occ);
            }
            month = month.checked_sub(1.month())?;
        }
        self.in_month(month)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    fn rule(s: &str) -> MonthlyRule {
        MonthlyRule::parse(s).unwrap()
    }

    #[test]
    fn rules_parse_and_print_back() {
        assert_eq!(rule("First Tuesday"), MonthlyRule::default());
        assert_eq!(rule("2nd wed").to_string(), "second wednesday");
        assert_eq!(rule("last  friday").to_string(), "last friday");
    }

    #[test]
    fn bad_rules_say_what_would_be_right() {
        let msg = |s: &str| MonthlyRule::parse(s).unwrap_err().to_string();
        assert_eq!(
            msg("fifth monday"),
            "`fifth monday` is not a monthly rule: not every month has a fifth one; use `last …` for the last of the month"
        );
        assert_eq!(
            msg("first tuseday"),
            "`first tuseday` is not a monthly rule: the second word must be a weekday, e.g. `tuesday`"
        );
        assert_eq!(
            msg("tuesday"),
            "`tuesday` is not a monthly rule: expected an ordinal and a weekday, e.g. `first tuesday` or `last friday`"
        );
        assert!(msg("every tuesday").contains("first, second, third, fourth or last"));
    }

    #[test]
    fn the_first_tuesday_of_a_month_that_starts_on_a_tuesday_is_the_first() {
        // September 2026 starts on a Tuesday.
        assert_eq!(date(2026, 9, 1).weekday(), Weekday::Tuesday);
        assert_eq!(
            rule("first tuesday").date_in(date(2026, 9, 20)).unwrap(),
            date(2026, 9, 1)
        );
    }

    #[test]
    fn the_first_tuesday_of_a_month_that_starts_on_a_wednesday_is_the_seventh() {
        // July 2026 starts on a Wednesday: its first Tuesday is as late as it gets.
        assert_eq!(date(2026, 7, 1).weekday(), Weekday::Wednesday);
        assert_eq!(
            rule("first tuesday").date_in(date(2026, 7, 1)).unwrap(),
            date(2026, 7, 7)
        );
        assert_eq!(
            rule("second tuesday").date_in(date(2026, 7, 1)).unwrap(),
            date(2026, 7, 14)
        );
    }

    #[test]
    fn the_last_weekday_may_be_the_fourth_or_the_fifth() {
        // December 2026 has five Thursdays and four Fridays.
        assert_eq!(
            rule("last thursday").date_in(date(2026, 12, 1)).unwrap(),
            date(2026, 12, 31)
        );
        assert_eq!(
            rule("last friday").date_in(date(2026, 12, 1)).unwrap(),
            date(2026, 12, 25)
        );
        assert_eq!(
            rule("fourth thursday").date_in(date(2026, 12, 1)).unwrap(),
            date(2026, 12, 24)
        );
        // February 2027 has exactly four of every weekday.
        assert_eq!(
            rule("last monday").date_in(date(2027, 2, 1)).unwrap(),
            date(2027, 2, 22)
        );
    }

    fn schedule() -> MonthlySchedule {
        MonthlySchedule {
            rule: MonthlyRule::default(),
            time: time(15, 0, 0, 0),
            zone: TimeZone::UTC,
            length: SignedDuration::from_mins(50),
            changes: BTreeMap::new(),
        }
    }

    #[test]
    fn next_meetings_skip_the_one_already_over() {
        let now: Timestamp = "2026-12-01T16:00:00Z".parse().unwrap();
        let dates: Vec<Date> = schedule()
            .next(now, 3)
            .unwrap()
            .into_iter()
            .map(|o| o.date)
            .collect();
        assert_eq!(
            dates,
            [date(2027, 1, 5), date(2027, 2, 2), date(2027, 3, 2)]
        );
        let during: Timestamp = "2026-12-01T15:30:00Z".parse().unwrap();
        assert_eq!(
            schedule().next(during, 1).unwrap()[0].date,
            date(2026, 12, 1)
        );
    }

    #[test]
    fn the_last_meeting_before_a_time() {
        let s = schedule();
        let t: Timestamp = "2026-12-01T15:00:00Z".parse().unwrap();
        assert_eq!(s.last_before(t).unwrap().date, date(2026, 11, 3));
        let t: Timestamp = "2026-12-01T15:00:01Z".parse().unwrap();
        assert_eq!(s.last_before(t).unwrap().date, date(2026, 12, 1));
    }

    #[test]
    fn a_moved_meeting_keeps_its_name_and_a_cancelled_one_is_skipped() {
        let mut s = schedule();
        let moved = date(2027, 1, 6)
            .at(15, 0, 0, 0)
            .to_zoned_datetime(TimeZone::UTC)
            .unwrap();
        s.record(date(2027, 1, 5), Change::Moved(moved)).unwrap();
        s.record(date(2027, 2, 2), Change::Cancelled).unwrap();
        let now: Timestamp = "2026-12-02T00:00:00Z".parse().unwrap();
        let next: Vec<String> = s
            .next(now, 3)
            .unwrap()
            .into_iter()
            .map(|o| format!("{} {} {}", o.date, o.status.as_str(), o.start.date()))
            .collect();
        assert_eq!(
            next,
            [
                "2027-01-05 moved 2027-01-06",
                "2027-02-02 cancelled 2027-02-02",
                "2027-03-02 scheduled 2027-03-02"
            ]
        );
        // The date it moved to names it too; a cancelled one cannot be held.
        assert_eq!(
            s.meeting_for(date(2027, 1, 6)).unwrap().date,
            date(2027, 1, 5)
        );
        assert_eq!(
            s.meeting_for(date(2027, 2, 2)).unwrap_err(),
            SyncError::MonthlyCancelled {
                date: date(2027, 2, 2)
            }
        );
        // "Since the last meeting" skips the cancelled one.
        let march: Timestamp = "2027-03-02T15:00:00Z".parse().unwrap();
        assert_eq!(s.last_before(march).unwrap().date, date(2027, 1, 5));
    }

    #[test]
    fn a_date_the_rule_does_not_give_is_refused_with_the_nearest_ones() {
        let mut s = schedule();
        let err = s.record(date(2027, 1, 6), Change::Cancelled).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`2027-01-06` is not a monthly sync date: it meets on the first Tuesday (nearest: `2027-01-05` and `2027-02-02`)"
        );
        let err = s.meeting_for(date(2027, 1, 4)).unwrap_err().to_string();
        assert!(
            err.contains("nearest: `2026-12-01` and `2027-01-05`"),
            "{err}"
        );
    }

    #[test]
    fn meetings_between_two_times() {
        let s = schedule();
        let a: Timestamp = "2026-09-01T15:00:00Z".parse().unwrap();
        let b: Timestamp = "2026-12-01T15:00:00Z".parse().unwrap();
        let dates: Vec<Date> = s
            .between(a, b)
            .unwrap()
            .into_iter()
            .map(|o| o.date)
            .collect();
        assert_eq!(
            dates,
            [date(2026, 9, 1), date(2026, 10, 6), date(2026, 11, 3)]
        );
    }
}
