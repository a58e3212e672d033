//! `supportops shadow …`: plan Support Shadowing sessions for a month, schedule them (filing the
//! Support Shadowing issue that asks the region's managers for an engineer), record them done
//! or cancelled, file improvement issues from them, and report coverage per period, region and
//! member. Commands that write take `--dry-run`; commands that print take `--format`.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use owo_colors::OwoColorize as _;
use serde::Serialize;
use supportops_app::shadow::{
    self as app, RescheduleRequest, ScheduleRequest, SessionReport, ShadowError, Shadowing,
};
use supportops_config::Config;
use supportops_domain::shadow::{Month, Period, Pin, SessionId, SessionState, ShadowSession};
use supportops_ports::Clock;
use supportops_ports::store::shadow::SessionQuery;

use super::Context;
use super::shadow_text as text;
use super::wiring::{check_tracker, open_journaled_tracker, open_store};
use crate::exit::bad_input;
use crate::output::{Format, emit, print_json};

/// Subcommands of `supportops shadow`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Propose who shadows which region in a month, each with its reason; `--apply` records it
    Plan(PlanArgs),
    /// Give a planned session a time and file its Support Shadowing issue, which asks the
    /// region's Support Managers to help find an engineer
    Schedule(ScheduleArgs),
    /// Move a scheduled session to another time: notes the new time on its issue
    Reschedule(RescheduleArgs),
    /// Record a scheduled session as done: notes it on its issue and closes the issue
    Done(DoneArgs),
    /// Cancel a planned or scheduled session: notes the reason on its issue and closes it
    Cancel(CancelArgs),
    /// File an improvement issue from a session; its description links the shadowing issue
    Improve(ImproveArgs),
    /// Sessions done per region against the target, and per member per month, with warnings
    Coverage(CoverageArgs),
    /// List recorded sessions
    List(ListArgs),
}

fn parse_month(text: &str) -> Result<Month, String> {
    Month::parse(text).map_err(|e| e.to_string())
}

fn parse_period(text: &str) -> Result<Period, String> {
    Period::parse(text).map_err(|e| e.to_string())
}

fn parse_session(text: &str) -> Result<SessionId, String> {
    SessionId::parse(text).ok_or_else(|| {
        format!("`{text}` is not a session id such as `12`; `supportops shadow list` shows them")
    })
}

fn parse_pin(text: &str) -> Result<Pin, String> {
    match text.split_once('=') {
        Some((member, region)) if !member.trim().is_empty() && !region.trim().is_empty() => {
            Ok(Pin {
                member: member.trim().to_owned(),
                region: region.trim().to_owned(),
            })
        }
        _ => Err(format!("`{text}` is not MEMBER=REGION, e.g. `amara=EMEA`")),
    }
}

fn parse_state(text: &str) -> Result<SessionState, String> {
    SessionState::parse(text).ok_or_else(|| {
        format!("`{text}` is not a state; use planned, scheduled, done or cancelled")
    })
}

/// Arguments of `shadow plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The month to plan, YYYY-MM [default: the current month]
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    month: Option<Month>,
    /// Fix a session by hand before the planner fills in the rest; repeat for several
    #[arg(long, value_name = "MEMBER=REGION", value_parser = parse_pin)]
    assign: Vec<Pin>,
    /// Record the proposed sessions as planned (without it, nothing is written)
    #[arg(long)]
    apply: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `shadow schedule`.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// The planned session's id (see `shadow plan --apply` or `shadow list`)
    #[arg(value_name = "SESSION", value_parser = parse_session)]
    session: SessionId,
    /// The Support Engineer to shadow, if known; without it the issue asks the region's
    /// managers to find one
    #[arg(long, value_name = "NAME")]
    engineer: Option<String>,
    /// When the session starts, e.g. "2026-12-03 15:00"
    #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
    at: String,
    /// The IANA time zone of --at [default: the member's zone]
    #[arg(long, value_name = "ZONE")]
    zone: Option<String>,
    /// Schedule it even outside the member's or the region's working hours
    #[arg(long)]
    force: bool,
    /// Print the issue that would be filed and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `shadow reschedule`.
#[derive(Debug, clap::Args)]
pub struct RescheduleArgs {
    /// The scheduled session's id
    #[arg(value_name = "SESSION", value_parser = parse_session)]
    session: SessionId,
    /// The new start, e.g. "2026-12-10 15:00"
    #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
    at: String,
    /// The IANA time zone of --at [default: the member's zone]
    #[arg(long, value_name = "ZONE")]
    zone: Option<String>,
    /// Move it even outside the member's or the region's working hours
    #[arg(long)]
    force: bool,
    /// Print the note that would be added and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `shadow done`.
#[derive(Debug, clap::Args)]
pub struct DoneArgs {
    /// The scheduled session's id
    #[arg(value_name = "SESSION", value_parser = parse_session)]
    session: SessionId,
    /// A Markdown file with the member's notes (`-` for standard input)
    #[arg(long, value_name = "FILE")]
    notes: Option<PathBuf>,
    /// Print what would be done and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `shadow cancel`.
#[derive(Debug, clap::Args)]
pub struct CancelArgs {
    /// The planned or scheduled session's id
    #[arg(value_name = "SESSION", value_parser = parse_session)]
    session: SessionId,
    /// Why it will not happen
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// Print what would be done and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `shadow improve`.
#[derive(Debug, clap::Args)]
pub struct ImproveArgs {
    /// The session the improvement comes from (scheduled or done)
    #[arg(value_name = "SESSION", value_parser = parse_session)]
    session: SessionId,
    /// The improvement issue's title
    #[arg(long, value_name = "TEXT")]
    title: String,
    /// A Markdown file with the description (`-` for standard input)
    #[arg(long, value_name = "FILE")]
    body: Option<PathBuf>,
    /// Print the issue that would be filed and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `shadow coverage`.
#[derive(Debug, clap::Args)]
pub struct CoverageArgs {
    /// A month (2026-11), quarter (2026-Q4) or year (2026), shown in the configured periods
    /// [default: the periods of the last twelve months, from the first recorded session on]
    #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
    period: Option<Period>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `shadow list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only sessions of this month
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    month: Option<Month>,
    /// Only this member's sessions
    #[arg(long, value_name = "USERNAME")]
    member: Option<String>,
    /// Only sessions in this state: planned, scheduled, done or cancelled
    #[arg(long, value_name = "STATE", value_parser = parse_state)]
    state: Option<SessionState>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs the command.
pub fn run(ctx: &Context, cmd: Command) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    // Commands that file in the tracker check it can be set up before anything is opened.
    if matches!(
        cmd,
        Command::Schedule(_)
            | Command::Reschedule(_)
            | Command::Done(_)
            | Command::Cancel(_)
            | Command::Improve(_)
    ) {
        check_tracker(&config)?;
    }
    let sh = shadowing(&config)?;
    let runtime = super::runtime()?;
    runtime.block_on(async {
        match cmd {
            Command::Plan(a) => plan(&config, &ctx.clock, &sh, a).await,
            Command::Schedule(a) => schedule(&config, &ctx.clock, &sh, a).await,
            Command::Reschedule(a) => reschedule(&config, &ctx.clock, &sh, a).await,
            Command::Done(a) => done(&config, &ctx.clock, a).await,
            Command::Cancel(a) => cancel(&config, &ctx.clock, a).await,
            Command::Improve(a) => improve(&config, &ctx.clock, &sh, a).await,
            Command::Coverage(a) => coverage(&config, &ctx.clock, &sh, a).await,
            Command::List(a) => list(&config, &ctx.clock, &sh, a).await,
        }
    })
}

/// `[shadowing]` and `[team]` as domain values, with the template file read.
fn shadowing(config: &Config) -> anyhow::Result<Shadowing> {
    let template = match &config.shadowing.template_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| {
                    format!(
                        "cannot read the issue template `{}` (config key `shadowing.template_file`)",
                        path.display()
                    )
                })
                .map_err(bad_input)?;
            Some((format!("`{}`", path.display()), text))
        }
        None => None,
    };
    Shadowing::from_config(config, template)
        .map_err(bad_input)
        .context("cannot use the shadowing configuration")
}

/// A use-case error as the binary reports it: bad input exits 2, the rest 1.
fn shadow_error(err: ShadowError) -> anyhow::Error {
    if err.is_bad_input() {
        bad_input(err)
    } else {
        anyhow::Error::new(err)
    }
}

/// Reads a Markdown file, or standard input for `-`.
fn read_text(path: &Path, what: &str) -> anyhow::Result<String> {
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read the {what} from standard input"))?;
        text
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the {what} file `{}`", path.display()))
            .map_err(bad_input)?
    };
    Ok(text)
}

fn warn(message: &str) {
    anstream::eprintln!("{} {message}", "warning:".yellow().bold());
}

async fn plan(
    config: &Config,
    clock: &Clock,
    sh: &Shadowing,
    args: PlanArgs,
) -> anyhow::Result<()> {
    if sh.members.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "no Support Ops members are configured; add `[[team.members]]` entries (username, \
             timezone, hours) to the configuration, as `supportops init` shows"
        )));
    }
    let month = args.month.unwrap_or_else(|| {
        Month::of(
            clock
                .now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date(),
        )
    });
    let store = open_store(config).await?;
    let report = app::plan(
        store.as_ref(),
        sh,
        month,
        &args.assign,
        args.apply,
        clock.now(),
    )
    .await
    .map_err(shadow_error)
    .with_context(|| format!("cannot plan {month}"))?;
    emit(args.format, &report, text::plan_text)
}

async fn schedule(
    config: &Config,
    clock: &Clock,
    sh: &Shadowing,
    args: ScheduleArgs,
) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let tracker = open_journaled_tracker(config, &store, clock)?;
    let request = ScheduleRequest {
        id: args.session,
        engineer: args.engineer,
        at: args.at,
        zone: args.zone,
        force: args.force,
        dry_run: args.dry_run,
    };
    let report = app::schedule(store.as_ref(), tracker.as_ref(), sh, &request, clock.now())
        .await
        .map_err(shadow_error)
        .with_context(|| format!("cannot schedule session {}", args.session))?;
    for w in &report.warnings {
        warn(w);
    }
    emit(args.format, &report, text::schedule_text)?;
    // No engineer yet: the region's managers are asked in chat too, never failing the command.
    if let Some(notify) = super::notify::settings(config) {
        let managers = sh
            .region(&report.session.region)
            .map(|r| r.managers.clone())
            .unwrap_or_default();
        let now = clock.now();
        match supportops_app::notify::needs_engineer(
            store.as_ref(),
            &notify,
            &managers,
            &report,
            now,
        )
        .await
        {
            Ok(true) => {
                super::notify::send_due(&notify, &store, clock).await;
            }
            Ok(false) => {}
            Err(e) => warn(&format!("cannot queue the chat message: {e}")),
        }
    }
    Ok(())
}

async fn reschedule(
    config: &Config,
    clock: &Clock,
    sh: &Shadowing,
    args: RescheduleArgs,
) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let tracker = open_journaled_tracker(config, &store, clock)?;
    let request = RescheduleRequest {
        id: args.session,
        at: args.at,
        zone: args.zone,
        force: args.force,
        dry_run: args.dry_run,
    };
    let report = app::reschedule(store.as_ref(), tracker.as_ref(), sh, &request, clock.now())
        .await
        .map_err(shadow_error)
        .with_context(|| format!("cannot reschedule session {}", args.session))?;
    for w in &report.warnings {
        warn(w);
    }
    emit(args.format, &report, text::reschedule_text)
}

async fn done(config: &Config, clock: &Clock, args: DoneArgs) -> anyhow::Result<()> {
    let notes = match &args.notes {
        Some(path) => Some(read_text(path, "notes")?),
        None => None,
    };
    let store = open_store(config).await?;
    let tracker = open_journaled_tracker(config, &store, clock)?;
    let report = app::done(
        store.as_ref(),
        tracker.as_ref(),
        args.session,
        notes,
        args.dry_run,
        clock.now(),
    )
    .await
    .map_err(shadow_error)
    .with_context(|| format!("cannot record session {} as done", args.session))?;
    show_change(&report, args.format)
}

async fn cancel(config: &Config, clock: &Clock, args: CancelArgs) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let tracker = open_journaled_tracker(config, &store, clock)?;
    let report = app::cancel(
        store.as_ref(),
        tracker.as_ref(),
        args.session,
        &args.reason,
        args.dry_run,
        clock.now(),
    )
    .await
    .map_err(shadow_error)
    .with_context(|| format!("cannot cancel session {}", args.session))?;
    show_change(&report, args.format)
}

fn show_change(r: &SessionReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        return print_json(r);
    }
    let s = &r.session;
    let mut out = String::new();
    let (verb, state) = if r.dry_run {
        ("would be", s.state.as_str())
    } else {
        ("is", s.state.as_str())
    };
    let _ = writeln!(
        out,
        "Session {} ({} → {}, {}) {verb} {state}.",
        s.id, s.member, s.region, s.month
    );
    for action in &r.tracker_actions {
        let prefix = if r.dry_run { "would " } else { "" };
        let _ = writeln!(out, "  {prefix}{action}");
    }
    anstream::print!("{out}");
    Ok(())
}

async fn improve(
    config: &Config,
    clock: &Clock,
    sh: &Shadowing,
    args: ImproveArgs,
) -> anyhow::Result<()> {
    let body = match &args.body {
        Some(path) => Some(read_text(path, "description")?),
        None => None,
    };
    let store = open_store(config).await?;
    let tracker = open_journaled_tracker(config, &store, clock)?;
    let report = app::improve(
        store.as_ref(),
        tracker.as_ref(),
        sh,
        args.session,
        &args.title,
        body.as_deref(),
        args.dry_run,
    )
    .await
    .map_err(shadow_error)
    .with_context(|| format!("cannot file an improvement from session {}", args.session))?;
    for w in &report.warnings {
        warn(w);
    }
    emit(args.format, &report, text::improve_text)
}

async fn coverage(
    config: &Config,
    clock: &Clock,
    sh: &Shadowing,
    args: CoverageArgs,
) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let report = app::coverage(store.as_ref(), sh, args.period, clock.now())
        .await
        .map_err(shadow_error)
        .context("cannot compute the shadowing coverage")?;
    emit(args.format, &report, text::coverage_text)
}

/// `shadow list --format json`.
#[derive(Serialize)]
struct ListJson<'a> {
    sessions: Vec<ListedSession<'a>>,
}

/// A session with whether it is overdue (past its time and not recorded done).
#[derive(Serialize)]
struct ListedSession<'a> {
    #[serde(flatten)]
    session: &'a ShadowSession,
    overdue: bool,
}

async fn list(
    config: &Config,
    clock: &Clock,
    sh: &Shadowing,
    args: ListArgs,
) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let query = SessionQuery {
        from: args.month,
        to: args.month,
        member: args.member,
        state: args.state,
    };
    let sessions = app::list(store.as_ref(), &query)
        .await
        .map_err(shadow_error)
        .context("cannot list the shadowing sessions")?;
    // A member who left the team still has their sessions listed; a name that matches
    // neither the team nor any session is a mistake, not an empty history.
    if let Some(member) = &query.member
        && sessions.is_empty()
        && sh.member(member).is_none()
    {
        let known: Vec<String> = sh
            .members
            .iter()
            .map(|m| format!("`{}`", m.username))
            .collect();
        return Err(bad_input(anyhow::anyhow!(
            "`{member}` is not in `[[team.members]]`{}; check the username",
            if known.is_empty() {
                " (no members are configured)".to_owned()
            } else {
                format!(" (members: {})", known.join(", "))
            }
        )));
    }
    match args.format {
        Format::Json => print_json(&ListJson {
            sessions: sessions
                .iter()
                .map(|session| ListedSession {
                    session,
                    overdue: session.is_overdue(clock.now()),
                })
                .collect(),
        }),
        Format::Table => {
            anstream::print!("{}", text::list_text(sh, &sessions, clock.now()));
            Ok(())
        }
    }
}
