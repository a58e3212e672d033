//! The syncs as an RFC 5545 iCalendar feed, written with the `icalendar` crate (which escapes
//! text and folds long lines):
//!
//! - each version of the weekly series is one `VEVENT` with an `RRULE` (bounded by `UNTIL`
//!   when a reschedule follows it); cancelled occurrences are `EXDATE`s, moved ones are
//!   overriding `VEVENT`s with the same `UID` and a `RECURRENCE-ID`;
//! - the monthly sync is its own `VEVENT` with a monthly `RRULE` (`BYDAY=1TU`), its cancelled
//!   meetings `EXDATE`s and its moved ones overriding `VEVENT`s, as for the weekly sync;
//! - every zone other than UTC gets a `VTIMEZONE` block generated from jiff's rules for it
//!   (yearly `RRULE`s when the zone's changes follow a fixed pattern, one observance per change
//!   otherwise), because `icalendar` does not write one.
//!
//! UIDs are stable: they derive from the calendar's id (the review project) and the version's
//! first date, so re-importing the feed updates events instead of duplicating them. The feed
//! starts on January 1 of the year before `now`; nothing here reads the clock.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use icalendar::{Calendar, Component, Event, Property};
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use supportops_domain::sync::{
    Change, MonthlySchedule, OccurrenceStatus, SeriesVersion, SyncError, WeeklySeries,
    first_on_or_after, monthly_meeting,
};

/// What goes into the feed.
#[derive(Debug, Clone, Copy)]
pub struct CalendarInput<'a> {
    /// A stable id for the team's calendar (the review project's path); UIDs derive from it.
    pub calendar_id: &'a str,
    /// The weekly sync's title.
    pub weekly_title: &'a str,
    /// The weekly sync.
    pub weekly: &'a WeeklySeries,
    /// The monthly sync's title.
    pub monthly_title: &'a str,
    /// The monthly sync.
    pub monthly: &'a MonthlySchedule,
    /// The current time: `DTSTAMP`, and the feed starts in the year before it.
    pub now: Timestamp,
}

/// The first date the feed covers: January 1 of the year before `now` (UTC).
pub fn feed_start(now: Timestamp) -> Result<Date, SyncError> {
    let year = now.to_zoned_datetime(TimeZone::UTC).year();
    Ok(Date::new(year - 1, 1, 1)?)
}

fn is_utc(zone: &TimeZone, from: Timestamp) -> bool {
    *zone == TimeZone::UTC
        || (zone.to_offset(from) == Offset::UTC && zone.following(from).next().is_none())
}

fn local_text(dt: DateTime) -> String {
    dt.strftime("%Y%m%dT%H%M%S").to_string()
}

fn utc_text(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A date-time property: `KEY:…Z` in UTC, else `KEY;TZID=Zone:…` in local time.
fn date_time(key: &str, at: &ZonedDateTime, feed_from: Timestamp) -> Property {
    let zone = at.time_zone();
    match zone.iana_name() {
        Some(name) if !is_utc(zone, feed_from) => Property::new(key, local_text(at.datetime()))
            .add_parameter("TZID", name)
            .done(),
        _ => Property::new(key, utc_text(at.timestamp())),
    }
}

fn byday(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

fn slug(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

fn describe_time(at: &ZonedDateTime) -> String {
    at.strftime("%a %Y-%m-%d %H:%M %Z").to_string()
}

/// The feed as iCalendar text (CRLF line endings).
pub fn calendar(input: &CalendarInput<'_>) -> Result<String, SyncError> {
    let start_date = feed_start(input.now)?;
    let feed_from = start_date.to_zoned_datetime(TimeZone::UTC)?.timestamp();
    let dtstamp = utc_text(input.now);
    let id = slug(input.calendar_id);
    let mut zones: Vec<TimeZone> = Vec::new();
    let mut remember = |zone: &TimeZone| {
        if !is_utc(zone, feed_from) && !zones.contains(zone) {
            zones.push(zone.clone());
        }
    };

    let mut cal = Calendar::new();
    cal.properties.retain(|p| p.key() != "PRODID");
    cal.append_property(Property::new(
        "PRODID",
        format!(
            "-//supportops//supportops {}//EN",
            env!("CARGO_PKG_VERSION")
        ),
    ));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    cal.name(&format!(
        "{} and {}",
        input.weekly_title, input.monthly_title
    ));

    let versions = input.weekly.versions();
    for (i, version) in versions.iter().enumerate() {
        let until = versions.get(i + 1).and_then(|v| v.from);
        let Some(events) = weekly_events(input, version, until, start_date, &id, &dtstamp)? else {
            continue;
        };
        remember(&version.spec.zone);
        for (event, moved_zone) in events {
            if let Some(zone) = moved_zone {
                remember(&zone);
            }
            cal.push(event);
        }
    }

    let monthly = input.monthly;
    let first = monthly.in_month(start_date)?;
    let first = if first.date < start_date {
        monthly.in_month(start_date.checked_add(jiff::Span::new().months(1))?)?
    } else {
        first
    };
    remember(&monthly.zone);
    let mut description = String::from(
        "Action plans for new Feedback Review issues, outcomes of past ones. \
         Agenda: supportops sync agenda.",
    );
    let next = monthly.next_held(input.now, 1)?;
    if let Some(next) = next.into_iter().next()
        && let Some(rel) = monthly_meeting(next, input.weekly)?.relation
    {
        let _ = write!(description, " It {}.", rel.describe());
    }
    let rule = format!(
        "FREQ=MONTHLY;BYDAY={}{}",
        monthly.rule.ordinal.nth(),
        byday(monthly.rule.weekday)
    );
    let monthly_uid = format!("{id}-monthly-sync@supportops");
    let mut event = Event::new();
    event
        .uid(&monthly_uid)
        .summary(input.monthly_title)
        .description(&description)
        .add_property("DTSTAMP", &dtstamp)
        .append_property(date_time("DTSTART", &first.scheduled, feed_from))
        .append_property(date_time(
            "DTEND",
            &first.scheduled.checked_add(monthly.length)?,
            feed_from,
        ))
        .add_property("RRULE", &rule);
    // Single meetings moved or cancelled, as for the weekly sync.
    let mut overrides = Vec::new();
    for date in monthly.changes.keys().filter(|d| **d >= first.date) {
        let Some(occ) = monthly.occurrence_on(*date)? else {
            continue;
        };
        match occ.status {
            OccurrenceStatus::Cancelled => {
                event.append_multi_property(date_time("EXDATE", &occ.scheduled, feed_from));
            }
            OccurrenceStatus::Moved => {
                remember(occ.start.time_zone());
                overrides.push(
                    Event::new()
                        .uid(&monthly_uid)
                        .summary(input.monthly_title)
                        .description(&format!("Moved from {}.", describe_time(&occ.scheduled)))
                        .add_property("DTSTAMP", &dtstamp)
                        .append_property(date_time("RECURRENCE-ID", &occ.scheduled, feed_from))
                        .append_property(date_time("DTSTART", &occ.start, feed_from))
                        .append_property(date_time("DTEND", &occ.end, feed_from))
                        .done(),
                );
            }
            OccurrenceStatus::Scheduled => {}
        }
    }
    cal.push(event.done());
    for o in overrides {
        cal.push(o);
    }

    let text = cal.to_string();
    let mut blocks = String::new();
    for zone in &zones {
        blocks.push_str(&vtimezone(zone, feed_from)?);
    }
    Ok(match text.find("BEGIN:VEVENT\r\n") {
        Some(at) => format!("{}{blocks}{}", &text[..at], &text[at..]),
        None => text,
    })
}

type WeeklyEvents = Vec<(Event, Option<TimeZone>)>;

/// The master event of one version of the weekly series, then its moved occurrences (each
/// with the zone it was moved into).
fn weekly_events(
    input: &CalendarInput<'_>,
    version: &SeriesVersion,
    until: Option<Date>,
    start_date: Date,
    id: &str,
    dtstamp: &str,
) -> Result<Option<WeeklyEvents>, SyncError> {
    let spec = &version.spec;
    let feed_from = start_date.to_zoned_datetime(TimeZone::UTC)?.timestamp();
    let from = version.from.map_or(start_date, |f| f.max(start_date));
    let first = first_on_or_after(from, spec.weekday)?;
    let last = match until {
        Some(u) => Some(u.nth_weekday(-1, spec.weekday)?),
        None => None,
    };
    if last.is_some_and(|l| l < first) {
        return Ok(None);
    }
    let uid = match version.from {
        None => format!("{id}-weekly-sync@supportops"),
        Some(f) => format!("{id}-weekly-sync-from-{}@supportops", f.strftime("%Y%m%d")),
    };
    let start = spec.start_on(first)?;
    let end = start.checked_add(spec.length)?;
    let mut rule = format!("FREQ=WEEKLY;BYDAY={}", byday(spec.weekday));
    if let Some(last) = last {
        let _ = write!(
            rule,
            ";UNTIL={}",
            utc_text(spec.start_on(last)?.timestamp())
        );
    }
    let mut master = Event::new();
    master
        .uid(&uid)
        .summary(input.weekly_title)
        .add_property("DTSTAMP", dtstamp)
        .append_property(date_time("DTSTART", &start, feed_from))
        .append_property(date_time("DTEND", &end, feed_from))
        .add_property("RRULE", &rule);
    let in_range = |d: &Date| *d >= first && last.is_none_or(|l| *d <= l);
    let mut overrides = Vec::new();
    for (date, change) in input.weekly.changes() {
        if !in_range(date) || input.weekly.version_on(*date) != version {
            continue;
        }
        let scheduled = spec.start_on(*date)?;
        match change {
            Change::Cancelled => {
                master.append_multi_property(date_time("EXDATE", &scheduled, feed_from));
            }
            Change::Moved(to) => {
                let moved_end = to.checked_add(spec.length)?;
                let event = Event::new()
                    .uid(&uid)
                    .summary(input.weekly_title)
                    .description(&format!("Moved from {}.", describe_time(&scheduled)))
                    .add_property("DTSTAMP", dtstamp)
                    .append_property(date_time("RECURRENCE-ID", &scheduled, feed_from))
                    .append_property(date_time("DTSTART", to, feed_from))
                    .append_property(date_time("DTEND", &moved_end, feed_from))
                    .done();
                overrides.push((event, Some(to.time_zone().clone())));
            }
        }
    }
    let mut events = vec![(master.done(), None)];
    events.extend(overrides);
    Ok(Some(events))
}

/// `+0100`, `-0530`, `+054500` (seconds only when needed).
fn offset_text(offset: Offset) -> String {
    let s = offset.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let s = s.unsigned_abs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// One change of a zone's offset.
#[derive(Debug, Clone)]
struct Shift {
    at: Timestamp,
    from: Offset,
    to: Offset,
    name: String,
    dst: bool,
}

impl Shift {
    /// Local time of the change on the clock before it (what `DTSTART` of an observance says).
    fn local(&self) -> DateTime {
        self.from.to_datetime(self.at)
    }

    /// The yearly pattern: month, weekday, which of the month's weekdays, local time, offsets.
    fn pattern(&self) -> (i8, Weekday, i8, jiff::civil::Time, i32, i32, bool, String) {
        let local = self.local();
        let day = local.day();
        let nth = if day + 7 > local.days_in_month() {
            -1
        } else {
            (day - 1) / 7 + 1
        };
        (
            local.month(),
            local.weekday(),
            nth,
            local.time(),
            self.from.seconds(),
            self.to.seconds(),
            self.dst,
            self.name.clone(),
        )
    }
}

/// Years of offset changes looked at to find the zone's pattern.
const YEARS_LOOKED_AT: i64 = 10;

/// The `VTIMEZONE` block for `zone`, covering the events from `from` onwards: yearly rules
/// when the zone's offset changes follow at most two fixed yearly patterns for the next ten
/// years, one observance per change otherwise, a single one for a zone that never changes.
pub fn vtimezone(zone: &TimeZone, from: Timestamp) -> Result<String, SyncError> {
    let name = zone.iana_name().unwrap_or("UTC");
    // Start a year early so every event has an observance before it.
    let from = from.checked_sub(SignedDuration::from_hours(24 * 366))?;
    let to = from.checked_add(SignedDuration::from_hours(24 * 366 * YEARS_LOOKED_AT))?;
    let mut shifts: Vec<Shift> = Vec::new();
    for t in zone.following(from) {
        if t.timestamp() >= to {
            break;
        }
        let before = zone.to_offset(t.timestamp().checked_sub(SignedDuration::from_secs(1))?);
        shifts.push(Shift {
            at: t.timestamp(),
            from: before,
            to: t.offset(),
            name: t.abbreviation().to_owned(),
            dst: t.dst().is_dst(),
        });
    }
    let mut out = String::new();
    let _ = write!(out, "BEGIN:VTIMEZONE\r\nTZID:{name}\r\n");
    if shifts.is_empty() {
        let info = zone.to_offset_info(from);
        let offset = offset_text(info.offset());
        observance(
            &mut out,
            false,
            &offset,
            &offset,
            info.abbreviation(),
            "19700101T000000",
            None,
        );
    } else if let Some(rules) = yearly_rules(&shifts, to.to_zoned_datetime(TimeZone::UTC).year()) {
        for (first, rule) in rules {
            observance(
                &mut out,
                first.dst,
                &offset_text(first.from),
                &offset_text(first.to),
                &first.name,
                &local_text(first.local()),
                Some(&rule),
            );
        }
    } else {
        for s in &shifts {
            observance(
                &mut out,
                s.dst,
                &offset_text(s.from),
                &offset_text(s.to),
                &s.name,
                &local_text(s.local()),
                None,
            );
        }
    }
    out.push_str("END:VTIMEZONE\r\n");
    Ok(out)
}

/// When every change follows one of at most two yearly patterns, every year up to the end of
/// the period looked at (`end_year`), the first change of each pattern with its `RRULE`. A zone
/// whose changes stop before then (daylight-saving time abolished) gets no rule.
fn yearly_rules(shifts: &[Shift], end_year: i16) -> Option<Vec<(Shift, String)>> {
    let mut patterns: Vec<(_, Vec<&Shift>)> = Vec::new();
    for s in shifts {
        let p = s.pattern();
        match patterns.iter_mut().find(|(q, _)| *q == p) {
            Some((_, v)) => v.push(s),
            None => patterns.push((p, vec![s])),
        }
    }
    if patterns.len() > 2 {
        return None;
    }
    let last_year = shifts.iter().map(|s| s.local().year()).max()?;
    if last_year < end_year - 1 {
        return None;
    }
    let mut rules = Vec::new();
    for ((month, weekday, nth, ..), group) in &patterns {
        let years: BTreeSet<i16> = group.iter().map(|s| s.local().year()).collect();
        let first_year = *years.first()?;
        let consecutive = years.len() == usize::try_from(last_year - first_year + 1).ok()?;
        if !consecutive || years.len() != group.len() || years.last() != Some(&last_year) {
            return None;
        }
        let rule = format!("FREQ=YEARLY;BYMONTH={month};BYDAY={nth}{}", byday(*weekday));
        rules.push(((*group.first()?).clone(), rule));
    }
    Some(rules)
}

fn observance(
    out: &mut String,
    dst: bool,
    from: &str,
    to: &str,
    name: &str,
    start: &str,
    rule: Option<&str>,
) {
    let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
    let _ = write!(
        out,
        "BEGIN:{kind}\r\nDTSTART:{start}\r\nTZOFFSETFROM:{from}\r\nTZOFFSETTO:{to}\r\n"
    );
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-')
    {
        let _ = write!(out, "TZNAME:{name}\r\n");
    }
    if let Some(rule) = rule {
        let _ = write!(out, "RRULE:{rule}\r\n");
    }
    let _ = write!(out, "END:{kind}\r\n");
}
