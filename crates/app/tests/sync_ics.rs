//! The calendar feed, checked the way a calendar client reads it: parsed with `icalendar`'s
//! parser, recurrences expanded with the `rrule` crate (its own time-zone database), moved and
//! cancelled instances applied, and the result compared with the schedule supportops keeps.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use icalendar::parser::{Component, read_calendar, unfold};
use jiff::civil::{DateTime, Weekday, date, time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use supportops_app::sync::ics::{CalendarInput, calendar, vtimezone};
use supportops_domain::sync::{
    Change, MonthlyRule, MonthlySchedule, OccurrenceStatus, SeriesSpec, WeeklySeries,
};

fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn berlin_series() -> WeeklySeries {
    let berlin = tz("Europe/Berlin");
    let mut series = WeeklySeries::new(SeriesSpec {
        weekday: Weekday::Tuesday,
        time: time(10, 0, 0, 0),
        zone: berlin.clone(),
        length: SignedDuration::from_mins(30),
    });
    let moved = date(2026, 12, 9)
        .at(15, 0, 0, 0)
        .to_zoned_datetime(berlin.clone())
        .unwrap();
    series
        .record(date(2026, 12, 8), Change::Moved(moved))
        .unwrap();
    series
        .record(date(2026, 12, 22), Change::Cancelled)
        .unwrap();
    series.reschedule(
        date(2027, 2, 1),
        SeriesSpec {
            weekday: Weekday::Thursday,
            time: time(16, 0, 0, 0),
            zone: berlin,
            length: SignedDuration::from_mins(45),
        },
    );
    // A move in the new version, into another zone.
    let moved = date(2027, 4, 2)
        .at(9, 0, 0, 0)
        .to_zoned_datetime(tz("America/New_York"))
        .unwrap();
    series
        .record(date(2027, 4, 1), Change::Moved(moved))
        .unwrap();
    series
}

fn berlin_monthly() -> MonthlySchedule {
    MonthlySchedule {
        rule: MonthlyRule::default(),
        time: time(10, 30, 0, 0),
        zone: tz("Europe/Berlin"),
        length: SignedDuration::from_mins(50),
        changes: std::collections::BTreeMap::new(),
    }
}

fn feed(series: &WeeklySeries, monthly: &MonthlySchedule, now: &str) -> String {
    calendar(&CalendarInput {
        calendar_id: "gitlab-com/support/support-ops/feedback-review",
        weekly_title: "Support Ops weekly sync",
        weekly: series,
        monthly_title: "Support Ops monthly sync",
        monthly,
        now: ts(now),
    })
    .unwrap()
}

fn prop<'a>(c: &'a Component<'a>, name: &str) -> Option<&'a icalendar::parser::Property<'a>> {
    c.properties.iter().find(|p| p.name.as_str() == name)
}

fn props<'a>(c: &'a Component<'a>, name: &str) -> Vec<&'a icalendar::parser::Property<'a>> {
    c.properties
        .iter()
        .filter(|p| p.name.as_str() == name)
        .collect()
}

fn tzid(p: &icalendar::parser::Property<'_>) -> Option<String> {
    p.params
        .iter()
        .find(|x| x.key.as_str() == "TZID")
        .and_then(|x| x.val.as_ref().map(|v| v.as_str().to_owned()))
}

/// The instant a DATE-TIME property names (UTC `…Z`, or local with a TZID).
fn instant(p: &icalendar::parser::Property<'_>) -> Timestamp {
    let v = p.val.as_str();
    if let Some(utc) = v.strip_suffix('Z') {
        let dt = DateTime::strptime("%Y%m%dT%H%M%S", utc).unwrap();
        return dt.to_zoned_datetime(TimeZone::UTC).unwrap().timestamp();
    }
    let dt = DateTime::strptime("%Y%m%dT%H%M%S", v).unwrap();
    let zone = tzid(p).expect("a local date-time needs a TZID");
    dt.to_zoned_datetime(tz(&zone)).unwrap().timestamp()
}

/// The line as it was written, for rrule's parser: `NAME;TZID=…:VALUE`.
fn line(p: &icalendar::parser::Property<'_>) -> String {
    match tzid(p) {
        Some(zone) => format!("{};TZID={zone}:{}", p.name.as_str(), p.val.as_str()),
        None => format!("{}:{}", p.name.as_str(), p.val.as_str()),
    }
}

/// Every instance start the feed's events produce before `end`, as a client would compute it.
fn expand(text: &str, end: Timestamp) -> BTreeSet<Timestamp> {
    let unfolded = unfold(text);
    let cal = read_calendar(&unfolded).unwrap();
    let events: Vec<&Component<'_>> = cal
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .collect();
    let mut out = BTreeSet::new();
    for master in events.iter().filter(|e| prop(e, "RRULE").is_some()) {
        let mut lines = vec![line(prop(master, "DTSTART").unwrap())];
        lines.push(format!(
            "RRULE:{}",
            prop(master, "RRULE").unwrap().val.as_str()
        ));
        for ex in props(master, "EXDATE") {
            lines.push(line(ex));
        }
        let set: rrule::RRuleSet = lines.join("\n").parse().unwrap();
        let mut starts: BTreeSet<Timestamp> = set
            .all(2000)
            .dates
            .into_iter()
            .map(|d| Timestamp::from_second(d.timestamp()).unwrap())
            .filter(|t| *t < end)
            .collect();
        let uid = prop(master, "UID").unwrap().val.as_str();
        for o in events.iter().filter(|e| {
            prop(e, "RECURRENCE-ID").is_some() && prop(e, "UID").unwrap().val.as_str() == uid
        }) {
            assert!(
                starts.remove(&instant(prop(o, "RECURRENCE-ID").unwrap())),
                "an override names an instance its series does not have"
            );
            starts.insert(instant(prop(o, "DTSTART").unwrap()));
        }
        out.extend(starts);
    }
    out
}

#[test]
fn the_feed_expands_to_the_weekly_syncs_supportops_keeps() {
    let series = berlin_series();
    let monthly = berlin_monthly();
    let text = feed(&series, &monthly, "2026-12-01T12:00:00Z");
    let (from, end) = (ts("2025-01-01T00:00:00Z"), ts("2027-12-31T00:00:00Z"));
    let expected: BTreeSet<Timestamp> = series
        .between(from, end)
        .unwrap()
        .into_iter()
        .filter(|o| o.status != OccurrenceStatus::Cancelled)
        .map(|o| o.start.timestamp())
        .collect();
    let monthly_starts: BTreeSet<Timestamp> = monthly
        .between(from, end)
        .unwrap()
        .into_iter()
        .map(|o| o.start.timestamp())
        .collect();
    let got = expand(&text, end);
    let want: BTreeSet<Timestamp> = expected.union(&monthly_starts).copied().collect();
    assert_eq!(got, want);
    // Spot checks a person can verify: the move, the cancellation, both sides of the
    // reschedule, and a Berlin summer date (10:00 CEST is 08:00 UTC).
    assert!(got.contains(&ts("2026-12-09T14:00:00Z")));
    assert!(!got.contains(&ts("2026-12-08T09:00:00Z")));
    assert!(!got.contains(&ts("2026-12-22T09:00:00Z")));
    assert!(got.contains(&ts("2027-01-26T09:00:00Z")));
    assert!(got.contains(&ts("2027-02-04T15:00:00Z")));
    assert!(got.contains(&ts("2027-04-02T13:00:00Z")));
    assert!(got.contains(&ts("2026-07-07T08:00:00Z")));
}

#[test]
fn the_feed_is_valid_rfc_5545_text() {
    let text = feed(&berlin_series(), &berlin_monthly(), "2026-12-01T12:00:00Z");
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for l in text.split_inclusive('\n') {
        assert!(l.ends_with("\r\n"), "line without CRLF: {l:?}");
        assert!(l.len() <= 77, "line longer than 75 octets: {l:?}");
    }
    // Stable: the same schedule gives the same text.
    assert_eq!(
        text,
        feed(&berlin_series(), &berlin_monthly(), "2026-12-01T12:00:00Z")
    );
    insta::assert_snapshot!(text.replace("\r\n", "\n"));
}

#[test]
fn the_default_utc_schedule_needs_no_time_zone_block() {
    let series = WeeklySeries::new(SeriesSpec {
        weekday: Weekday::Tuesday,
        time: time(14, 30, 0, 0),
        zone: TimeZone::UTC,
        length: SignedDuration::from_mins(30),
    });
    let monthly = MonthlySchedule {
        rule: MonthlyRule::default(),
        time: time(15, 0, 0, 0),
        zone: TimeZone::UTC,
        length: SignedDuration::from_mins(50),
        changes: std::collections::BTreeMap::new(),
    };
    let text = feed(&series, &monthly, "2026-12-01T12:00:00Z");
    assert!(!text.contains("VTIMEZONE"));
    assert!(text.contains("DTSTART:20250107T143000Z\r\n"));
    assert!(text.contains("RRULE:FREQ=WEEKLY;BYDAY=TU\r\n"));
    assert!(text.contains("RRULE:FREQ=MONTHLY;BYDAY=1TU\r\n"));
    assert!(unfold(&text).contains("It follows the weekly sync."));
    let end = ts("2025-03-01T00:00:00Z");
    let starts: Vec<Timestamp> = expand(&text, end).into_iter().take(3).collect();
    assert_eq!(
        starts,
        [
            ts("2025-01-07T14:30:00Z"),
            ts("2025-01-07T15:00:00Z"),
            ts("2025-01-14T14:30:00Z")
        ]
    );
}

/// The offset changes a `VTIMEZONE` block describes before `end`: (instant, offset after).
fn vtimezone_changes(block: &str, end: Timestamp) -> Vec<(Timestamp, i32)> {
    let cal = read_calendar(block).unwrap();
    let zone = &cal.components[0];
    let offset = |s: &str| {
        let sign = if s.starts_with('-') { -1 } else { 1 };
        let h: i32 = s[1..3].parse().unwrap();
        let m: i32 = s[3..5].parse().unwrap();
        sign * (h * 3600 + m * 60)
    };
    let mut out = Vec::new();
    for obs in &zone.components {
        let from = offset(prop(obs, "TZOFFSETFROM").unwrap().val.as_str());
        let to = offset(prop(obs, "TZOFFSETTO").unwrap().val.as_str());
        let start = prop(obs, "DTSTART").unwrap().val.as_str();
        // Expand in UTC: the observance's local times are plain calendar arithmetic.
        let locals: Vec<i64> = match prop(obs, "RRULE") {
            Some(rule) => {
                let text = format!("DTSTART:{start}Z\nRRULE:{}", rule.val.as_str());
                let set: rrule::RRuleSet = text.parse().unwrap();
                set.all(200).dates.iter().map(|d| d.timestamp()).collect()
            }
            None => {
                let dt = DateTime::strptime("%Y%m%dT%H%M%S", start).unwrap();
                vec![
                    dt.to_zoned_datetime(TimeZone::UTC)
                        .unwrap()
                        .timestamp()
                        .as_second(),
                ]
            }
        };
        for local in locals {
            let at = Timestamp::from_second(local - i64::from(from)).unwrap();
            if at < end {
                out.push((at, to));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn time_zone_blocks_match_the_zone_rules_for_ten_years() {
    let from = ts("2025-01-01T00:00:00Z");
    let end = ts("2034-01-01T00:00:00Z");
    for name in [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Sydney",
        "America/Sao_Paulo",
        "Asia/Singapore",
        "Africa/Casablanca",
    ] {
        let zone = tz(name);
        let block = vtimezone(&zone, from).unwrap();
        let want: Vec<(Timestamp, i32)> = zone
            .following(from)
            .take_while(|t| t.timestamp() < end)
            .map(|t| (t.timestamp(), t.offset().seconds()))
            .collect();
        let got: Vec<(Timestamp, i32)> = vtimezone_changes(&block, end)
            .into_iter()
            .filter(|(t, _)| *t >= from)
            .collect();
        if want.is_empty() {
            // A zone that no longer changes: one observance, with its offset.
            let secs = zone.to_offset(from).seconds();
            let text = format!(
                "{}{:02}{:02}",
                if secs < 0 { '-' } else { '+' },
                secs.abs() / 3600,
                secs.abs() % 3600 / 60
            );
            assert!(
                block.contains(&format!("TZOFFSETTO:{text}\r\n")),
                "{name}:\n{block}"
            );
            assert_eq!(
                block.matches("BEGIN:STANDARD").count(),
                1,
                "{name}:\n{block}"
            );
        } else {
            assert_eq!(got, want, "{name}:\n{block}");
        }
    }
    let berlin = vtimezone(&tz("Europe/Berlin"), from).unwrap();
    assert!(
        berlin.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"),
        "{berlin}"
    );
    assert!(
        berlin.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"),
        "{berlin}"
    );
    let new_york = vtimezone(&tz("America/New_York"), from).unwrap();
    assert!(
        new_york.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"),
        "{new_york}"
    );
}
