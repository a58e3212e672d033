//! `supportops score`: reads the feedback sheet, scores every row with the configured formula,
//! and prints records (table, CSV, JSON, NDJSON), a summary per band, or why one row got its
//! score. Also the helpers other commands use to read the sheet: [`sheet_layout`],
//! [`parse_formula`], [`scoring`] and [`sheet_error`].

use std::io::{IsTerminal as _, Write};

use anyhow::Context as _;
use owo_colors::OwoColorize as _;
use supportops_config::{Config, SheetConfig};
use supportops_domain::Band;
use supportops_formula::{Formula, ParseOptions};
use supportops_sheet::{
    ColumnRef, Columns, Headers, RecordSink, ScoreOptions, ScoreRecord, Scoring, SheetError,
    SheetLayout, SourceSpec, StreamReport, Summary, Warning, value_text,
};
use tabled::settings::Style;

use super::Context;
use super::formula::TermJson;
use crate::exit::bad_input;

/// Arguments of `supportops score`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The sheet: a CSV, XLSX or ODS file, the http(s) URL of a published CSV, or `-` for
    /// standard input [default: `sheet.source` of the configuration]
    #[arg(value_name = "SOURCE")]
    source: Option<String>,
    /// Score with this formula instead of `score.formula`, e.g. '=IF(F2 >= 4, 2, 0)'
    #[arg(long, value_name = "FORMULA")]
    formula: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ScoreFormat::Table)]
    format: ScoreFormat,
    /// Print counts and shares per band, the score histogram, subjects and mismatches
    #[arg(long, conflicts_with = "explain")]
    summary: bool,
    /// Keep only rows in this band; repeat for several
    #[arg(long, value_enum, value_name = "BAND")]
    only: Vec<BandArg>,
    /// Explain why sheet row ROW got its score: the cells the formula reads and each term's value
    #[arg(long, value_name = "ROW")]
    explain: Option<u64>,
    /// The workbook sheet (tab) to read [default: `sheet.sheet_name`, else the first]
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    #[command(flatten)]
    compare: super::score_compare::CompareArgs,
}

/// `--format` of `score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScoreFormat {
    /// A table for people
    Table,
    /// CSV with a header row
    Csv,
    /// One JSON document
    Json,
    /// One JSON record per line
    Ndjson,
}

/// A band named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BandArg {
    /// Good
    Green,
    /// Needs Improvement
    Yellow,
    /// Bad
    Red,
    /// The formula gave an error or no number
    Error,
}

impl From<BandArg> for Band {
    fn from(b: BandArg) -> Band {
        match b {
            BandArg::Green => Band::Green,
            BandArg::Yellow => Band::Yellow,
            BandArg::Red => Band::Red,
            BandArg::Error => Band::Error,
        }
    }
}

/// The sheet layout of the configuration's `[sheet]` table.
pub fn sheet_layout(sheet: &SheetConfig) -> SheetLayout {
    let columns = &sheet.columns;
    SheetLayout {
        header_row: sheet.header_row,
        timestamp: ColumnRef::parse(&columns.timestamp),
        subject: ColumnRef::parse(&columns.subject),
        submitter: ColumnRef::parse_optional(columns.submitter.as_deref()),
        stored_score: ColumnRef::parse_optional(columns.stored_score.as_deref()),
        id: ColumnRef::parse_optional(columns.id.as_deref()),
        sheet_name: sheet.sheet_name.clone(),
    }
}

/// Parses `formula` (from `--formula`), else `score.formula`, for the configured template row.
/// A parse error is bad input and shows the formula with a caret under the fault.
pub fn parse_formula(config: &Config, formula: Option<&str>) -> anyhow::Result<Formula> {
    let (text, origin) = match formula {
        Some(f) => (f, "--formula"),
        None => (config.score.formula.as_str(), "config key `score.formula`"),
    };
    let options = ParseOptions {
        template_row: config.sheet.template_row,
    };
    Formula::parse(text, &options).map_err(|e| {
        bad_input(anyhow::anyhow!(
            "the formula ({origin}) does not parse:\n{}",
            e.render_unlabelled()
        ))
    })
}

/// The formula and band thresholds of the configuration (`formula` overrides `score.formula`).
pub fn scoring(config: &Config, formula: Option<&str>) -> anyhow::Result<Scoring> {
    Ok(Scoring::new(
        parse_formula(config, formula)?,
        config.score.bands.thresholds(),
    ))
}

/// A sheet error as the binary reports it: exit 2 when the input is at fault, else 1.
pub fn sheet_error(err: SheetError) -> anyhow::Error {
    if err.is_bad_input() {
        bad_input(err)
    } else {
        anyhow::Error::new(err)
    }
}

/// Runs the command.
pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    let source_text = args.source.as_deref().unwrap_or(&config.sheet.source);
    let from_config = args.source.is_none();
    let fail = |e: SheetError| {
        let unreadable = matches!(e, SheetError::Open { .. } | SheetError::EmptySource);
        let err = sheet_error(e);
        if from_config && unreadable {
            err.context(
                "cannot read the sheet named by config key `sheet.source`; pass a SOURCE to score another sheet",
            )
        } else {
            err
        }
    };
    let source = SourceSpec::parse(source_text).map_err(fail)?;
    let mut layout = sheet_layout(&config.sheet);
    if let Some(sheet) = &args.sheet {
        layout.sheet_name = Some(sheet.clone());
    }
    let scoring = scoring(&config, args.formula.as_deref())?;

    if let Some(row) = args.explain {
        return explain(&source, &layout, &scoring, row, args.format, &fail);
    }
    let progress = Progress::new(&source);
    let report_progress = |read: u64, total: Option<u64>| progress.update(read, total);
    // JSON and NDJSON records come with every warning, one JSON object per line on stderr;
    // a summary or a table gets one line per kind of problem at the end.
    let json_warnings =
        !args.summary && matches!(args.format, ScoreFormat::Json | ScoreFormat::Ndjson);
    let stderr = std::sync::Mutex::new(std::io::BufWriter::new(std::io::stderr()));
    let warning_json = |w: &Warning| {
        let mut err = stderr
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = writeln!(err, "{}", warning_json(w));
    };
    if args.compare.wanted() {
        let bar = progress.bar.as_ref().map(|_| &report_progress as _);
        let result = super::score_compare::run(
            &config,
            &args.compare,
            (&source, &layout, &scoring),
            args.format,
            bar,
            &fail,
        );
        progress.finish();
        return result;
    }
    let options = ScoreOptions {
        only: args.only.iter().map(|b| Band::from(*b)).collect(),
        progress: progress.bar.as_ref().map(|_| &report_progress as _),
        block_size: None,
        on_warning: json_warnings.then_some(&warning_json as _),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let report = if args.summary {
        let result = supportops_sheet::score_summary(&source, &layout, &scoring, &options);
        progress.finish();
        let (summary, report) = result.map_err(fail)?;
        print_summary(&summary, args.format)?;
        report
    } else {
        let mut sink = Sink::new(&mut out, args.format);
        let result =
            supportops_sheet::score_records(&source, &layout, &scoring, &options, &mut sink);
        progress.finish();
        match result {
            Ok(report) => {
                sink.finish(&report)?;
                report
            }
            Err(SheetError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                return Ok(());
            }
            Err(e) => return Err(fail(e)),
        }
    };
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        other => other.context("cannot write the output")?,
    }
    let _ = stderr
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .flush();
    if !json_warnings {
        print_warnings(&report, args.summary);
    }
    Ok(())
}

/// One line per kind of problem, with the count and the first lines.
fn print_warnings(report: &StreamReport, summary: bool) {
    for group in &report.tally.groups {
        let all = match (group.count > group.lines.len() as u64, summary) {
            (false, _) => "",
            (true, false) => " (see --format json for all)",
            (true, true) => " (see --format json without --summary for all)",
        };
        anstream::eprintln!(
            "{} {}: {group}{all}",
            "warning:".yellow().bold(),
            report.name
        );
    }
}

/// A warning as one flat JSON object: where (`source`, `line`, `row`, `column` letter), what
/// (`kind` and its fields) and the message a person would read.
fn warning_json(w: &Warning) -> String {
    let mut object = serde_json::Map::new();
    object.insert("source".into(), w.location.source.clone().into());
    object.insert("line".into(), w.location.line.into());
    object.insert("row".into(), w.location.row.into());
    object.insert(
        "column".into(),
        w.location
            .column
            .map(supportops_formula::column_letters)
            .into(),
    );
    if let Ok(serde_json::Value::Object(kind)) = serde_json::to_value(&w.kind) {
        object.extend(kind);
    }
    object.insert("message".into(), w.to_string().into());
    serde_json::Value::Object(object).to_string()
}

/// A progress bar on stderr for long runs, only when stderr is a terminal.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(source: &SourceSpec) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = indicatif::ProgressBar::hidden();
        let style = indicatif::ProgressStyle::with_template(
            "{spinner} scoring {msg} {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(source.name());
        Progress { bar: Some(bar) }
    }

    fn update(&self, read: u64, total: Option<u64>) {
        if let Some(bar) = &self.bar {
            if bar.is_hidden() && read > 0 {
                // Show the bar only once there is something to show.
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(8));
            }
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_position(read);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Writes records in the chosen format as they come.
struct Sink<'a, W: Write> {
    out: Out<'a, W>,
    format: ScoreFormat,
    rows: Vec<[String; 5]>,
    has_stored: bool,
    count: u64,
    mismatches: u64,
}

/// Where records go: straight to the output, or through a CSV writer.
enum Out<'a, W: Write> {
    Raw(&'a mut W),
    Csv(Box<csv::Writer<&'a mut W>>),
}

impl<W: Write> Out<'_, W> {
    /// The output for formats written directly.
    fn raw(&mut self) -> std::io::Result<&mut W> {
        match self {
            Out::Raw(w) => Ok(w),
            Out::Csv(_) => Err(std::io::Error::other("the CSV output takes records only")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::Raw(w) => w.flush(),
            Out::Csv(w) => w.flush(),
        }
    }
}

impl<'a, W: Write> Sink<'a, W> {
    fn new(out: &'a mut W, format: ScoreFormat) -> Sink<'a, W> {
        let out = match format {
            ScoreFormat::Csv => Out::Csv(Box::new(csv::Writer::from_writer(out))),
            _ => Out::Raw(out),
        };
        Sink {
            out,
            format,
            rows: Vec::new(),
            has_stored: false,
            count: 0,
            mismatches: 0,
        }
    }

    fn finish(&mut self, report: &StreamReport) -> anyhow::Result<()> {
        match self.format {
            ScoreFormat::Json => {
                let end = if self.count == 0 { "[]\n" } else { "\n]\n" };
                write_or_pipe(self.out.raw().and_then(|w| w.write_all(end.as_bytes())))?;
            }
            ScoreFormat::Table => {
                let mut builder = tabled::builder::Builder::default();
                builder.push_record(["row", "band", "score", "stored", "subject"]);
                for r in self.rows.drain(..) {
                    builder.push_record(r);
                }
                let mut table = builder.build();
                table.with(Style::psql());
                let mut text = format!("{table}\n");
                text.push_str(&format!("{} row(s) from `{}`", self.count, report.name));
                if self.has_stored {
                    text.push_str(&format!(
                        "; {} stored score(s) differ from the formula (marked ≠)",
                        self.mismatches
                    ));
                }
                text.push('\n');
                write_or_pipe(self.out.flush())?;
                print_text(&text)?;
            }
            ScoreFormat::Csv | ScoreFormat::Ndjson => write_or_pipe(self.out.flush())?,
        }
        Ok(())
    }
}

/// Prints `text` on stdout, dropping colours when stdout is not a terminal or NO_COLOR is set.
fn print_text(text: &str) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    write_or_pipe(anstream::AutoStream::auto(stdout.lock()).write_all(text.as_bytes()))
}

fn write_or_pipe(result: std::io::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the output"),
    }
}

fn coloured_band(band: Band) -> String {
    match band {
        Band::Green => band.as_str().green().to_string(),
        Band::Yellow => band.as_str().yellow().to_string(),
        Band::Red => band.as_str().red().to_string(),
        Band::Error => band.as_str().magenta().bold().to_string(),
    }
}

impl<W: Write> RecordSink for Sink<'_, W> {
    fn start(&mut self, _name: &str, _headers: &Headers, columns: &Columns) -> std::io::Result<()> {
        self.has_stored = columns.stored_score.is_some();
        if let Out::Csv(writer) = &mut self.out {
            let mut header = vec!["row", "key", "subject", "score", "error", "band"];
            if self.has_stored {
                header.extend(["stored_score", "mismatch"]);
            }
            writer.write_record(header)?;
        }
        Ok(())
    }

    fn record(&mut self, record: &ScoreRecord) -> std::io::Result<()> {
        let first = self.count == 0;
        self.count += 1;
        let mismatch = record.mismatch();
        self.mismatches += u64::from(mismatch);
        match self.format {
            ScoreFormat::Json | ScoreFormat::Ndjson => {
                let out = self.out.raw()?;
                if self.format == ScoreFormat::Json {
                    out.write_all(if first { b"[\n" } else { b",\n" })?;
                }
                serde_json::to_writer(&mut *out, record)?;
                if self.format == ScoreFormat::Ndjson {
                    out.write_all(b"\n")?;
                }
            }
            ScoreFormat::Csv => {
                if let Out::Csv(writer) = &mut self.out {
                    let mut fields = vec![
                        record.row.to_string(),
                        record.key.to_string(),
                        record.subject.to_string(),
                        value_text(&record.score),
                        record.error().unwrap_or("").to_owned(),
                        record.band.to_string(),
                    ];
                    if let Some(stored) = &record.stored {
                        fields.push(stored.as_ref().map(value_text).unwrap_or_default());
                        fields.push(mismatch.to_string());
                    }
                    writer.write_record(&fields)?;
                }
            }
            ScoreFormat::Table => {
                let stored = match &record.stored {
                    None => String::new(),
                    Some(None) => "—".into(),
                    Some(Some(v)) if mismatch => format!("{} ≠", value_text(v)).bold().to_string(),
                    Some(Some(v)) => value_text(v),
                };
                self.rows.push([
                    record.row.to_string(),
                    coloured_band(record.band),
                    value_text(&record.score),
                    stored,
                    record.subject.to_string(),
                ]);
            }
        }
        Ok(())
    }
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn print_summary(summary: &Summary, format: ScoreFormat) -> anyhow::Result<()> {
    let text = match format {
        ScoreFormat::Json => format!("{}\n", serde_json::to_string_pretty(summary)?),
        ScoreFormat::Ndjson => format!("{}\n", serde_json::to_string(summary)?),
        ScoreFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(["band", "label", "rows", "share"])?;
            for band in Band::ALL {
                writer.write_record([
                    band.as_str(),
                    band.label(),
                    &summary.count(band).to_string(),
                    &format!("{:.4}", summary.share(band)),
                ])?;
            }
            String::from_utf8(writer.into_inner().context("cannot write CSV")?)?
        }
        ScoreFormat::Table => {
            let mut builder = tabled::builder::Builder::default();
            builder.push_record(["band", "label", "rows", "share"]);
            for band in Band::ALL {
                builder.push_record([
                    coloured_band(band),
                    band.label().to_owned(),
                    summary.count(band).to_string(),
                    percent(summary.share(band)),
                ]);
            }
            builder.push_record([
                "total".to_owned(),
                String::new(),
                summary.rows.to_string(),
                percent(if summary.rows == 0 { 0.0 } else { 1.0 }),
            ]);
            let mut table = builder.build();
            table.with(Style::psql()).modify(
                tabled::settings::object::Columns::new(2..),
                tabled::settings::Alignment::right(),
            );
            let scores = summary
                .scores
                .iter()
                .map(|(s, n)| format!("{}: {n}", supportops_sheet::format_number(*s)))
                .collect::<Vec<_>>()
                .join(" · ");
            format!(
                "{table}\n\nscores      {}\nsubjects    {}\nmismatches  {} (rows whose stored score differs from the formula's)\n",
                if scores.is_empty() {
                    "—".into()
                } else {
                    scores
                },
                summary.subjects,
                summary.mismatches,
            )
        }
    };
    print_text(&text)
}

fn explain(
    source: &SourceSpec,
    layout: &SheetLayout,
    scoring: &Scoring,
    row: u64,
    format: ScoreFormat,
    fail: &dyn Fn(SheetError) -> anyhow::Error,
) -> anyhow::Result<()> {
    if format == ScoreFormat::Csv {
        return Err(bad_input(anyhow::anyhow!(
            "--explain prints a table or JSON; use --format table or --format json"
        )));
    }
    let e = supportops_sheet::explain_row(source, layout, scoring, row).map_err(fail)?;
    let scored = &e.scored;
    let record = ScoreRecord::from_scored(scored, e.columns.stored_score.is_some());
    let text = match format {
        ScoreFormat::Json | ScoreFormat::Ndjson => {
            let value = ExplainJson {
                record: &record,
                cells: e
                    .cells
                    .iter()
                    .map(|c| CellJson {
                        column: &c.letter,
                        header: c.header.as_deref(),
                        value: &c.text,
                    })
                    .collect(),
                terms: e.terms.iter().map(TermJson::from).collect(),
            };
            if format == ScoreFormat::Json {
                format!("{}\n", serde_json::to_string_pretty(&value)?)
            } else {
                format!("{}\n", serde_json::to_string(&value)?)
            }
        }
        // CSV was refused above, before reading the sheet.
        ScoreFormat::Table | ScoreFormat::Csv => {
            let mut head = format!(
                "row {} · {} · score {} · {} ({})",
                record.row,
                record.subject,
                value_text(&record.score),
                coloured_band(record.band),
                record.band.label()
            );
            if let Some(stored) = &scored.stored_score {
                let mark = if record.mismatch() {
                    " ≠ the formula's"
                } else {
                    ""
                };
                head.push_str(&format!(" · stored {}{mark}", value_text(stored)));
            }
            let mut cells = tabled::builder::Builder::default();
            cells.push_record(["cell", "header", "value"]);
            for c in &e.cells {
                cells.push_record([
                    c.letter.clone(),
                    c.header.clone().unwrap_or_default(),
                    c.text.replace('\n', "⏎"),
                ]);
            }
            let mut terms = tabled::builder::Builder::default();
            terms.push_record(["term", "value"]);
            for t in &e.terms {
                terms.push_record([t.source.clone(), value_text(&t.value)]);
            }
            let mut cells = cells.build();
            cells.with(Style::psql());
            let mut terms = terms.build();
            terms.with(Style::psql()).modify(
                tabled::settings::object::Columns::first(),
                tabled::settings::Width::wrap(90).keep_words(true),
            );
            format!("{head}\n\n{cells}\n\n{terms}\n")
        }
    };
    print_text(&text)
}

/// `score --explain ROW --format json`: the row's record, then the cells and terms.
#[derive(serde::Serialize)]
struct ExplainJson<'a> {
    #[serde(flatten)]
    record: &'a ScoreRecord,
    cells: Vec<CellJson<'a>>,
    terms: Vec<TermJson<'a>>,
}

#[derive(serde::Serialize)]
struct CellJson<'a> {
    column: &'a str,
    header: Option<&'a str>,
    value: &'a str,
}
