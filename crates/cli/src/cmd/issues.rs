//! `supportops issues list|show|close|reopen|note|edit`: the issues of a project in the configured tracker
//! (the local tracker by default), such as the Feedback Review issues `supportops review` filed.

use std::fmt::Write as _;

use anyhow::Context as _;
use serde::Serialize;
use supportops_app::issues::{self, Change, IssueActionError};
use supportops_config::Config;
use supportops_ports::{Issue, IssueQuery, IssueState, Note, Tracker, TrackerError};
use tabled::settings::Style;

use super::Context;
use super::wiring::{open_journaled_tracker, open_store, open_store_to_read, tracker_error};
use crate::output::{Format, print_json};

/// Subcommands of `supportops issues`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List a project's issues, newest last
    List(ListArgs),
    /// Show one issue with its description and notes
    Show(ShowArgs),
    /// Close an issue (e.g. a review whose action plan is done)
    Close(StateArgs),
    /// Reopen a closed issue
    Reopen(StateArgs),
    /// Add a note (a comment) to an issue, from a file or standard input
    Note(NoteArgs),
    /// Replace an issue's description, from a file or standard input
    Edit(EditArgs),
}

/// Arguments of `supportops issues edit`.
#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The issue's number in its project (`#N`)
    #[arg(value_name = "N", value_parser = parse_iid)]
    iid: u64,
    #[command(flatten)]
    project: ProjectArg,
    /// The new description's Markdown: a file, or `-` for standard input
    #[arg(long, value_name = "FILE")]
    description_file: String,
}

/// Arguments of `supportops issues note`.
#[derive(Debug, clap::Args)]
pub struct NoteArgs {
    /// The issue's number in its project (`#N`)
    #[arg(value_name = "N", value_parser = parse_iid)]
    iid: u64,
    #[command(flatten)]
    project: ProjectArg,
    /// The note's Markdown: a file, or `-` for standard input
    #[arg(long, value_name = "FILE")]
    body_file: String,
}

/// Which project: `review` (default), `shadowing`, `improvement`, or a project path.
#[derive(Debug, clap::Args)]
pub struct ProjectArg {
    /// `review` (`review.project`), `shadowing` (`shadowing.project`), `improvement`
    /// (`shadowing.improvement_project`) or a project path
    #[arg(long, value_name = "PROJECT", default_value = "review")]
    project: String,
}

impl ProjectArg {
    /// The `--project` option as typed, for a command line to suggest; empty for the default.
    fn flag(&self) -> String {
        match self.project.as_str() {
            "review" => String::new(),
            other => format!(" --project {other}"),
        }
    }

    fn resolve(&self, config: &Config) -> String {
        match self.project.as_str() {
            "review" => config.review.project.clone(),
            "shadowing" => config.shadowing.project.clone(),
            "improvement" => config.shadowing.improvement_project.clone(),
            path => path.trim_matches('/').to_owned(),
        }
    }
}

/// `--state` of `issues list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateArg {
    /// Open issues
    Opened,
    /// Closed issues
    Closed,
    /// Both
    All,
}

/// Arguments of `supportops issues list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    project: ProjectArg,
    /// Only issues in this state
    #[arg(long, value_enum, default_value_t = StateArg::All)]
    state: StateArg,
    /// Only issues with this label; repeat for several (all must match)
    #[arg(long, value_name = "LABEL")]
    label: Vec<String>,
    /// Only issues whose title or description contains this text
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `supportops issues show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The issue's number in its project (`#N`)
    #[arg(value_name = "N", value_parser = parse_iid)]
    iid: u64,
    #[command(flatten)]
    project: ProjectArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

fn parse_iid(text: &str) -> Result<u64, String> {
    text.trim()
        .trim_start_matches('#')
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{text}` is not an issue number such as `3` or `#3`"))
}

/// Arguments of `supportops issues close` and `reopen`.
#[derive(Debug, clap::Args)]
pub struct StateArgs {
    /// The issue's number in its project (`#N`)
    #[arg(value_name = "N", value_parser = parse_iid)]
    iid: u64,
    #[command(flatten)]
    project: ProjectArg,
}

/// `issues list --format json`.
#[derive(Serialize)]
struct ListJson<'a> {
    tracker: String,
    project: &'a str,
    issues: &'a [Issue],
}

/// `issues show --format json`.
#[derive(Serialize)]
struct ShowJson<'a> {
    tracker: String,
    #[serde(flatten)]
    issue: &'a Issue,
    notes: &'a [Note],
}

/// Runs the command.
pub fn run(ctx: &Context, cmd: Command) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let store = match cmd {
            Command::Close(_) | Command::Reopen(_) | Command::Note(_) | Command::Edit(_) => {
                open_store(&config).await?
            }
            Command::List(_) | Command::Show(_) => open_store_to_read(&config).await?,
        };
        let tracker = open_journaled_tracker(&config, &store, &ctx.clock)?;
        match cmd {
            Command::List(args) => list(tracker.as_ref(), &config, args).await,
            Command::Show(args) => show(tracker.as_ref(), &config, args).await,
            Command::Close(args) => {
                set_state(tracker.as_ref(), &config, args, IssueState::Closed).await
            }
            Command::Reopen(args) => {
                set_state(tracker.as_ref(), &config, args, IssueState::Opened).await
            }
            Command::Note(args) => note(tracker.as_ref(), &config, args).await,
            Command::Edit(args) => edit(tracker.as_ref(), &config, args).await,
        }
    })
}

async fn list(tracker: &dyn Tracker, config: &Config, args: ListArgs) -> anyhow::Result<()> {
    let project = args.project.resolve(config);
    let query = IssueQuery {
        state: match args.state {
            StateArg::Opened => Some(IssueState::Opened),
            StateArg::Closed => Some(IssueState::Closed),
            StateArg::All => None,
        },
        labels: args.label,
        search: args.search,
        ..IssueQuery::default()
    };
    let issues = tracker
        .list_issues(&project, &query)
        .await
        .map_err(tracker_error)
        .with_context(|| format!("cannot list the issues of project `{project}`"))?;
    match args.format {
        Format::Json => print_json(&ListJson {
            tracker: tracker.describe(),
            project: &project,
            issues: &issues,
        }),
        Format::Table => {
            anstream::print!("{}", list_table(&tracker.describe(), &project, &issues));
            Ok(())
        }
    }
}

async fn show(tracker: &dyn Tracker, config: &Config, args: ShowArgs) -> anyhow::Result<()> {
    let project = args.project.resolve(config);
    let issue = read_issue(tracker, &args.project, &project, args.iid).await?;
    let notes = tracker
        .notes(&project, args.iid)
        .await
        .map_err(tracker_error)
        .with_context(|| format!("cannot read the notes of issue #{}", args.iid))?;
    match args.format {
        Format::Json => print_json(&ShowJson {
            tracker: tracker.describe(),
            issue: &issue,
            notes: &notes,
        }),
        Format::Table => {
            anstream::print!("{}", show_text(&issue, &notes));
            Ok(())
        }
    }
}

/// The text of `file` (`-`: standard input), not blank; `what` names it in errors (exit 2).
fn read_text(file: &str, what: &str) -> anyhow::Result<String> {
    use std::io::Read as _;
    let text = if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read the {what} from standard input"))
            .map_err(crate::exit::bad_input)?;
        text
    } else {
        std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the {what} `{file}`"))
            .map_err(crate::exit::bad_input)?
    };
    if text.trim().is_empty() {
        return Err(crate::exit::bad_input(anyhow::anyhow!(
            "the {what} `{file}` is empty; write its Markdown in the file"
        )));
    }
    Ok(text)
}

/// An action's failure as the binary reports it, with the hint to list issues when there is no
/// such issue.
fn action_error(
    e: IssueActionError,
    arg: &ProjectArg,
    project: &str,
    iid: u64,
    doing: String,
) -> anyhow::Error {
    match e {
        IssueActionError::Tracker(t @ TrackerError::NotFound { .. }) => {
            tracker_error(t).context(format!(
                "cannot read issue #{iid} of project `{project}`; `supportops issues list{}` \
                 shows its issues",
                arg.flag()
            ))
        }
        IssueActionError::Tracker(t) => tracker_error(t).context(doing),
        e if e.is_bad_input() => crate::exit::bad_input(e),
        e => anyhow::Error::new(e).context(doing),
    }
}

/// Replaces a description (`supportops_app::issues::edit_description`); the journaled tracker
/// records the intent and the result. Setting the description it already has changes nothing,
/// so the command is safe to run again.
async fn edit(tracker: &dyn Tracker, config: &Config, args: EditArgs) -> anyhow::Result<()> {
    let project = args.project.resolve(config);
    let text = read_text(&args.description_file, "description")?;
    match issues::edit_description(tracker, &project, args.iid, &text)
        .await
        .map_err(|e| {
            let doing = format!("cannot edit the description of issue #{}", args.iid);
            action_error(e, &args.project, &project, args.iid, doing)
        })? {
        Change::Already(issue) => anstream::println!(
            "#{} already has this description: {}",
            issue.iid,
            issue.web_url
        ),
        Change::Done(edited) => anstream::println!("#{} edited: {}", edited.iid, edited.web_url),
    }
    Ok(())
}

/// Adds a note (`supportops_app::issues::add_note`); the journaled tracker records the intent
/// and the result. A note identical to the issue's latest one is not added twice.
async fn note(tracker: &dyn Tracker, config: &Config, args: NoteArgs) -> anyhow::Result<()> {
    let project = args.project.resolve(config);
    let body = read_text(&args.body_file, "note")?;
    let issue = read_issue(tracker, &args.project, &project, args.iid).await?;
    match issues::add_note(tracker, &project, args.iid, &body)
        .await
        .map_err(|e| {
            let doing = format!("cannot add a note to issue #{}", args.iid);
            action_error(e, &args.project, &project, args.iid, doing)
        })? {
        Change::Already(there) => anstream::println!(
            "#{} already ends with this note (note {}): {}",
            issue.iid,
            there.id,
            issue.web_url
        ),
        Change::Done(added) => anstream::println!(
            "#{} noted (note {}): {}",
            issue.iid,
            added.id,
            issue.web_url
        ),
    }
    Ok(())
}

/// Closes or reopens an issue (`supportops_app::issues::set_state`); the journaled tracker
/// records the intent and the result.
async fn set_state(
    tracker: &dyn Tracker,
    config: &Config,
    args: StateArgs,
    state: IssueState,
) -> anyhow::Result<()> {
    let project = args.project.resolve(config);
    let verb = match state {
        IssueState::Closed => "close",
        IssueState::Opened => "reopen",
    };
    match issues::set_state(tracker, &project, args.iid, state)
        .await
        .map_err(|e| {
            let doing = format!("cannot {verb} issue #{} of project `{project}`", args.iid);
            action_error(e, &args.project, &project, args.iid, doing)
        })? {
        Change::Already(before) => anstream::println!(
            "#{} is already {}: {}",
            before.iid,
            state.as_str(),
            before.web_url
        ),
        Change::Done(issue) => {
            anstream::println!("#{} {}: {}", issue.iid, state.as_str(), issue.web_url);
        }
    }
    Ok(())
}

/// The issue the user named; when the tracker has no such issue, the message says how to list
/// the ones it has.
async fn read_issue(
    tracker: &dyn Tracker,
    arg: &ProjectArg,
    project: &str,
    iid: u64,
) -> anyhow::Result<Issue> {
    tracker.issue(project, iid).await.map_err(|e| {
        let hint = match &e {
            TrackerError::NotFound { .. } => {
                format!("; `supportops issues list{}` shows its issues", arg.flag())
            }
            _ => String::new(),
        };
        tracker_error(e).context(format!(
            "cannot read issue #{iid} of project `{project}`{hint}"
        ))
    })
}

fn date(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

fn list_table(tracker: &str, project: &str, issues: &[Issue]) -> String {
    if issues.is_empty() {
        return format!("No issues in project `{project}` ({tracker}).\n");
    }
    let mut builder = tabled::builder::Builder::default();
    builder.push_record(["iid", "state", "title", "labels", "assignees", "created"]);
    for i in issues {
        builder.push_record([
            format!("#{}", i.iid),
            i.state.as_str().to_owned(),
            i.title.clone(),
            i.labels.join(", "),
            i.assignees
                .iter()
                .map(|u| format!("@{u}"))
                .collect::<Vec<_>>()
                .join(", "),
            date(i.created_at),
        ]);
    }
    let mut table = builder.build();
    table.with(Style::psql());
    let open = issues
        .iter()
        .filter(|i| i.state == IssueState::Opened)
        .count();
    format!(
        "Project `{project}` ({tracker}):\n\n{table}\n\n{} issues, {open} open. \
         Show one with `supportops issues show N`.\n",
        issues.len()
    )
}

fn show_text(issue: &Issue, notes: &[Note]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#{} {}", issue.iid, issue.title);
    let _ = writeln!(out, "{}", issue.web_url);
    let state = match issue.closed_at {
        Some(at) => format!("closed {}", date(at)),
        None => "open".to_owned(),
    };
    let _ = writeln!(out, "state      {state}");
    let _ = writeln!(out, "created    {}", date(issue.created_at));
    let labels = if issue.labels.is_empty() {
        "none".to_owned()
    } else {
        issue.labels.join(", ")
    };
    let _ = writeln!(out, "labels     {labels}");
    let assignees: Vec<String> = issue.assignees.iter().map(|u| format!("@{u}")).collect();
    let assignees = if assignees.is_empty() {
        "none".to_owned()
    } else {
        assignees.join(", ")
    };
    let _ = writeln!(out, "assignees  {assignees}");
    let _ = writeln!(out, "\n{}", issue.description.trim_end());
    for note in notes {
        let _ = writeln!(
            out,
            "\n--- note {} by @{}, {}\n\n{}",
            note.id,
            note.author,
            date(note.created_at),
            note.body.trim_end()
        );
    }
    out
}
