//! What `supportops sync …` prints: the next meetings and the slots as tables, a moved or
//! cancelled occurrence, and the agenda (Markdown or JSON).

use std::fmt::Write as _;

use jiff::ZonedDateTime;
use serde::Serialize;
use supportops_app::sync::{self as app, FiledAgenda, MemberTime, OccurrenceView, SyncSettings};
use supportops_domain::sync::{Agenda, Fit, MeetingKind, OccurrenceStatus};
use tabled::settings::Style;

use super::sync::AgendaFormat;
use crate::output::{Format, print_json};

pub(super) fn print(text: &str) -> anyhow::Result<()> {
    anstream::print!("{text}");
    Ok(())
}

/// `Tue 2026-12-08 14:30 UTC`.
pub(super) fn when(at: &ZonedDateTime) -> String {
    at.strftime("%a %Y-%m-%d %H:%M %Z").to_string()
}

/// A member's cell: `Tue 09:30`, with `(off)` when outside their working hours.
fn member_cell(m: &MemberTime) -> String {
    let t = m.local.strftime("%a %H:%M").to_string();
    if m.fit == Fit::Outside {
        format!("{t} (off)")
    } else {
        t
    }
}

pub(super) fn next_table(settings: &SyncSettings, meetings: &[app::MeetingView]) -> String {
    if meetings.is_empty() {
        return "No upcoming syncs.\n".to_owned();
    }
    let mut builder = tabled::builder::Builder::default();
    let mut header = vec![
        "date".to_owned(),
        "sync".to_owned(),
        "start (UTC)".to_owned(),
        "status".to_owned(),
    ];
    header.extend(settings.members.iter().map(|m| m.username.clone()));
    builder.push_record(header);
    for m in meetings {
        let status = match m.status {
            OccurrenceStatus::Moved => {
                format!("moved from {}", m.scheduled_utc.strftime("%a %H:%M"))
            }
            other => other.as_str().to_owned(),
        };
        let status = match (m.kind, m.relation) {
            (MeetingKind::Monthly, Some(rel)) => format!("{status}, {}", rel.describe()),
            _ => status,
        };
        let mut row = vec![
            m.date.to_string(),
            m.kind.as_str().to_owned(),
            m.start_utc.strftime("%a %H:%M").to_string(),
            status,
        ];
        row.extend(m.members.iter().map(member_cell));
        builder.push_record(row);
    }
    let mut table = builder.build();
    table.with(Style::psql());
    let mut out = format!("{table}\n");
    if !settings.members.is_empty() {
        out.push_str(
            "\nMembers' columns show their local time; (off) is outside their working hours.\n",
        );
    }
    out.push_str("Move or cancel one sync by its date: `supportops sync move DATE --to \"YYYY-MM-DD HH:MM\"` (add `--monthly` for the monthly one).\n");
    out
}

pub(super) fn slots_table(settings: &SyncSettings, report: &app::SlotsReport) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "Weekly {}-minute slots in the week of {} ({}), ",
        report.length_minutes, report.week_start, report.timezone
    );
    if report.everyone_fits {
        let _ = writeln!(
            out,
            "where all {} members are inside their working hours, best first:\n",
            report.team_size
        );
    } else if let Some(best) = report.slots.first() {
        let _ = writeln!(
            out,
            "best first.\nNo time suits all {} members; these suit {} of them:\n",
            report.team_size, best.inside
        );
    } else {
        let _ = writeln!(
            out,
            "none suits anyone: check the members' hours and workdays."
        );
        return out;
    }
    let mut builder = tabled::builder::Builder::default();
    let mut header = vec![
        "#".to_owned(),
        "slot".to_owned(),
        "comfortable".to_owned(),
        "from current".to_owned(),
    ];
    header.extend(settings.members.iter().map(|m| m.username.clone()));
    header.push("note".to_owned());
    builder.push_record(header);
    // The current time is always shown, last when it is not among the slots listed.
    let current = report
        .current
        .as_ref()
        .filter(|c| !report.slots.iter().any(|s| s.current && s.rank == c.rank));
    for s in report.slots.iter().chain(current) {
        let distance = if s.current {
            "current".to_owned()
        } else {
            let (h, m) = (s.distance_minutes / 60, s.distance_minutes % 60);
            match (h, m) {
                (0, m) => format!("{m}m"),
                (h, 0) => format!("{h}h"),
                (h, m) => format!("{h}h{m:02}m"),
            }
        };
        let mut row = vec![
            s.rank.map_or_else(|| "-".to_owned(), |r| r.to_string()),
            format!("{} {}", short_day(&s.weekday), s.time),
            format!("{}/{}", s.comfortable, report.team_size),
            distance,
        ];
        row.extend(s.members.iter().map(member_cell));
        let mut note = match &s.breaks_on {
            Some(date) => format!("from {date} outside hours for {}", s.breaks_for.join(", ")),
            None => String::new(),
        };
        if s.current && !s.outside.is_empty() {
            let off = format!("outside hours for {}", s.outside.join(", "));
            note = if note.is_empty() {
                off
            } else {
                format!("{off}; {note}")
            };
        }
        row.push(note);
        builder.push_record(row);
    }
    let mut table = builder.build();
    table.with(Style::psql());
    let _ = writeln!(out, "{table}");
    out.push_str(
        "\ncomfortable: members an hour or more inside both ends of their day. Move the series \
         with `supportops sync reschedule --weekday DAY --time HH:MM --from DATE`.\n",
    );
    out
}

fn short_day(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c.take(2)).collect())
        .unwrap_or_default()
}

pub(super) fn title(settings: &SyncSettings, kind: MeetingKind) -> &str {
    match kind {
        MeetingKind::Weekly => &settings.weekly_title,
        MeetingKind::Monthly => &settings.monthly_title,
    }
}

pub(super) fn print_occurrence(
    title: &str,
    occ: &OccurrenceView,
    format: Format,
) -> anyhow::Result<()> {
    if format == Format::Json {
        return print_json(occ);
    }
    let mut out = match occ.status {
        OccurrenceStatus::Cancelled => format!(
            "Cancelled the {} of {} ({}).\n",
            title,
            occ.date,
            when(&occ.scheduled)
        ),
        OccurrenceStatus::Moved => format!(
            "Moved the {} of {} ({}) to {}.\n",
            title,
            occ.date,
            when(&occ.scheduled),
            when(&occ.start)
        ),
        OccurrenceStatus::Scheduled => format!(
            "The {} of {} takes place as scheduled: {}.\n",
            title,
            occ.date,
            when(&occ.start)
        ),
    };
    if occ.status != OccurrenceStatus::Cancelled {
        for m in &occ.members {
            let _ = writeln!(out, "  {:<12} {}", m.username, member_cell(m));
        }
    }
    print(&out)
}

/// `sync agenda --format json`.
#[derive(Serialize)]
pub(super) struct AgendaJson<'a> {
    #[serde(flatten)]
    agenda: &'a Agenda,
    filed: Option<&'a FiledAgenda>,
}

pub(super) fn print_agenda(
    agenda: &Agenda,
    filed: Option<&FiledAgenda>,
    format: AgendaFormat,
) -> anyhow::Result<()> {
    match format {
        AgendaFormat::Json => print_json(&AgendaJson { agenda, filed }),
        AgendaFormat::Markdown => {
            print(&agenda.to_markdown())?;
            if let Some(f) = filed {
                if f.created {
                    anstream::eprintln!("Filed the agenda as #{}: {}", f.iid, f.web_url);
                } else {
                    anstream::eprintln!(
                        "The agenda is already filed as #{}: {} (not filed again)",
                        f.iid,
                        f.web_url
                    );
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::Weekday;
    use supportops_domain::sync::weekday_name;

    use super::short_day;

    #[test]
    fn weekday_names_shorten_for_tables() {
        assert_eq!(short_day(weekday_name(Weekday::Thursday)), "Thu");
    }
}
