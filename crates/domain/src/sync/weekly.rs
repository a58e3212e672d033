//! The weekly sync: a series made of versions (the configured schedule, then each reschedule
//! from a date on, older versions kept for the dates before) and of changes to single
//! occurrences (moved to another time, or cancelled).
//!
//! An occurrence is named by its *date*: the local date, in the series' zone, on which it was
//! scheduled. A moved occurrence keeps that name.

use std::collections::BTreeMap;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan, ZonedDateTime};
use serde::Serialize;

use super::{SyncError, weekday_title};

/// When a weekly series meets: a weekday, a local time in a zone, and a length.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSpec {
    /// The weekday, in `zone`.
    pub weekday: Weekday,
    /// The local start time, in `zone`.
    pub time: Time,
    /// The zone the weekday and time are written in.
    pub zone: TimeZone,
    /// How long each occurrence lasts.
    pub length: SignedDuration,
}

impl SeriesSpec {
    /// The start of the occurrence on `date` (which should fall on `weekday`). A local time
    /// skipped by a daylight-saving change moves forward by the gap, as calendars do.
    pub fn start_on(&self, date: Date) -> Result<ZonedDateTime, SyncError> {
        Ok(date
            .to_datetime(self.time)
            .to_zoned_datetime(self.zone.clone())?)
    }
}

/// One version of the series: `spec` applies to occurrences on or after `from` (the configured
/// schedule has no `from`: it applies until the first reschedule).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesVersion {
    /// The first date this version applies to, in its own zone; `None` for the configured one.
    pub from: Option<Date>,
    /// When the series meets from then on.
    pub spec: SeriesSpec,
}

/// A change to one occurrence.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The occurrence takes place at another time.
    Moved(ZonedDateTime),
    /// The occurrence does not take place.
    Cancelled,
}

/// Whether an occurrence takes place as scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OccurrenceStatus {
    /// As the series says.
    Scheduled,
    /// Moved to another time.
    Moved,
    /// Cancelled.
    Cancelled,
}

impl OccurrenceStatus {
    /// The lowercase name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            OccurrenceStatus::Scheduled => "scheduled",
            OccurrenceStatus::Moved => "moved",
            OccurrenceStatus::Cancelled => "cancelled",
        }
    }
}

/// One occurrence of the weekly sync.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// The date it was scheduled on, in the series' zone: its name.
    pub date: Date,
    /// When the series scheduled it.
    pub scheduled: ZonedDateTime,
    /// When it takes place (the moved time for a moved occurrence).
    pub start: ZonedDateTime,
    /// When it ends.
    pub end: ZonedDateTime,
    /// Scheduled, moved or cancelled.
    pub status: OccurrenceStatus,
}

/// The weekly sync: its versions over time and the changes to single occurrences.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklySeries {
    versions: Vec<SeriesVersion>,
    changes: BTreeMap<Date, Change>,
}

/// The first date on or after `date` that falls on `weekday`.
pub fn first_on_or_after(date: Date, weekday: Weekday) -> Result<Date, SyncError> {
    if date.weekday() == weekday {
        Ok(date)
    } else {
        Ok(date.nth_weekday(1, weekday)?)
    }
}

impl WeeklySeries {
    /// A series that meets as `spec` says, with no reschedule and no change yet.
    pub fn new(spec: SeriesSpec) -> WeeklySeries {
        WeeklySeries {
            versions: vec![SeriesVersion { from: None, spec }],
            changes: BTreeMap::new(),
        }
    }

    /// Moves the whole series from `from` on: occurrences before `from` keep their old schedule,
    /// and any reschedule recorded earlier for `from` or a later date is replaced.
    pub fn reschedule(&mut self, from: Date, spec: SeriesSpec) {
        self.versions.retain(|v| v.from.is_none_or(|f| f < from));
        self.versions.push(SeriesVersion {
            from: Some(from),
            spec,
        });
    }

    /// The versions in force, oldest first; each applies until the next one's `from`.
    pub fn versions(&self) -> &[SeriesVersion] {
        &self.versions
    }

    /// The changes to single occurrences in force, by occurrence date.
    pub fn changes(&self) -> &BTreeMap<Date, Change> {
        &self.changes
    }

    /// The version in force on `date`.
    pub fn version_on(&self, date: Date) -> &SeriesVersion {
        self.versions
            .iter()
            .rev()
            .find(|v| v.from.is_none_or(|f| f <= date))
            .unwrap_or(&self.versions[0])
    }

    /// The occurrence the series schedules on `date`, ignoring changes, if it meets that day.
    fn scheduled_on(&self, date: Date) -> Result<Option<Occurrence>, SyncError> {
        let version = self.version_on(date);
        if date.weekday() != version.spec.weekday {
            return Ok(None);
        }
        let start = version.spec.start_on(date)?;
        let end = start.checked_add(version.spec.length)?;
        Ok(Some(Occurrence {
            date,
            scheduled: start.clone(),
            start,
            end,
            status: OccurrenceStatus::Scheduled,
        }))
    }

    /// The occurrence named `date`, with its change applied, if the series meets that day.
    pub fn occurrence_on(&self, date: Date) -> Result<Option<Occurrence>, SyncError> {
        let Some(occ) = self.scheduled_on(date)? else {
            return Ok(None);
        };
        self.with_change(occ).map(Some)
    }

    fn with_change(&self, mut occ: Occurrence) -> Result<Occurrence, SyncError> {
        match self.changes.get(&occ.date) {
            None => {}
            Some(Change::Cancelled) => occ.status = OccurrenceStatus::Cancelled,
            Some(Change::Moved(to)) => {
                let length = occ.end.timestamp().duration_since(occ.start.timestamp());
                occ.end = to.checked_add(length)?;
                occ.start = to.clone();
                occ.status = OccurrenceStatus::Moved;
            }
        }
        Ok(occ)
    }

    /// Records a change to the occurrence named `date`. Moving an occurrence back to its
    /// scheduled time undoes any earlier change to it (a cancelled occurrence is restored that
    /// way too). Refuses a date the series does not meet on.
    pub fn record(&mut self, date: Date, change: Change) -> Result<(), SyncError> {
        let Some(occ) = self.scheduled_on(date)? else {
            return Err(self.not_an_occurrence(date));
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

    fn not_an_occurrence(&self, date: Date) -> SyncError {
        let weekday = self.version_on(date).spec.weekday;
        let after = first_on_or_after(date, weekday).unwrap_or(date);
        let before = date.nth_weekday(-1, weekday).unwrap_or(date);
        SyncError::NotAnOccurrence {
            date,
            weekday: weekday_title(weekday).to_owned(),
            before,
            after,
        }
    }

    /// Every occurrence taking place in `[start, end)`, cancelled ones included (at their
    /// scheduled time), in order of start.
    pub fn between(&self, start: Timestamp, end: Timestamp) -> Result<Vec<Occurrence>, SyncError> {
        let mut out: Vec<Occurrence> = Vec::new();
        let in_window = |t: Timestamp| start <= t && t < end;
        for (i, version) in self.versions.iter().enumerate() {
            let next_from = self.versions.get(i + 1).and_then(|v| v.from);
            let zone = &version.spec.zone;
            let lo = start.to_zoned_datetime(zone.clone()).date().yesterday()?;
            let hi = end.to_zoned_datetime(zone.clone()).date().tomorrow()?;
            let lo = version.from.map_or(lo, |f| f.max(lo));
            let mut date = first_on_or_after(lo, version.spec.weekday)?;
            while date <= hi && next_from.is_none_or(|n| date < n) {
                if let Some(occ) = self.scheduled_on(date)?
                    && in_window(occ.scheduled.timestamp())
                {
                    let occ = self.with_change(occ)?;
                    if occ.status == OccurrenceStatus::Cancelled || in_window(occ.start.timestamp())
                    {
                        out.push(occ);
                    }
                }
                date = date.checked_add(7.days())?;
            }
        }
        // Occurrences moved into the window from outside it.
        for (date, change) in &self.changes {
            let Change::Moved(to) = change else { continue };
            if !in_window(to.timestamp()) || out.iter().any(|o| o.date == *date) {
                continue;
            }
            if let Some(occ) = self.occurrence_on(*date)? {
                out.push(occ);
            }
        }
        out.sort_by_key(|o| (o.start.timestamp(), o.date));
        Ok(out)
    }

    /// The next occurrences not yet over at `now`: enough to hold `count` that take place, plus
    /// the cancelled ones among them.
    pub fn next(&self, now: Timestamp, count: usize) -> Result<Vec<Occurrence>, SyncError> {
        let mut out = Vec::new();
        let mut from = now.checked_sub(SignedDuration::from_hours(24))?;
        // Ten years of weeks is far more than any list anyone asks for.
        for _ in 0..65 {
            let to = from.checked_add(SignedDuration::from_hours(24 * 7 * 8))?;
            for occ in self.between(from, to)? {
                if occ.end.timestamp() <= now {
                    continue;
                }
                if out
                    .iter()
                    .filter(|o: &&Occurrence| o.status != OccurrenceStatus::Cancelled)
                    .count()
                    >= count
                {
                    return Ok(out);
                }
                out.push(occ);
            }
            from = to;
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn tuesday_1430_utc() -> SeriesSpec {
        SeriesSpec {
            weekday: Weekday::Tuesday,
            time: time(14, 30, 0, 0),
            zone: TimeZone::UTC,
            length: SignedDuration::from_mins(30),
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// One line per occurrence: date, status, start (UTC).
    fn lines(occs: &[Occurrence]) -> Vec<String> {
        occs.iter()
            .map(|o| {
                format!(
                    "{} {} {}",
                    o.date,
                    o.status.as_str(),
                    o.start.timestamp().strftime("%a %Y-%m-%d %H:%M UTC")
                )
            })
            .collect()
    }

    #[test]
    fn the_default_series_meets_every_tuesday_at_1430_utc() {
        let s = WeeklySeries::new(tuesday_1430_utc());
        let next = s.next(ts("2026-12-01T14:45:00Z"), 3).unwrap();
        // The meeting under way at 14:45 is still listed.
        assert_eq!(
            lines(&next),
            [
                "2026-12-01 scheduled Tue 2026-12-01 14:30 UTC",
                "2026-12-08 scheduled Tue 2026-12-08 14:30 UTC",
                "2026-12-15 scheduled Tue 2026-12-15 14:30 UTC",
            ]
        );
        let after = s.next(ts("2026-12-01T15:00:00Z"), 1).unwrap();
        assert_eq!(after[0].date, date(2026, 12, 8));
    }

    #[test]
    fn moved_and_cancelled_occurrences_keep_their_names() {
        let mut s = WeeklySeries::new(tuesday_1430_utc());
        let to = date(2026, 12, 9)
            .at(15, 0, 0, 0)
            .to_zoned_datetime(TimeZone::UTC)
            .unwrap();
        s.record(date(2026, 12, 8), Change::Moved(to)).unwrap();
        s.record(date(2026, 12, 15), Change::Cancelled).unwrap();
        let next = s.next(ts("2026-12-02T00:00:00Z"), 3).unwrap();
        assert_eq!(
            lines(&next),
            [
                "2026-12-08 moved Wed 2026-12-09 15:00 UTC",
                "2026-12-15 cancelled Tue 2026-12-15 14:30 UTC",
                "2026-12-22 scheduled Tue 2026-12-22 14:30 UTC",
                "2026-12-29 scheduled Tue 2026-12-29 14:30 UTC",
            ]
        );
        assert_eq!(next[0].end.time(), time(15, 30, 0, 0));
    }

    #[test]
    fn an_occurrence_moved_into_another_week_is_found_there() {
        let mut s = WeeklySeries::new(tuesday_1430_utc());
        let to = date(2027, 1, 4)
            .at(9, 0, 0, 0)
            .to_zoned_datetime(TimeZone::UTC)
            .unwrap();
        s.record(date(2026, 12, 22), Change::Moved(to)).unwrap();
        let jan = s
            .between(ts("2027-01-01T00:00:00Z"), ts("2027-01-08T00:00:00Z"))
            .unwrap();
        assert_eq!(
            lines(&jan),
            [
                "2026-12-22 moved Mon 2027-01-04 09:00 UTC",
                "2027-01-05 scheduled Tue 2027-01-05 14:30 UTC",
            ]
        );
        let dec = s
            .between(ts("2026-12-20T00:00:00Z"), ts("2026-12-27T00:00:00Z"))
            .unwrap();
        assert!(dec.is_empty(), "{:?}", lines(&dec));
    }

    #[test]
    fn moving_an_occurrence_back_restores_it() {
        let mut s = WeeklySeries::new(tuesday_1430_utc());
        s.record(date(2026, 12, 15), Change::Cancelled).unwrap();
        let back = tuesday_1430_utc().start_on(date(2026, 12, 15)).unwrap();
        s.record(date(2026, 12, 15), Change::Moved(back)).unwrap();
        assert!(s.changes().is_empty());
        let occ = s.occurrence_on(date(2026, 12, 15)).unwrap().unwrap();
        assert_eq!(occ.status, OccurrenceStatus::Scheduled);
    }

    #[test]
    fn a_date_the_series_does_not_meet_on_is_refused_with_the_nearest_dates() {
        let mut s = WeeklySeries::new(tuesday_1430_utc());
        let err = s.record(date(2026, 12, 9), Change::Cancelled).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`2026-12-09` is not a weekly sync date: the series meets on Tuesdays then (nearest: `2026-12-08` and `2026-12-15`)"
        );
    }

    #[test]
    fn a_reschedule_applies_from_its_date_on_and_keeps_the_past() {
        let mut s = WeeklySeries::new(tuesday_1430_utc());
        s.record(date(2027, 1, 12), Change::Cancelled).unwrap();
        let thursday = SeriesSpec {
            weekday: Weekday::Thursday,
            time: time(16, 0, 0, 0),
            ..tuesday_1430_utc()
        };
        s.reschedule(date(2027, 1, 6), thursday);
        let occs = s
            .between(ts("2026-12-28T00:00:00Z"), ts("2027-01-16T00:00:00Z"))
            .unwrap();
        assert_eq!(
            lines(&occs),
            [
                "2026-12-29 scheduled Tue 2026-12-29 14:30 UTC",
                "2027-01-05 scheduled Tue 2027-01-05 14:30 UTC",
                "2027-01-07 scheduled Thu 2027-01-07 16:00 UTC",
                "2027-01-14 scheduled Thu 2027-01-14 16:00 UTC",
            ]
        );
        // The cancellation was for a Tuesday the series no longer meets on.
        assert_eq!(s.occurrence_on(date(2027, 1, 12)).unwrap(), None);
    }

    #[test]
    fn a_later_reschedule_from_an_earlier_date_replaces_the_ones_after_it() {
        let mut s = WeeklySeries::new(tuesday_1430_utc());
        let on = |weekday| SeriesSpec {
            weekday,
            ..tuesday_1430_utc()
        };
        s.reschedule(date(2027, 3, 1), on(Weekday::Friday));
        s.reschedule(date(2027, 2, 1), on(Weekday::Wednesday));
        let froms: Vec<_> = s.versions().iter().map(|v| v.from).collect();
        assert_eq!(froms, [None, Some(date(2027, 2, 1))]);
        assert_eq!(
            s.version_on(date(2027, 6, 1)).spec.weekday,
            Weekday::Wednesday
        );
    }

    #[test]
    fn a_series_in_a_zone_with_daylight_saving_keeps_its_local_time() {
        // 10:00 in Berlin is 09:00 UTC in winter and 08:00 UTC in summer; the clocks go
        // forward on 2027-03-28.
        let spec = SeriesSpec {
            weekday: Weekday::Monday,
            time: time(10, 0, 0, 0),
            zone: tz("Europe/Berlin"),
            length: SignedDuration::from_mins(30),
        };
        let s = WeeklySeries::new(spec);
        let occs = s
            .between(ts("2027-03-20T00:00:00Z"), ts("2027-04-06T00:00:00Z"))
            .unwrap();
        assert_eq!(
            lines(&occs),
            [
                "2027-03-22 scheduled Mon 2027-03-22 09:00 UTC",
                "2027-03-29 scheduled Mon 2027-03-29 08:00 UTC",
                "2027-04-05 scheduled Mon 2027-04-05 08:00 UTC",
            ]
        );
    }

    #[test]
    fn a_local_time_skipped_by_the_clocks_moves_forward_by_the_gap() {
        // New York skips 02:00–03:00 on Sunday 2027-03-14.
        let spec = SeriesSpec {
            weekday: Weekday::Sunday,
            time: time(2, 30, 0, 0),
            zone: tz("America/New_York"),
            length: SignedDuration::from_mins(30),
        };
        let occ = WeeklySeries::new(spec)
            .occurrence_on(date(2027, 3, 14))
            .unwrap()
            .unwrap();
        assert_eq!(occ.start.time(), time(3, 30, 0, 0));
    }
}
