//! Formula versions in `supportops review`: the run adopts the configured formula (recorded in
//! the store with `score.formula_note`) and lets stored responses keep the score they were
//! filed under ([`keep_history`]); `review --rescore [--dry-run]` scores every stored response
//! again with the current formula and files what becomes flagged ([`run`]).

use anyhow::Context as _;
use owo_colors::OwoColorize as _;
use serde::Serialize;
use supportops_app::formula::{KeptScores, RescoreReport, Rescoring, keep_filed_scores, rescore};
use supportops_app::review::ReviewError;
use supportops_config::Config;
use supportops_domain::ScoredResponse;
use supportops_ports::store::{FormulaStore, ResponseStore as _};
use supportops_store::sqlite::SqliteStore;

use super::Context;
use super::formula::current_spec;
use super::review::{JsonReport, review_lock, review_options, show, table};
use super::score::parse_formula;
use super::score_compare::matrix_text;
use super::wiring::{check_tracker, open_store, open_store_to_read, open_tracker};
use crate::output::{Format, print_json};

/// Before a review files: records the configured formula as the store's current version
/// (unless `dry_run`) and gives stored responses scored by another version their stored score
/// back. Says on standard error how many keep a band the current formula would change.
pub async fn keep_history(
    config: &Config,
    store: &SqliteStore,
    responses: &mut [ScoredResponse],
    dry_run: bool,
    now: jiff::Timestamp,
) -> anyhow::Result<KeptScores> {
    let spec = current_spec(config, &parse_formula(config, None)?);
    if !dry_run {
        store
            .adopt_formula(&spec, now)
            .await
            .context("cannot record the formula version")?;
    }
    let kept = keep_filed_scores(store, &spec, responses)
        .await
        .context("cannot read the stored responses")?;
    if kept.other_band > 0 {
        anstream::eprintln!(
            "{} {} stored {} the band {} filed under, not the current formula's; \
             `supportops review --rescore --dry-run` shows what rescoring them would file",
            "note:".bold(),
            kept.other_band,
            if kept.other_band == 1 {
                "response keeps"
            } else {
                "responses keep"
            },
            if kept.other_band == 1 {
                "it was"
            } else {
                "they were"
            },
        );
    }
    Ok(kept)
}

/// Records the configured formula as the version `store` stamps on what it writes (for
/// `serve`, whose webhook stores responses).
pub async fn adopt_current(
    config: &Config,
    store: &SqliteStore,
    now: jiff::Timestamp,
) -> anyhow::Result<()> {
    let spec = current_spec(config, &parse_formula(config, None)?);
    store
        .adopt_formula(&spec, now)
        .await
        .context("cannot record the formula version")?;
    Ok(())
}

/// The JSON document of `review --rescore --format json`.
#[derive(Serialize)]
struct RescoreJson<'a> {
    rescored: &'a supportops_domain::formula_change::WhatIf,
    review: JsonReport<'a>,
}

/// `supportops review --rescore [--dry-run]`.
pub fn run(ctx: &Context, dry_run: bool, format: Format) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    check_tracker(&config)?;
    let formula = parse_formula(&config, None)?;
    let spec = current_spec(&config, &formula);
    // The review columns come from the sheet's header; the stored cells keep its order.
    let headers = super::serve::sheet_headers(&config, &super::score::sheet_layout(&config.sheet));
    let options = review_options(&config, &headers, dry_run)?;
    let runtime = super::runtime()?;
    let result = runtime.block_on(async {
        let store = if dry_run {
            open_store_to_read(&config).await?
        } else {
            open_store(&config).await?
        };
        let now = ctx.clock.now();
        if !dry_run {
            store
                .adopt_formula(&spec, now)
                .await
                .context("cannot record the formula version")?;
            // Stored bands change under the sheet's rows: the next review reads them all.
            store
                .forget_sheet_marks()
                .await
                .context("cannot forget where sheets were read to")?;
        }
        let tracker = open_tracker(&config, &store, &ctx.clock)?;
        let with = Rescoring {
            formula: &formula,
            thresholds: config.score.bands.thresholds(),
            examples: 3,
        };
        Ok::<_, anyhow::Error>(
            rescore(
                store.as_ref(),
                tracker.as_ref(),
                &with,
                &options,
                &review_lock("supportops review --rescore", &config, &ctx.clock),
                now,
            )
            .await,
        )
    })?;
    let report: RescoreReport = match result {
        Ok(report) => report,
        Err(ReviewError::Filing(failure)) => {
            if !failure.report.actions.is_empty() {
                show(&failure.report, &[], format)?;
            }
            return Err(super::review::filing_error(*failure));
        }
        Err(e) => return Err(super::review::review_error(e)),
    };
    match format {
        Format::Json => print_json(&RescoreJson {
            rescored: &report.rescored,
            review: JsonReport {
                report: &report.review,
                nothing_new: report.review.nothing_new(),
                open_duplicates: &[],
            },
        }),
        Format::Table => {
            let t = &report.rescored.transitions;
            let verb = if dry_run { "Would rescore" } else { "Rescored" };
            anstream::println!(
                "{verb} {} stored responses with the current formula ({}): {} {} band.\n",
                t.total(),
                spec.hash(),
                t.changed(),
                if dry_run { "would change" } else { "changed" },
            );
            anstream::print!("{}", matrix_text(&report.rescored, "filed", "now"));
            anstream::println!();
            for warning in &report.review.warnings {
                anstream::eprintln!("{} {warning}", "warning:".yellow().bold());
            }
            anstream::print!("{}", table(&report.review));
            Ok(())
        }
    }
}
