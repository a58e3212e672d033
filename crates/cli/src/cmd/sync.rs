//! `supportops sync …`: the weekly sync (`next`, `slots`, `move`, `cancel`, `reschedule`,
//! `ics`) and the monthly sync (`agenda`, `held`, `outcome`). Parses arguments, opens the store
//! (and the tracker for the monthly commands), calls `supportops_app::sync`, prints.
//!
//! Every subcommand runs as of the run's clock (`SUPPORTOPS_NOW` when set, read once by the
//! binary).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use supportops_app::sync::{
    self as app, MoveTarget, RescheduleRequest, SlotsRequest, SyncAppError, SyncSettings,
};
use supportops_config::Config;
use supportops_domain::sync::{MeetingKind, Outcome, meeting_length, parse_time, parse_weekday};
use supportops_ports::Clock;
use supportops_store::SqliteStore;

use super::Context;
use super::sync_text::{
    next_table, print, print_agenda, print_occurrence, slots_table, title, when,
};
use super::wiring::{check_tracker, open_journaled_tracker, open_store};
use crate::exit::bad_input;
use crate::output::{Format, print_json};

/// Subcommands of `supportops sync`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the next weekly syncs (and the monthly syncs among them) in UTC and in each
    /// member's zone
    Next(NextArgs),
    /// Find weekly slots where every member is inside working hours, best first
    Slots(SlotsArgs),
    /// Move one weekly (or, with --monthly, monthly) sync, e.g. `sync move 2026-12-08 --to
    /// "2026-12-09 15:00"`
    Move(MoveArgs),
    /// Cancel one weekly (or, with --monthly, monthly) sync, e.g. `sync cancel 2026-12-15`
    Cancel(CancelArgs),
    /// Move the whole weekly series from a date on; earlier syncs keep their time
    Reschedule(RescheduleArgs),
    /// Write both syncs as an iCalendar feed, e.g. `sync ics > team.ics`
    Ics(IcsArgs),
    /// Build the monthly sync's agenda from the Feedback Review issues
    Agenda(AgendaArgs),
    /// Record that the monthly sync took place
    Held(HeldArgs),
    /// Record whether a review's action plan resolved the problem
    Outcome(OutcomeArgs),
}

/// Arguments of `sync next`.
#[derive(Debug, clap::Args)]
pub struct NextArgs {
    /// How many meetings to list (weekly and monthly, cancelled ones included)
    #[arg(long, short = 'n', value_name = "N", default_value_t = 5)]
    count: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `sync slots`.
#[derive(Debug, clap::Args)]
pub struct SlotsArgs {
    /// Meeting length, e.g. `30m`, `1h`, `45` (minutes) [default: the weekly sync's]
    #[arg(long, value_name = "LENGTH", value_parser = parse_length)]
    length: Option<SignedDuration>,
    /// Look at the week of this date (daylight-saving time as it is then) [default: the next
    /// full week]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    week: Option<Date>,
    /// How many slots to list
    #[arg(long, short = 'n', value_name = "N", default_value_t = 10)]
    count: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `sync move`.
#[derive(Debug, clap::Args)]
pub struct MoveArgs {
    /// The date the sync is scheduled on
    #[arg(value_name = "DATE", value_parser = parse_date)]
    date: Date,
    /// The monthly sync of DATE (the weekly one by default when both meet that day)
    #[arg(long)]
    monthly: bool,
    /// The new start, in the series' zone (`2026-12-09 15:00`) or with a zone
    /// (`2026-12-09T15:00[Europe/Berlin]`); the scheduled time restores it
    #[arg(long, value_name = "DATETIME", value_parser = parse_target)]
    to: MoveTarget,
    /// Move it even when some members would be outside their working hours
    #[arg(long)]
    force: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `sync cancel`.
#[derive(Debug, clap::Args)]
pub struct CancelArgs {
    /// The date the sync is scheduled on
    #[arg(value_name = "DATE", value_parser = parse_date)]
    date: Date,
    /// The monthly sync of DATE (the weekly one by default when both meet that day)
    #[arg(long)]
    monthly: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `sync reschedule`.
#[derive(Debug, clap::Args)]
pub struct RescheduleArgs {
    /// The new weekday, e.g. `thursday`
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    weekday: Weekday,
    /// The new start time, `HH:MM`
    #[arg(long, value_name = "HH:MM", value_parser = parse_hh_mm)]
    time: Time,
    /// The first date the new schedule applies to (today or later)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    from: Date,
    /// The new time zone, e.g. `Europe/Berlin` [default: unchanged]
    #[arg(long, value_name = "ZONE")]
    timezone: Option<String>,
    /// The new length, e.g. `45m` [default: unchanged]
    #[arg(long, value_name = "LENGTH", value_parser = parse_length)]
    length: Option<SignedDuration>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `sync ics`.
#[derive(Debug, clap::Args)]
pub struct IcsArgs {
    /// Write to this file instead of standard output
    #[arg(long, short = 'o', value_name = "PATH")]
    output: Option<PathBuf>,
}

/// `--format` of `sync agenda`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AgendaFormat {
    /// Markdown, as filed
    Markdown,
    /// One JSON document
    Json,
}

/// Arguments of `sync agenda`.
#[derive(Debug, clap::Args)]
pub struct AgendaArgs {
    /// The meeting's date [default: the next monthly sync]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    date: Option<Date>,
    /// Output format
    #[arg(long, value_enum, default_value_t = AgendaFormat::Markdown)]
    format: AgendaFormat,
    /// Also file the agenda as an issue in the review project (once per meeting)
    #[arg(long)]
    file_issue: bool,
}

/// Arguments of `sync held`.
#[derive(Debug, clap::Args)]
pub struct HeldArgs {
    /// The meeting's date (or the date it was moved to) [default: the last one begun]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    date: Option<Date>,
    /// Agenda items the meeting did not get to, e.g. `4,9`: they carry forward
    #[arg(long, value_name = "ISSUES", value_delimiter = ',', value_parser = parse_iid)]
    not_discussed: Vec<u64>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The outcome argument of `sync outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutcomeArg {
    /// The action plan resolved the problem
    Resolved,
    /// It did not
    NotResolved,
}

/// Arguments of `sync outcome`.
#[derive(Debug, clap::Args)]
pub struct OutcomeArgs {
    /// The review issue's number (`3` or `#3`)
    #[arg(value_name = "ISSUE", value_parser = parse_iid)]
    issue: u64,
    /// `resolved` or `not-resolved`
    #[arg(value_name = "OUTCOME", value_enum)]
    outcome: OutcomeArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| format!("`{text}` is not a date; expected YYYY-MM-DD, e.g. `2026-12-08`"))
}

fn parse_day(text: &str) -> Result<Weekday, String> {
    parse_weekday(text).map_err(|e| e.to_string())
}

fn parse_hh_mm(text: &str) -> Result<Time, String> {
    parse_time(text).map_err(|e| e.to_string())
}

fn parse_iid(text: &str) -> Result<u64, String> {
    text.trim()
        .trim_start_matches('#')
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{text}` is not an issue number such as `3` or `#3`"))
}

fn parse_length(text: &str) -> Result<SignedDuration, String> {
    let t = text.trim();
    let minutes = match t.parse::<i64>() {
        Ok(m) => m,
        Err(_) => t
            .parse::<SignedDuration>()
            .map_err(|_| format!("`{text}` is not a length; write e.g. `30m`, `1h` or `45`"))?
            .as_mins(),
    };
    meeting_length(minutes).map_err(|e| e.to_string())
}

fn parse_target(text: &str) -> Result<MoveTarget, String> {
    let t = text.trim();
    // A date alone would be midnight: nobody means that.
    let day = t.split(['[', 'T', ' ']).next().unwrap_or(t);
    if !t.split('[').next().unwrap_or(t).contains(':') && day.parse::<Date>().is_ok() {
        return Err(format!(
            "`{text}` has no time of day; write the new start as \"YYYY-MM-DD HH:MM\", e.g. \"{day} 15:00\""
        ));
    }
    if t.contains('[') {
        return t.parse::<ZonedDateTime>().map(MoveTarget::Zoned).map_err(|e| {
            format!("`{text}` is not a date and time with a zone, e.g. `2026-12-09T15:00[Europe/Berlin]`: {e}")
        });
    }
    t.parse::<DateTime>()
        .map(MoveTarget::Local)
        .map_err(|_| format!("`{text}` is not a date and time; expected \"YYYY-MM-DD HH:MM\""))
}

fn app_err(err: SyncAppError) -> anyhow::Error {
    if err.is_bad_input() {
        bad_input(err)
    } else {
        anyhow::Error::new(err)
    }
}

/// Runs the command.
pub fn run(ctx: &Context, cmd: Command) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    // Commands that read or write the tracker check it can be set up before anything is
    // opened.
    if matches!(
        cmd,
        Command::Agenda(_) | Command::Held(_) | Command::Outcome(_)
    ) {
        check_tracker(&config)?;
    }
    let settings = SyncSettings::from_config(&config)
        .map_err(app_err)
        .context("cannot use the sync settings")?;
    let now = ctx.clock.now();
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let store = open_store(&config).await?;
        let store: &SqliteStore = &store;
        match cmd {
            Command::Next(a) => next(&settings, store, now, a).await,
            Command::Slots(a) => slots(&settings, store, now, a).await,
            Command::Move(a) => move_sync(&settings, store, now, a).await,
            Command::Cancel(a) => cancel(&settings, store, now, a).await,
            Command::Reschedule(a) => reschedule(&settings, store, now, a).await,
            Command::Ics(a) => ics(&settings, store, now, a).await,
            Command::Agenda(a) => agenda(&config, &ctx.clock, &settings, store, now, a).await,
            Command::Held(a) => held(&config, &ctx.clock, &settings, store, now, a).await,
            Command::Outcome(a) => outcome(&config, &ctx.clock, &settings, store, now, a).await,
        }
    })
}

/// `sync next`: the next meetings of both syncs.
async fn next(
    settings: &SyncSettings,
    store: &SqliteStore,
    now: Timestamp,
    a: NextArgs,
) -> anyhow::Result<()> {
    let report = app::next(settings, store, now, a.count)
        .await
        .map_err(app_err)
        .context("cannot list the next syncs")?;
    match a.format {
        Format::Json => print_json(&report),
        Format::Table => print(&next_table(settings, &report.meetings)),
    }
}

/// `sync slots`: weekly slots that suit the team.
async fn slots(
    settings: &SyncSettings,
    store: &SqliteStore,
    now: Timestamp,
    a: SlotsArgs,
) -> anyhow::Result<()> {
    let request = SlotsRequest {
        length: a.length,
        week_of: a.week,
        count: a.count,
    };
    let report = app::slots(settings, store, request, now)
        .await
        .map_err(app_err)
        .context("cannot look for weekly slots")?;
    match a.format {
        Format::Json => print_json(&report),
        Format::Table => print(&slots_table(settings, &report)),
    }
}

/// `sync move`: moves one weekly or monthly meeting.
async fn move_sync(
    settings: &SyncSettings,
    store: &SqliteStore,
    now: Timestamp,
    a: MoveArgs,
) -> anyhow::Result<()> {
    let kind = app::series_for(settings, store, a.date, a.monthly)
        .await
        .map_err(app_err)?;
    let occ = match kind {
        MeetingKind::Weekly => {
            app::move_occurrence(settings, store, a.date, a.to, a.force, now).await
        }
        MeetingKind::Monthly => {
            app::move_monthly(settings, store, a.date, a.to, a.force, now).await
        }
    }
    .map_err(app_err)
    .with_context(|| format!("cannot move the {} sync of `{}`", kind.as_str(), a.date))?;
    print_occurrence(title(settings, kind), &occ, a.format)
}

/// `sync cancel`: cancels one weekly or monthly meeting.
async fn cancel(
    settings: &SyncSettings,
    store: &SqliteStore,
    now: Timestamp,
    a: CancelArgs,
) -> anyhow::Result<()> {
    let kind = app::series_for(settings, store, a.date, a.monthly)
        .await
        .map_err(app_err)?;
    let occ = match kind {
        MeetingKind::Weekly => app::cancel_occurrence(settings, store, a.date, now).await,
        MeetingKind::Monthly => app::cancel_monthly(settings, store, a.date, now).await,
    }
    .map_err(app_err)
    .with_context(|| format!("cannot cancel the {} sync of `{}`", kind.as_str(), a.date))?;
    print_occurrence(title(settings, kind), &occ, a.format)
}

/// `sync reschedule`: moves the weekly series from a date on.
async fn reschedule(
    settings: &SyncSettings,
    store: &SqliteStore,
    now: Timestamp,
    a: RescheduleArgs,
) -> anyhow::Result<()> {
    let zone = match &a.timezone {
        Some(name) => Some(app::zone(name).map_err(app_err)?),
        None => None,
    };
    let request = RescheduleRequest {
        from: a.from,
        weekday: a.weekday,
        time: a.time,
        zone,
        length: a.length,
    };
    let report = app::reschedule(settings, store, request, now)
        .await
        .map_err(app_err)
        .context("cannot reschedule the weekly sync")?;
    match a.format {
        Format::Json => print_json(&report),
        Format::Table => {
            let mut out = format!(
                "From {} the {} meets on {}s at {} {} for {} minutes; earlier syncs \
                 keep their time.\n\nNext:\n",
                report.from,
                settings.weekly_title,
                supportops_domain::sync::parse_weekday(&report.weekday)
                    .map(supportops_domain::sync::weekday_title)
                    .unwrap_or(&report.weekday),
                report.time,
                report.timezone,
                report.length_minutes
            );
            for occ in &report.next {
                let _ = writeln!(out, "  {}", when(&occ.start));
            }
            print(&out)
        }
    }
}

/// `sync ics`: the calendar feed, to a file or standard output.
async fn ics(
    settings: &SyncSettings,
    store: &SqliteStore,
    now: Timestamp,
    a: IcsArgs,
) -> anyhow::Result<()> {
    let text = app::calendar(settings, store, now)
        .await
        .map_err(app_err)
        .context("cannot build the calendar feed")?;
    match &a.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the calendar to `{}`", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .context("cannot write the calendar to standard output")
        }
    }
}

/// `sync agenda`: the monthly sync's agenda, filed as an issue when asked.
async fn agenda(
    config: &Config,
    clock: &Clock,
    settings: &SyncSettings,
    store: &SqliteStore,
    now: Timestamp,
    a: AgendaArgs,
) -> anyhow::Result<()> {
    let tracker = open_journaled_tracker(config, store, clock)?;
    let agenda = app::agenda(settings, store, tracker.as_ref(), a.date, now)
        .await
        .map_err(app_err)
        .context("cannot build the monthly sync's agenda")?;
    let filed = if a.file_issue {
        Some(
            app::file_agenda(settings, tracker.as_ref(), &agenda)
                .await
                .map_err(app_err)
                .context("cannot file the agenda as an issue")?,
        )
    } else {
        None
    };
    print_agenda(&agenda, filed.as_ref(), a.format)
}

/// `sync held`: records that a monthly sync took place.
async fn held(
    config: &Config,
    clock: &Clock,
    settings: &SyncSettings,
    store: &SqliteStore,
    now: Timestamp,
    a: HeldArgs,
) -> anyhow::Result<()> {
    let tracker = open_journaled_tracker(config, store, clock)?;
    let report = app::held(
        settings,
        store,
        tracker.as_ref(),
        a.date,
        &a.not_discussed,
        now,
    )
    .await
    .map_err(app_err)
    .context("cannot record the monthly sync")?;
    match a.format {
        Format::Json => print_json(&report),
        Format::Table => {
            let m = &report.meeting;
            let left: Vec<String> = m
                .items
                .iter()
                .filter(|i| !i.discussed)
                .map(|i| format!("#{}", i.iid))
                .collect();
            let total = m.items.len();
            let mut out = format!(
                "Recorded the monthly sync of {} (from {}): {} of {} agenda {} \
                 discussed",
                m.date,
                if m.held_at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date() == m.date {
                    m.held_at.strftime("%H:%M UTC").to_string()
                } else {
                    m.held_at.strftime("%a %Y-%m-%d %H:%M UTC").to_string()
                },
                total - left.len(),
                total,
                if total == 1 { "item" } else { "items" },
            );
            match left.len() {
                0 => out.push_str(".\n"),
                1 => {
                    let _ = writeln!(out, "; {} carries forward to the next agenda.", left[0]);
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "; {} carry forward to the next agenda.",
                        left.join(", ")
                    );
                }
            }
            print(&out)
        }
    }
}

/// `sync outcome`: records a review's outcome.
async fn outcome(
    config: &Config,
    clock: &Clock,
    settings: &SyncSettings,
    store: &SqliteStore,
    now: Timestamp,
    a: OutcomeArgs,
) -> anyhow::Result<()> {
    let tracker = open_journaled_tracker(config, store, clock)?;
    let outcome = match a.outcome {
        OutcomeArg::Resolved => Outcome::Resolved,
        OutcomeArg::NotResolved => Outcome::NotResolved,
    };
    let report = app::outcome(settings, store, tracker.as_ref(), a.issue, outcome, now)
        .await
        .map_err(app_err)
        .with_context(|| format!("cannot record the outcome of review issue #{}", a.issue))?;
    match a.format {
        Format::Json => print_json(&report),
        Format::Table => print(&format!(
            "Recorded #{} as {} (label `{}`): {}\n",
            report.iid, report.outcome, report.label, report.web_url
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_like_people_write_them() {
        assert_eq!(parse_length("30m"), Ok(SignedDuration::from_mins(30)));
        assert_eq!(parse_length("1h"), Ok(SignedDuration::from_mins(60)));
        assert_eq!(parse_length("1h30m"), Ok(SignedDuration::from_mins(90)));
        assert_eq!(parse_length("45"), Ok(SignedDuration::from_mins(45)));
        assert!(parse_length("half an hour").unwrap_err().contains("`30m`"));
        assert_eq!(
            parse_length("0").map_err(|e| e.contains("0")),
            Err(true),
            "the error names the length"
        );
    }

    #[test]
    fn move_targets_are_local_or_zoned() {
        assert_eq!(
            parse_target("2026-12-09 15:00"),
            Ok(MoveTarget::Local(
                jiff::civil::date(2026, 12, 9).at(15, 0, 0, 0)
            ))
        );
        assert!(matches!(
            parse_target("2026-12-09T15:00[Europe/Berlin]"),
            Ok(MoveTarget::Zoned(_))
        ));
        assert!(
            parse_target("next tuesday")
                .unwrap_err()
                .contains("`next tuesday` is not a date and time"),
        );
    }
}
