//! `supportops formula check|eval|history`: parse a scoring formula and print it normalised (or
//! say what is wrong with a caret under the fault), evaluate it for one row given cell by cell,
//! and list the formula versions the store has scored responses with.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Context as _, anyhow};
use serde::Serialize;
use supportops_config::Config;
use supportops_domain::FormulaSpec;
use supportops_formula::{
    Cell, Formula, ParseError, ParseOptions, TermValue, Value, column_index, column_letters,
};
use supportops_ports::store::FormulaStore;
use supportops_ports::store::formula::FormulaHistory;
use supportops_sheet::{ValueJson, value_text};
use tabled::settings::object::Columns;
use tabled::settings::{Style, Width};

use super::Context;
use super::wiring::open_store_to_read;
use crate::exit::{Reported, bad_input};
use crate::output::{Format, emit, print_json};

/// Terms longer than this wrap in the `--explain` table.
const TERM_WIDTH: usize = 88;

/// Subcommands of `supportops formula`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Parse a formula; print it normalised, or show what is wrong with it (exit 2)
    #[command(after_help = "Examples:\n  \
        supportops formula check '=sum(if(f2>=4,1,0), 1)'\n  \
        supportops formula check            # the configured score.formula")]
    Check(CheckArgs),
    /// Evaluate a formula for one row given cell by cell
    #[command(after_help = "Examples:\n  \
        supportops formula eval --cell F=5 --cell C='It was solved, and I am confident in the solution'\n  \
        supportops formula eval '=IF(F2 >= 4, \"good\", \"bad\")' --cell F=4 --format json\n  \
        supportops formula eval --cell F= --explain     # blank rating, term by term")]
    Eval(EvalArgs),
    /// List the formula versions stored responses were scored with, and how many each scored
    #[command(
        after_help = "Each response keeps the score and band it was filed under; \
        `supportops review --rescore` scores them again with the current formula."
    )]
    History(HistoryArgs),
}

/// Arguments of `supportops formula history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Where the formula comes from and which row its references name.
#[derive(Debug, clap::Args)]
pub struct FormulaSource {
    /// The formula, with or without the leading `=` [default: `score.formula` of the
    /// configuration]
    #[arg(value_name = "FORMULA", allow_hyphen_values = true)]
    formula: Option<String>,
    /// The row the formula's references name (`F2` is column F of this row) [default:
    /// `sheet.template_row` of the configuration, 2]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    template_row: Option<u32>,
}

/// Arguments of `supportops formula check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    source: FormulaSource,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Arguments of `supportops formula eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    #[command(flatten)]
    source: FormulaSource,
    /// A cell of the row as COLUMN=TEXT, e.g. `--cell F=5`; repeat for each cell. `--cell F=`
    /// is blank, as are columns not given. The text is typed as Google Sheets types a CSV cell:
    /// `5` and `1,234` are numbers, `TRUE` a boolean, `2024-01-15` a date
    #[arg(long = "cell", value_name = "COLUMN=TEXT", value_parser = parse_cell_arg)]
    cells: Vec<CellArg>,
    /// Also show each top-level term (each argument of an outermost SUM) and its value
    #[arg(long)]
    explain: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// One `--cell COLUMN=TEXT`, as typed.
#[derive(Debug, Clone)]
struct CellArg {
    /// Column letters, upper case.
    letters: String,
    /// A row number written after the letters (`F2=5`), to check against the template row.
    row: Option<u32>,
    text: String,
}

fn parse_cell_arg(arg: &str) -> Result<CellArg, String> {
    let Some((column, text)) = arg.split_once('=') else {
        return Err(
            "expected COLUMN=TEXT, e.g. `--cell F=5` (`--cell F=` for a blank cell)".into(),
        );
    };
    let column = column.trim();
    let letters: String = column
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let digits = &column[letters.len()..];
    let row = if digits.is_empty() {
        None
    } else {
        Some(digits.parse::<u32>().map_err(|_| {
            format!("`{column}` is not a column: write its letters, e.g. `--cell F=5`")
        })?)
    };
    if column_index(&letters).is_none() {
        return Err(format!(
            "`{column}` is not a column: write its letters (A to ZZZ), e.g. `--cell F=5`"
        ));
    }
    Ok(CellArg {
        letters: letters.to_ascii_uppercase(),
        row,
        text: text.to_owned(),
    })
}

/// Runs the command.
pub fn run(ctx: &Context, cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Check(args) => check(ctx, args),
        Command::Eval(args) => eval(ctx, args),
        Command::History(args) => history(ctx, args),
    }
}

/// The configured formula as a version: normalised text, band thresholds and
/// `score.formula_note`.
pub fn current_spec(config: &Config, formula: &Formula) -> FormulaSpec {
    FormulaSpec {
        formula: formula.to_string(),
        thresholds: config.score.bands.thresholds(),
        note: config
            .score
            .formula_note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
    }
}

/// The JSON document of `formula history`.
#[derive(Serialize)]
struct HistoryJson<'a> {
    /// The hash of the configured formula.
    current: String,
    #[serde(flatten)]
    history: &'a FormulaHistory,
}

fn history(ctx: &Context, args: HistoryArgs) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    let current = current_spec(&config, &super::score::parse_formula(&config, None)?).hash();
    let history = super::runtime()?.block_on(async {
        let store = open_store_to_read(&config).await?;
        store
            .formula_history()
            .await
            .context("cannot read the formula versions")
    })?;
    emit(
        args.format,
        &HistoryJson {
            current: current.clone(),
            history: &history,
        },
        |h| history_table(h.history, &current),
    )
}

fn history_table(history: &FormulaHistory, current: &str) -> String {
    let mut out = String::new();
    let time = |t: jiff::Timestamp| t.strftime("%Y-%m-%d %H:%M UTC").to_string();
    if history.versions.is_empty() {
        out.push_str(
            "No formula versions recorded yet: `supportops review` records the formula it \
             scores with.\n",
        );
    }
    for (i, v) in history.versions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mark = if v.hash == current { "  (current)" } else { "" };
        let _ = writeln!(
            out,
            "version {} {}{mark}\n  used       {} to {}\n  scored     {} {}",
            v.id.0,
            v.hash,
            time(v.first_used_at),
            time(v.last_used_at),
            v.responses,
            if v.responses == 1 {
                "response"
            } else {
                "responses"
            },
        );
        let _ = writeln!(out, "  formula    {}", v.formula);
        let _ = writeln!(
            out,
            "  bands      green >= {}, yellow >= {}",
            v.thresholds.green, v.thresholds.yellow
        );
        if let Some(note) = &v.note {
            let _ = writeln!(out, "  note       {note}");
        }
    }
    if history.unrecorded_responses > 0 {
        let _ = writeln!(
            out,
            "\n{} stored {} scored before formula versions were recorded.",
            history.unrecorded_responses,
            if history.unrecorded_responses == 1 {
                "response was"
            } else {
                "responses were"
            },
        );
    }
    if !history.versions.iter().any(|v| v.hash == current) {
        let _ = writeln!(
            out,
            "\nThe configured formula ({current}) has not scored stored responses yet."
        );
    }
    out
}

/// The formula text and template row: from the arguments, else the configuration.
fn resolve(ctx: &Context, source: FormulaSource) -> anyhow::Result<(String, u32)> {
    if let (Some(formula), Some(row)) = (&source.formula, source.template_row) {
        return Ok((formula.clone(), row));
    }
    let (config, _) = ctx.config()?;
    let formula = source.formula.unwrap_or(config.score.formula);
    let row = source.template_row.unwrap_or(config.sheet.template_row);
    Ok((formula, row))
}

/// Parses, or prints the rendered error on stderr and ends with exit code 2.
fn parse_or_report(text: &str, template_row: u32) -> anyhow::Result<Formula> {
    Formula::parse(text, &ParseOptions { template_row }).map_err(|e| {
        anstream::eprintln!("{}", e.render_styled());
        anyhow::Error::new(Reported(crate::exit::Exit::BadInput))
    })
}

#[derive(Serialize)]
struct CheckJson<'a> {
    formula: Option<String>,
    columns: Vec<String>,
    error: Option<ErrorJson<'a>>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    message: &'a str,
    /// Byte offsets of the fault in the formula as given.
    start: usize,
    end: usize,
}

fn check(ctx: &Context, args: CheckArgs) -> anyhow::Result<()> {
    let (text, template_row) = resolve(ctx, args.source)?;
    match args.format {
        Format::Table => {
            let formula = parse_or_report(&text, template_row)?;
            anstream::println!("{formula}");
            Ok(())
        }
        Format::Json => match Formula::parse(&text, &ParseOptions { template_row }) {
            Ok(formula) => print_json(&CheckJson {
                formula: Some(formula.to_string()),
                columns: formula
                    .columns()
                    .iter()
                    .map(|c| column_letters(*c))
                    .collect(),
                error: None,
            }),
            Err(e) => {
                print_json(&CheckJson {
                    formula: None,
                    columns: Vec::new(),
                    error: Some(error_json(&e)),
                })?;
                Err(anyhow::Error::new(Reported(crate::exit::Exit::BadInput)))
            }
        },
    }
}

fn error_json(e: &ParseError) -> ErrorJson<'_> {
    ErrorJson {
        message: &e.message,
        start: e.span.start,
        end: e.span.end,
    }
}

#[derive(Serialize)]
struct EvalJson<'a> {
    value: ValueJson<'a>,
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    terms: Option<Vec<TermJson<'a>>>,
}

/// One term of an explanation in JSON (`formula eval --explain`, `score --explain`).
#[derive(Serialize)]
pub(crate) struct TermJson<'a> {
    term: &'a str,
    value: ValueJson<'a>,
    error: Option<&'static str>,
}

impl<'a> From<&'a TermValue> for TermJson<'a> {
    fn from(t: &'a TermValue) -> TermJson<'a> {
        TermJson {
            term: &t.source,
            value: ValueJson(&t.value),
            error: t.value.error().map(|e| e.as_str()),
        }
    }
}

fn eval(ctx: &Context, args: EvalArgs) -> anyhow::Result<()> {
    let (text, template_row) = resolve(ctx, args.source)?;
    // Check every --cell before anything is evaluated.
    let mut given: BTreeMap<usize, &CellArg> = BTreeMap::new();
    for cell in &args.cells {
        if let Some(row) = cell.row
            && row != template_row
        {
            return Err(bad_input(anyhow!(
                "`--cell {}{row}=…` names row {row}, but the formula is evaluated for the template row {template_row}: write `--cell {}={}`",
                cell.letters,
                cell.letters,
                cell.text
            )));
        }
        let index = column_index(&cell.letters)
            .ok_or_else(|| bad_input(anyhow!("`{}` is not a column", cell.letters)))?;
        if given.insert(index, cell).is_some() {
            return Err(bad_input(anyhow!(
                "column {} is given twice: pass one `--cell {}=…`",
                cell.letters,
                cell.letters
            )));
        }
    }
    let formula = parse_or_report(&text, template_row)?;
    let width = given.keys().next_back().map_or(0, |last| last + 1);
    let mut row: Vec<Cell<'_>> = vec![Cell::Blank; width];
    for (index, cell) in &given {
        row[*index] = Cell::from_import(&cell.text);
    }
    let value = formula.eval(row.as_slice());
    let terms = args.explain.then(|| formula.explain(row.as_slice()));
    match args.format {
        Format::Json => print_json(&EvalJson {
            value: ValueJson(&value),
            error: value.error().map(|e| e.as_str()),
            terms: terms
                .as_ref()
                .map(|terms| terms.iter().map(TermJson::from).collect()),
        }),
        Format::Table => {
            let missing: Vec<String> = formula
                .columns()
                .iter()
                .filter(|c| !given.contains_key(c))
                .map(|c| column_letters(*c))
                .collect();
            if !missing.is_empty() {
                anstream::eprintln!(
                    "note: {} not given, so blank (pass e.g. `--cell {}=…`)",
                    missing.join(", "),
                    missing[0]
                );
            }
            let shown = |v: &Value| match v {
                Value::Blank => "(blank)".to_owned(),
                other => value_text(other),
            };
            if let Some(terms) = terms {
                let mut table = tabled::builder::Builder::default();
                table.push_record(["term", "value"]);
                for t in &terms {
                    table.push_record([t.source.replace('\n', "⏎"), shown(&t.value)]);
                }
                table.push_record(["total".to_owned(), shown(&value)]);
                let mut table = table.build();
                table
                    .with(Style::psql())
                    .modify(Columns::first(), Width::wrap(TERM_WIDTH).keep_words(true));
                anstream::println!("{table}");
            } else {
                anstream::println!("{}", shown(&value));
            }
            Ok(())
        }
    }
}
