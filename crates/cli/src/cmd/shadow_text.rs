//! What `supportops shadow …` prints as text: the plan, a scheduled, moved or improved
//! session, the coverage report and the session list.

use std::fmt::Write as _;

use jiff::Timestamp;
use owo_colors::OwoColorize as _;
use supportops_app::shadow::{
    CoverageReport, ImproveReport, PlanReport, RescheduleReport, ScheduleReport, Shadowing,
};
use supportops_domain::shadow::ShadowSession;
use supportops_domain::shadow::coverage::MonthStatus;
use tabled::settings::Style;

pub(super) fn plan_text(r: &PlanReport) -> String {
    let mut out = String::new();
    if r.applied {
        let _ = writeln!(
            out,
            "Plan for {} recorded (counts toward {}):\n",
            r.month, r.period
        );
    } else {
        let _ = writeln!(
            out,
            "Proposed plan for {} (counts toward {}); nothing is recorded until you add --apply:\n",
            r.month, r.period
        );
    }
    if r.sessions.is_empty() {
        let _ = writeln!(out, "  No new sessions: every member available has one.");
    }
    for s in &r.sessions {
        let id = s.id.map(|id| format!("#{id} ")).unwrap_or_default();
        let _ = writeln!(out, "  {id}{} ({}) → {}", s.member, s.name, s.region);
        let _ = writeln!(out, "      {}", s.reason);
    }
    if !r.arranged.is_empty() {
        let _ = writeln!(out, "\nAlready arranged for {}:", r.month);
        for a in &r.arranged {
            let _ = writeln!(out, "  #{} {} → {} ({})", a.id, a.member, a.region, a.state);
        }
    }
    // Members whose sessions are listed above need no second mention.
    let skipped = r.not_planned();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\nNot planned:");
        for s in skipped {
            let _ = writeln!(out, "  {}: {}", s.member, s.reason);
        }
    }
    let mut builder = tabled::builder::Builder::default();
    builder.push_record(["region", "arranged", "this plan", "target"]);
    for t in &r.regions {
        builder.push_record([
            t.region.clone(),
            t.arranged.to_string(),
            t.proposed.to_string(),
            t.target.to_string(),
        ]);
    }
    let mut table = builder.build();
    table.with(Style::psql());
    let _ = writeln!(out, "\nSessions in {}:\n\n{table}", r.period);
    if let Some(first) = r.sessions.iter().find_map(|s| s.id).filter(|_| r.applied) {
        let _ = writeln!(
            out,
            "\nNext: supportops shadow schedule {first} --at \"YYYY-MM-DD HH:MM\" [--engineer NAME]"
        );
    }
    out
}

pub(super) fn schedule_text(r: &ScheduleReport) -> String {
    let s = &r.session;
    let mut out = String::new();
    let with = s
        .engineer
        .as_deref()
        .map_or_else(|| "an engineer to be found".to_owned(), |e| e.to_owned());
    let verb = if r.dry_run {
        "Would schedule"
    } else {
        "Scheduled"
    };
    let _ = writeln!(
        out,
        "{verb} session {}: {} shadows {with} in {}",
        s.id, s.member, s.region
    );
    let _ = writeln!(out, "  member's time: {}", r.member_time);
    let _ = writeln!(out, "  region's time: {}", r.region_time);
    match &r.filed {
        Some(issue) if r.found_existing => {
            let _ = writeln!(out, "  issue: {} (filed by an earlier run)", issue.web_url);
        }
        Some(issue) => {
            let _ = writeln!(out, "  issue: {}", issue.web_url);
        }
        None => {
            let _ = writeln!(
                out,
                "\nWould file in project `{}` (assigned to {}; labels: {}):\n\n# {}\n\n{}",
                r.issue.project,
                r.issue.assignees.join(", "),
                if r.issue.labels.is_empty() {
                    "none".to_owned()
                } else {
                    r.issue.labels.join(", ")
                },
                r.issue.title,
                r.issue.description.trim_end()
            );
        }
    }
    out
}

pub(super) fn reschedule_text(r: &RescheduleReport) -> String {
    let s = &r.session;
    let mut out = String::new();
    let verb = if r.dry_run { "Would move" } else { "Moved" };
    let _ = writeln!(
        out,
        "{verb} session {} ({} shadows in {}) to:",
        s.id, s.member, s.region
    );
    let _ = writeln!(out, "  member's time: {}", r.member_time);
    let _ = writeln!(out, "  region's time: {}", r.region_time);
    for action in &r.tracker_actions {
        let prefix = if r.dry_run { "would " } else { "" };
        let _ = writeln!(out, "  {prefix}{action}");
    }
    if r.dry_run {
        let _ = writeln!(out, "\nThe note:\n\n{}", r.note.trim_end());
    }
    out
}

pub(super) fn improve_text(r: &ImproveReport) -> String {
    let mut out = String::new();
    match &r.filed {
        Some(issue) => {
            let earlier = if r.found_existing {
                " (filed by an earlier run)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "Filed {}{earlier} from session {}; it links {}.",
                issue.web_url,
                r.session.id,
                r.session
                    .issue
                    .as_ref()
                    .map_or("the shadowing issue", |i| i.web_url.as_str())
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Would file in project `{}`:\n\n# {}\n\n{}",
                r.issue.project,
                r.issue.title,
                r.issue.description.trim_end()
            );
        }
    }
    out
}

pub(super) fn coverage_text(r: &CoverageReport) -> String {
    let mut out = String::new();
    for (i, p) in r.periods.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let timing = match p.timing {
            supportops_domain::shadow::coverage::Timing::Past => "past",
            supportops_domain::shadow::coverage::Timing::Current => "current",
            supportops_domain::shadow::coverage::Timing::Future => "future",
        };
        let share = match r.since {
            Some(since) if p.target_per_region != r.target_per_region => format!(
                " (its share of {}: the team tracks from {since}, `team.since`)",
                r.target_per_region
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{} ({timing}): target {} sessions per region{share}\n",
            p.period, p.target_per_region
        );
        let mut regions = tabled::builder::Builder::default();
        regions.push_record([
            "region",
            "done",
            "scheduled",
            "planned",
            "overdue",
            "target",
            "status",
        ]);
        for c in &p.regions {
            regions.push_record([
                c.region.clone(),
                c.done.to_string(),
                c.scheduled.to_string(),
                c.planned.to_string(),
                c.overdue.to_string(),
                c.target.to_string(),
                c.status.as_str().replace('_', " "),
            ]);
        }
        let mut table = regions.build();
        table.with(Style::psql());
        let _ = writeln!(out, "{table}\n");

        let mut members = tabled::builder::Builder::default();
        let mut header = vec!["member".to_owned()];
        header.extend(p.months.iter().map(|m| m.short_name().to_owned()));
        members.push_record(header);
        for m in &p.members {
            let mut row = vec![m.member.clone()];
            for mm in &m.months {
                let regions: Vec<&str> = mm.sessions.iter().map(|s| s.region.as_str()).collect();
                let with = |word: &str| format!("{word} {}", regions.join("+"));
                row.push(match mm.status {
                    MonthStatus::Shadowed => with("done"),
                    MonthStatus::Scheduled => with("scheduled"),
                    MonthStatus::Planned => with("planned"),
                    MonthStatus::Overdue => with("overdue"),
                    MonthStatus::BeforeStart => "-".to_owned(),
                    MonthStatus::Away => "away".to_owned(),
                    MonthStatus::Missed => "missed".to_owned(),
                    MonthStatus::Open => "open".to_owned(),
                    MonthStatus::Upcoming => "-".to_owned(),
                });
            }
            members.push_record(row);
        }
        let mut table = members.build();
        table.with(Style::psql());
        let _ = writeln!(out, "{table}");
        for w in &p.warnings {
            let _ = writeln!(out, "{} {}", "warning:".yellow().bold(), w.message);
        }
    }
    out
}

pub(super) fn list_text(sh: &Shadowing, sessions: &[ShadowSession], now: Timestamp) -> String {
    if sessions.is_empty() {
        return "No shadowing sessions recorded; `supportops shadow plan --apply` plans some.\n"
            .to_owned();
    }
    let mut builder = tabled::builder::Builder::default();
    builder.push_record([
        "id", "month", "member", "region", "state", "engineer", "start", "issue",
    ]);
    for s in sessions {
        let start = s.start.map_or_else(String::new, |t| {
            let zone = sh
                .member(&s.member)
                .map_or(jiff::tz::TimeZone::UTC, |m| m.zone.clone());
            jiff::fmt::strtime::format("%Y-%m-%d %H:%M %Z", &t.to_zoned_datetime(zone))
                .unwrap_or_else(|_| t.to_string())
        });
        builder.push_record([
            s.id.to_string(),
            s.month.to_string(),
            s.member.clone(),
            s.region.clone(),
            s.status(now).to_owned(),
            s.engineer.clone().unwrap_or_default(),
            start,
            s.issue
                .as_ref()
                .map(|i| i.web_url.clone())
                .unwrap_or_default(),
        ]);
    }
    let mut table = builder.build();
    table.with(Style::psql());
    format!("{table}\n")
}
