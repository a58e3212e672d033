//! `supportops review`: reads and scores the feedback sheet, then files a Feedback Review issue
//! for every Yellow, Red or Error response not yet covered, one per subject, or a note on the
//! subject's open review issue. `--dry-run` prints the plan and changes nothing.
//!
//! A run that files holds the store's review lock while it works; when another run holds it
//! (`supportops serve`'s filing job, another `supportops review`), it waits up to a minute for
//! it to end, then fails (exit 1).

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Context as _;
use owo_colors::OwoColorize as _;
use serde::Serialize;
use supportops_app::review::{
    ActionStatus, FilingError, LockOptions, OpenDuplicates, ReportedResponse, ReviewAction,
    ReviewError, ReviewOptions, ReviewReport, SettlePolicy, TemplateSource, open_duplicates,
    review_after,
};
use supportops_config::Config;
use supportops_domain::Band;
use supportops_domain::review::{RenderOptions, ReviewColumns};
use supportops_ports::Clock;
use supportops_ports::store::ResponseStore as _;
use supportops_ports::store::review::FilingKind;
use supportops_sheet::{ColumnRef, Headers, SourceSpec, WarningKind, load_scored_after};
use tabled::settings::Style;

use super::score::{scoring, sheet_error, sheet_layout};
use super::wiring::{check_tracker, open_store, open_store_to_read, open_tracker, tracker_error};
use super::{Context, sheet_mark};
use crate::exit::bad_input;
use crate::output::{Format, print_json};

/// Arguments of `supportops review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The sheet: a CSV, XLSX or ODS file, the http(s) URL of a published CSV, or `-` for
    /// standard input [default: `sheet.source` of the configuration]
    #[arg(value_name = "SOURCE")]
    source: Option<String>,
    /// Print the issues and notes that would be filed, with their assignees, and change nothing
    /// (neither the store nor the tracker)
    #[arg(long)]
    dry_run: bool,
    /// Score every stored response again with the current formula (stored responses keep the
    /// score they were filed under otherwise), say how many changed band, and file what
    /// becomes flagged; with --dry-run, only show it
    #[arg(long, conflicts_with = "source")]
    rescore: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The JSON document `review --format json` prints.
#[derive(Serialize)]
pub(super) struct JsonReport<'a> {
    #[serde(flatten)]
    pub(super) report: &'a ReviewReport,
    pub(super) nothing_new: bool,
    /// Subjects with two or more open review issues.
    pub(super) open_duplicates: &'a [OpenDuplicates],
}

/// Runs the command.
pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    if args.rescore {
        return super::rescore::run(ctx, args.dry_run, args.format);
    }
    let (config, _) = ctx.config()?;
    check_tracker(&config)?;
    let source_text = args.source.as_deref().unwrap_or(&config.sheet.source);
    let source = SourceSpec::parse(source_text).map_err(sheet_error)?;
    let layout = sheet_layout(&config.sheet);
    let scoring = scoring(&config, None)?;
    let runtime = super::runtime()?;
    // Where the last clean run stopped reading this sheet: the rows before it are not read again.
    let context = sheet_mark::context(&config);
    let earlier = runtime.block_on(async {
        let store = open_store_to_read(&config).await?;
        sheet_mark::earlier(store.as_ref(), source_text, &context).await
    })?;
    let mut tail = load_scored_after(&source, &layout, &scoring, earlier.as_ref().map(|e| &e.0))
        .map_err(sheet_error)?;
    let earlier = earlier.filter(|_| tail.resumed_from.is_some()).map(|e| e.1);
    for warning in &tail.sheet.warnings {
        // Rows without a subject are listed as skipped in the report.
        if !matches!(warning.kind, WarningKind::NoSubject) {
            anstream::eprintln!("{} {warning}", "warning:".yellow().bold());
        }
    }
    let options = review_options(&config, &tail.sheet.headers, args.dry_run)?;

    let result = runtime.block_on(async {
        let store = if args.dry_run {
            open_store_to_read(&config).await?
        } else {
            open_store(&config).await?
        };
        let now = ctx.clock.now();
        super::rescore::keep_history(
            &config,
            &store,
            &mut tail.sheet.responses,
            args.dry_run,
            now,
        )
        .await?;
        let tracker = open_tracker(&config, &store, &ctx.clock)?;
        let result = review_after(
            store.as_ref(),
            tracker.as_ref(),
            earlier,
            &tail.sheet.responses,
            &options,
            &review_lock("supportops review", &config, &ctx.clock),
            now,
        )
        .await;
        // A clean run: the next one reads on from the last row read.
        if let Ok(report) = &result
            && report.failures.is_empty()
            && !args.dry_run
            && let Some(mark) = sheet_mark::next(source_text, &context, &tail, earlier, report)
            && let Err(e) = store.save_sheet_mark(&mark, now).await
        {
            anstream::eprintln!(
                "{} cannot record where the sheet was read to ({e}); the next run reads it whole",
                "warning:".yellow().bold()
            );
        }
        // Red and Error responses filed: told in chat, after the work, never failing it.
        if let Some(notify) = super::notify::settings(&config) {
            let filed = match &result {
                Ok(report) => Some(report),
                Err(ReviewError::Filing(failure)) => Some(&failure.report),
                Err(ReviewError::TrackerDown { report, .. }) => Some(report.as_ref()),
                Err(_) => None,
            };
            if let Some(report) = filed {
                match supportops_app::notify::flagged(store.as_ref(), &notify, report, now).await {
                    Ok(_) => {
                        super::notify::send_due(&notify, &store, &ctx.clock).await;
                    }
                    Err(e) => anstream::eprintln!(
                        "{} cannot queue chat messages: {e}",
                        "warning:".yellow().bold()
                    ),
                }
            }
        }
        // Two open reviews of one subject (after a reopen) split its later responses: say so.
        let duplicates = match &result {
            Ok(_) => open_duplicates(store.as_ref(), tracker.as_ref())
                .await
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        Ok::<_, anyhow::Error>((result, duplicates))
    })?;
    let (result, duplicates) = result;
    let report = match result {
        Ok(report) => report,
        Err(ReviewError::Filing(failure)) => {
            let FilingError { report, .. } = &*failure;
            if !report.actions.is_empty() {
                show(report, &[], args.format)?;
            }
            return Err(filing_error(*failure));
        }
        Err(ReviewError::TrackerDown {
            count,
            last,
            report,
        }) => {
            if !report.actions.is_empty() || !report.failures.is_empty() {
                show(&report, &duplicates, args.format)?;
            }
            return Err(anyhow::anyhow!(last).context(format!(
                "the tracker failed for {count} subjects in a row, so the run stopped; what \
                 was filed is recorded, and the next `supportops review` goes on"
            )));
        }
        Err(e) => return Err(review_error(e)),
    };
    show(&report, &duplicates, args.format)?;
    if report.failures.is_empty() {
        Ok(())
    } else {
        // The table (or the JSON's `failures`) said which and why.
        anstream::eprintln!(
            "{} {} of the run could not be filed (listed above); the next \
             `supportops review` files {} after the others",
            "error:".red().bold(),
            plural_count(report.failures.len(), "subject", "subjects"),
            if report.failures.len() == 1 {
                "it"
            } else {
                "them"
            },
        );
        Err(anyhow::Error::new(crate::exit::Reported(
            crate::exit::Exit::Failure,
        )))
    }
}

fn plural_count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The review lock as `program` takes it, under a name unique to this run: the process id and
/// a random tag (processes in containers often share an id), with the lease of
/// `review.lock_lease_seconds`. Leases are timed on a clock that starts at `clock`'s now and
/// runs on (so a lease lapses even when `SUPPORTOPS_NOW` stops the run's clock). A run that
/// has to wait says so on standard error.
pub fn review_lock(program: &str, config: &Config, clock: &Clock) -> LockOptions {
    let ttl = std::time::Duration::from_secs(config.review.lock_lease_seconds.max(1));
    let policy = supportops_app::review::LockPolicy {
        ttl,
        renew_every: ttl / 4,
        // Longer than a killed run's lease lasts.
        wait: (ttl + std::time::Duration::from_secs(15)).max(std::time::Duration::from_secs(60)),
        poll_every: (ttl / 4).min(std::time::Duration::from_secs(1)),
    };
    let tag = getrandom::u32()
        .unwrap_or_else(|_| jiff::Timestamp::now().subsec_nanosecond().unsigned_abs());
    let mut lock = LockOptions::new(
        format!("{program} (pid {}, {tag:08x})", std::process::id()),
        Arc::new(supportops_server::TokioPace(Clock::running_from(
            clock.now(),
        ))),
    );
    lock.policy = policy;
    lock.on_wait(|lease, wait| {
        let since = lease
            .acquired_at
            .round(jiff::Unit::Second)
            .unwrap_or(lease.acquired_at);
        let wait = jiff::SignedDuration::try_from(wait).unwrap_or(jiff::SignedDuration::MAX);
        anstream::eprintln!(
            "{} another review is running on this store (`{}`, since {since}); waiting up to \
             {wait:#} for it to end",
            "note:".bold(),
            lease.holder
        );
    })
}

/// The options of `[review]`, with the optional columns resolved against the sheet's headers.
pub fn review_options(
    config: &Config,
    headers: &Headers,
    dry_run: bool,
) -> anyhow::Result<ReviewOptions> {
    let columns = &config.sheet.columns;
    let column = |spec: &Option<String>| {
        ColumnRef::parse_optional(spec.as_deref()).and_then(|c| headers.resolve(&c))
    };
    let template = match &config.review.template_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| {
                    format!(
                        "cannot read the issue template `{}` (config key `review.template_file`)",
                        path.display()
                    )
                })
                .map_err(bad_input)?;
            TemplateSource::Text {
                origin: format!("`{}`", path.display()),
                text,
            }
        }
        None => TemplateSource::Tracker {
            name: config.review.template.clone(),
        },
    };
    Ok(ReviewOptions {
        project: config.review.project.clone(),
        template,
        assignees: config.review.assignees.clone(),
        assignee_group: config.review.assignee_group.clone(),
        labels: config.review.labels.clone(),
        render: RenderOptions {
            columns: ReviewColumns {
                rating: column(&columns.rating),
                resolution: column(&columns.resolution),
                values: column(&columns.values),
                comment: column(&columns.comment),
            },
            include_submitter: config.review.include_submitter,
        },
        dry_run,
        settle: SettlePolicy::default(),
    })
}

pub(super) fn review_error(err: ReviewError) -> anyhow::Error {
    match err {
        ReviewError::Template { .. } | ReviewError::TemplateFill { .. } => bad_input(err),
        ReviewError::Lookup { doing, source } => {
            tracker_error(source).context(format!("cannot {doing} in the tracker"))
        }
        other => anyhow::Error::new(other),
    }
}

pub(super) fn filing_error(failure: FilingError) -> anyhow::Error {
    let FilingError {
        subject,
        doing,
        source,
        ..
    } = failure;
    tracker_error(source).context(format!(
        "cannot {doing} for `{subject}`; what was filed before is recorded, and the next \
         `supportops review` checks the tracker for this one before filing it again"
    ))
}

pub(super) fn show(
    report: &ReviewReport,
    duplicates: &[OpenDuplicates],
    format: Format,
) -> anyhow::Result<()> {
    match format {
        Format::Json => print_json(&JsonReport {
            report,
            nothing_new: report.nothing_new(),
            open_duplicates: duplicates,
        }),
        Format::Table => {
            for warning in &report.warnings {
                anstream::eprintln!("{} {warning}", "warning:".yellow().bold());
            }
            for d in duplicates {
                let iids: Vec<String> = d.iids.iter().map(|i| format!("#{i}")).collect();
                anstream::eprintln!(
                    "{} `{}` has {} open review issues ({}); later responses are noted on the \
                     latest, #{}: close the others",
                    "warning:".yellow().bold(),
                    d.subject,
                    d.iids.len(),
                    iids.join(", "),
                    d.latest
                );
            }
            anstream::print!("{}", table(report));
            Ok(())
        }
    }
}

/// The report for people.
pub(super) fn table(report: &ReviewReport) -> String {
    let mut out = String::new();
    let place = format!("project `{}` ({})", report.project, report.tracker);
    for r in &report.recovered {
        let _ = match &r.issue {
            Some(issue) => writeln!(
                out,
                "An interrupted run had filed the {} for `{}`: found {} and recorded it.",
                kind_noun(r.kind),
                r.subject,
                issue.web_url
            ),
            None => writeln!(
                out,
                "An interrupted run never filed its {} for `{}`: filing it now.",
                kind_noun(r.kind),
                r.subject
            ),
        };
    }
    for f in &report.found {
        let _ = writeln!(
            out,
            "Found the review issue {} of `{}` in the tracker (it covers {} of these responses).",
            f.issue.web_url, f.subject, f.covers
        );
    }
    if report.actions.is_empty() && !report.failures.is_empty() {
        let _ = writeln!(out, "Filed nothing in {place}.");
    } else if report.actions.is_empty() {
        let _ = writeln!(
            out,
            "Nothing new to file in {place}: {} of {} flagged {} covered by review issues.",
            report.already_covered,
            report.flagged,
            plural(report.flagged, "response is", "responses are"),
        );
    } else if report.dry_run {
        let _ = writeln!(
            out,
            "Dry run: nothing was written. Would file in {place}:\n"
        );
        out.push_str(&plan(&report.actions));
    } else {
        let _ = writeln!(out, "Filed in {place}:\n");
        out.push_str(&done(&report.actions));
    }
    if !report.actions.is_empty() {
        let created = report
            .actions
            .iter()
            .filter(|a| a.kind == FilingKind::Create)
            .count();
        let noted = report.actions.len() - created;
        let covered: usize = report.actions.iter().map(|a| a.responses.len()).sum();
        let (create, add) = if report.dry_run {
            ("Would create", "add")
        } else {
            ("Created", "added")
        };
        let _ = writeln!(
            out,
            "\n{create} {created} {} and {add} {noted} {}, covering {covered} of {} flagged \
             responses ({} were covered before).",
            plural(created, "issue", "issues"),
            plural(noted, "note", "notes"),
            report.flagged,
            report.already_covered
        );
        if report.dry_run {
            let _ = writeln!(
                out,
                "The full text of each issue and note is in `--format json` (field `body`)."
            );
        }
    }
    if !report.settled.is_empty() {
        let _ = writeln!(out);
    }
    for u in &report.settled {
        let _ = writeln!(
            out,
            "The tracker answered \"{}\" to the {} for `{}`: {}",
            u.answer,
            kind_noun(u.kind),
            supportops_domain::review::reference(&u.subject),
            if u.outcome == "found" {
                "it had been filed; found by its marker and recorded, not sent again."
            } else {
                "no trace of it in the tracker; sent again."
            }
        );
    }
    for c in &report.converged {
        let _ = writeln!(
            out,
            "\nTwo runs filed a review of `{}` at once: kept {}, closed {} as its duplicate \
             ({} {} moved to the kept one).",
            c.subject,
            c.kept.web_url,
            c.closed.web_url,
            c.moved,
            plural(c.moved, "response", "responses"),
        );
    }
    if !report.failures.is_empty() {
        let _ = writeln!(
            out,
            "\nCould not file {}:\n",
            plural_count(report.failures.len(), "subject", "subjects")
        );
        let mut builder = tabled::builder::Builder::default();
        builder.push_record(["subject", "action", "responses", "why"]);
        for f in &report.failures {
            let why = if f.pending {
                format!("{} (the next run checks the tracker for it first)", f.error)
            } else {
                f.error.clone()
            };
            builder.push_record([
                supportops_domain::review::reference(&f.subject),
                kind_noun(f.kind).to_owned(),
                if f.responses.is_empty() {
                    String::new()
                } else {
                    rows(&f.responses)
                },
                why,
            ]);
        }
        let mut table = builder.build();
        table.with(Style::psql());
        let _ = writeln!(out, "{table}");
    }
    if !report.skipped.is_empty() {
        let _ = writeln!(
            out,
            "\nSkipped {} flagged {}:",
            report.skipped.len(),
            plural(report.skipped.len(), "row", "rows")
        );
        for s in &report.skipped {
            let _ = writeln!(out, "  row {} ({}): {}", s.row, s.band, s.reason);
        }
    }
    // Rows an earlier run read and settled were not read again: say so when they hold skips.
    if let Some(earlier) = report.earlier.filter(|e| e.skipped > 0) {
        let n = usize::try_from(earlier.skipped).unwrap_or(usize::MAX);
        let _ = writeln!(
            out,
            "\n{n} flagged {} before row {} {} skipped when an earlier run read {} (not read again).",
            plural(n, "row", "rows"),
            earlier.rows + 1,
            plural(n, "was", "were"),
            plural(n, "it", "them"),
        );
    }
    out
}

fn kind_noun(kind: FilingKind) -> &'static str {
    match kind {
        FilingKind::Create => "review issue",
        FilingKind::Note => "note",
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// `rows 2, 4, 9: 2 red, 1 yellow`; long row lists are cut after six rows.
fn rows(responses: &[ReportedResponse]) -> String {
    const SHOWN: usize = 6;
    let mut rows: Vec<String> = responses
        .iter()
        .take(SHOWN)
        .map(|r| r.row.to_string())
        .collect();
    if responses.len() > SHOWN {
        rows.push(format!("… ({} more)", responses.len() - SHOWN));
    }
    let bands: Vec<String> = Band::ALL
        .into_iter()
        .filter_map(|band| {
            let n = responses.iter().filter(|r| r.band == band).count();
            (n > 0).then(|| format!("{n} {band}"))
        })
        .collect();
    let noun = if responses.len() == 1 { "row" } else { "rows" };
    format!("{noun} {}: {}", rows.join(", "), bands.join(", "))
}

fn done(actions: &[ReviewAction]) -> String {
    let mut builder = tabled::builder::Builder::default();
    builder.push_record(["action", "issue", "subject", "responses"]);
    for a in actions {
        let issue = match (&a.issue, a.note_id) {
            (Some(issue), Some(note)) => format!("{} (note {note})", issue.web_url),
            (Some(issue), None) => issue.web_url.clone(),
            (None, _) => String::new(),
        };
        let action = match (a.kind, a.status) {
            (FilingKind::Create, ActionStatus::Done) => "created",
            (FilingKind::Note, ActionStatus::Done) => "noted",
            (FilingKind::Create, ActionStatus::Planned) => "would create",
            (FilingKind::Note, ActionStatus::Planned) => "would note",
        };
        builder.push_record([
            action.to_owned(),
            issue,
            supportops_domain::review::reference(&a.subject),
            rows(&a.responses),
        ]);
    }
    let mut table = builder.build();
    table.with(Style::psql());
    format!("{table}\n")
}

fn plan(actions: &[ReviewAction]) -> String {
    let mut out = String::new();
    for (i, a) in actions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match a.kind {
            FilingKind::Create => {
                let _ = writeln!(
                    out,
                    "would create  {}",
                    a.title.as_deref().unwrap_or_default()
                );
                if let Some(previous) = &a.previous_issue {
                    let _ = writeln!(out, "  links       {} (closed)", previous.web_url);
                }
            }
            FilingKind::Note => {
                let link = a.issue.as_ref().map(|i| i.web_url.as_str()).unwrap_or("");
                let _ = writeln!(out, "would note    {link}");
            }
        }
        let _ = writeln!(out, "  subject     {}", a.subject);
        let _ = writeln!(out, "  responses   {}", rows(&a.responses));
        if a.kind == FilingKind::Create {
            let assignees = if a.assignees.is_empty() {
                "nobody".to_owned()
            } else {
                a.assignees
                    .iter()
                    .map(|u| format!("@{u}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(out, "  assignees   {assignees}");
            let _ = writeln!(out, "  labels      {}", a.labels.join(", "));
        }
    }
    out
}
