//! `supportops score --compare '=…'` (or `--compare-file F`): what a proposed formula would do
//! to the sheet before it is adopted. One streaming pass scores every row with the current
//! formula and the proposed one and prints the band transition matrix, the change in flagged
//! responses and in review issues needed, and example rows per changed cell. Also the matrix
//! rendering `review --rescore` shares.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;
use supportops_config::Config;
use supportops_domain::Band;
use supportops_domain::formula_change::{WhatIf, delta};
use supportops_formula::{Formula, ParseOptions};
use supportops_sheet::{CompareOptions, Scoring, SheetError, SheetLayout, SourceSpec};
use tabled::settings::Style;

use super::formula::current_spec;
use super::score::ScoreFormat;
use crate::exit::bad_input;

/// The `score` arguments of a what-if.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// What if: score with the current formula and this proposed one in one pass, and print
    /// the band transition matrix (from → to counts), the change in flagged responses and in
    /// review issues needed, and example rows
    #[arg(long, value_name = "FORMULA", allow_hyphen_values = true,
          conflicts_with_all = ["compare_file", "summary", "explain", "only"])]
    pub compare: Option<String>,
    /// Like --compare, with the proposed formula read from a file
    #[arg(long, value_name = "FILE", conflicts_with_all = ["summary", "explain", "only"])]
    pub compare_file: Option<PathBuf>,
    /// Example rows shown per changed cell of the matrix (with --compare)
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub examples: usize,
}

impl CompareArgs {
    /// Whether a what-if was asked for.
    pub fn wanted(&self) -> bool {
        self.compare.is_some() || self.compare_file.is_some()
    }
}

/// One side of the comparison in the JSON document.
#[derive(Serialize)]
struct Side {
    formula: String,
    hash: String,
}

/// The JSON document of `score --compare --format json`.
#[derive(Serialize)]
struct CompareJson<'a> {
    source: &'a str,
    current: Side,
    proposed: Side,
    #[serde(flatten)]
    what_if: &'a WhatIf,
}

/// The proposed formula: from `--compare`, else the file of `--compare-file`.
fn proposed(config: &Config, args: &CompareArgs) -> anyhow::Result<Formula> {
    let (text, origin) = match (&args.compare, &args.compare_file) {
        (Some(text), _) => (text.clone(), "--compare".to_owned()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the proposed formula `{}`", path.display()))
                .map_err(bad_input)?;
            (text.trim().to_owned(), format!("`{}`", path.display()))
        }
        (None, None) => anyhow::bail!("no proposed formula"),
    };
    let options = ParseOptions {
        template_row: config.sheet.template_row,
    };
    Formula::parse(&text, &options).map_err(|e| {
        bad_input(anyhow::anyhow!(
            "the proposed formula ({origin}) does not parse:\n{}",
            e.render_unlabelled()
        ))
    })
}

/// Runs the what-if over the sheet `score` opened, with the configured (or `--formula`)
/// scoring as the current one.
pub fn run(
    config: &Config,
    args: &CompareArgs,
    (source, layout, current): (&SourceSpec, &SheetLayout, &Scoring),
    format: ScoreFormat,
    progress: Option<&(dyn Fn(u64, Option<u64>) + Sync)>,
    fail: &dyn Fn(SheetError) -> anyhow::Error,
) -> anyhow::Result<()> {
    let json = match format {
        ScoreFormat::Table => false,
        ScoreFormat::Json => true,
        ScoreFormat::Csv | ScoreFormat::Ndjson => {
            return Err(bad_input(anyhow::anyhow!(
                "`--compare` prints a table or one JSON document; use `--format table` or \
                 `--format json`"
            )));
        }
    };
    let proposed = Scoring::new(proposed(config, args)?, config.score.bands.thresholds());
    let options = CompareOptions {
        examples: args.examples,
        progress,
        block_size: None,
    };
    let (what_if, report) =
        supportops_sheet::score_compare(source, layout, current, &proposed, &options)
            .map_err(fail)?;
    let side = |f: &Formula| Side {
        formula: f.to_string(),
        hash: current_spec(config, f).hash(),
    };
    let (before, after) = (side(&current.formula), side(&proposed.formula));
    if json {
        return crate::output::print_json(&CompareJson {
            source: &report.name,
            current: before,
            proposed: after,
            what_if: &what_if,
        });
    }
    let mut out = format!(
        "What if {} ({}) replaced the current formula ({}), over {} rows of {}:\n\n",
        after.formula,
        after.hash,
        before.hash,
        what_if.transitions.total(),
        report.name
    );
    out.push_str(&matrix_text(&what_if, "current", "proposed"));
    anstream::print!("{out}");
    Ok(())
}

/// The matrix, the changes and the examples, for people. `before` and `after` name the two
/// sides (`current`/`proposed`, `filed`/`now`).
pub fn matrix_text(what_if: &WhatIf, before: &str, after: &str) -> String {
    let t = &what_if.transitions;
    let mut builder = tabled::builder::Builder::default();
    let mut head = vec![format!("{before} \\ {after}")];
    head.extend(Band::ALL.iter().map(|b| b.to_string()));
    head.push("total".into());
    builder.push_record(head);
    for from in Band::ALL {
        let mut line = vec![from.to_string()];
        line.extend(Band::ALL.iter().map(|to| t.count(from, *to).to_string()));
        line.push(
            Band::ALL
                .iter()
                .map(|to| t.count(from, *to))
                .sum::<u64>()
                .to_string(),
        );
        builder.push_record(line);
    }
    let mut last = vec!["total".to_owned()];
    last.extend(Band::ALL.iter().map(|to| {
        Band::ALL
            .iter()
            .map(|f| t.count(*f, *to))
            .sum::<u64>()
            .to_string()
    }));
    last.push(t.total().to_string());
    builder.push_record(last);
    let mut table = builder.build();
    table.with(Style::psql());
    let mut out = format!("{table}\n\n");
    let signed = |d: i64| {
        if d > 0 {
            format!("+{d}")
        } else {
            d.to_string()
        }
    };
    let _ = writeln!(
        out,
        "Changed band:            {} of {} responses",
        t.changed(),
        t.total()
    );
    let _ = writeln!(
        out,
        "Flagged responses:       {} → {} ({})",
        t.flagged_before(),
        t.flagged_after(),
        signed(delta(t.flagged_before(), t.flagged_after()))
    );
    let _ = writeln!(
        out,
        "Review issues needed:    {} → {} ({}) (distinct subjects with a flagged response)",
        what_if.subjects_before,
        what_if.subjects_after,
        signed(delta(what_if.subjects_before, what_if.subjects_after))
    );
    if !what_if.examples.is_empty() {
        out.push_str("\nExamples:\n");
        for ((from, to), rows) in &what_if.examples {
            let _ = writeln!(
                out,
                "  {from} → {to} ({} {}):",
                t.count(*from, *to),
                if t.count(*from, *to) == 1 {
                    "response"
                } else {
                    "responses"
                }
            );
            for r in rows {
                let _ = writeln!(
                    out,
                    "    row {:<6} score {} → {}  {}",
                    r.row, r.score_before, r.score_after, r.subject
                );
            }
        }
    }
    out
}
