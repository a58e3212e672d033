//! The streaming scorer behind `supportops score`.
//!
//! For a CSV source, one reader thread cuts the byte stream into blocks that end at a record
//! boundary (quote-aware: a newline inside a quoted cell is not a boundary), and two worker
//! threads parse the blocks with `simd-csv`, reading only the cells they need. The formula is
//! evaluated once per distinct combination of the cells it reads (a sheet has few: ratings 1–5,
//! a handful of resolutions and value sets), so most rows cost a hash lookup. Results come
//! back in row order because block `i` always goes to worker `i % 2`. Memory stays flat: a few
//! blocks in flight, plus the distinct subjects seen (for the summary's subject count).
//!
//! Workbooks are loaded whole by `calamine` and scored row by row.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use simd_csv::{ByteRecord, TotalReaderBuilder};
use supportops_domain::response::stored_score_differs;
use supportops_domain::{Band, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_formula::{Cell, Value};

use crate::blocks::{BLOCK, Block, BlockReader, StreamStart, read_header};
use crate::csv_rows::{MAX_QUOTED_LINES, QuoteProblem, newlines, quote_problem};
use crate::distinct::FingerprintSet;
use crate::error::{Location, QuoteFault, SheetError, Warning, WarningKind, WarningTally};
use crate::layout::{Columns, Headers, SheetLayout};
use crate::record::{ScoreRecord, format_number};
use crate::scoring::{OpenedSheet, Scoring, stored_value};
use crate::source::{self, CsvInput, Input, SourceSpec};
use crate::summary::{Summary, SummaryBuilder, band_index, score_key};

/// Workers scoring blocks in parallel.
const WORKERS: usize = 2;
/// Warnings kept (the rest are only counted).
const MAX_WARNINGS: usize = 100;
/// Distinct formula inputs remembered; past this, rows are evaluated without memoising.
const MAX_CACHED: usize = 100_000;
/// Distinct values per formula column numbered for the memo's keys.
const MAX_INTERNED: usize = 16_384;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// How to stream-score a sheet.
#[derive(Default)]
pub struct ScoreOptions<'a> {
    /// Only rows in these bands are counted or emitted; every row when empty.
    pub only: Vec<Band>,
    /// Called from the reading thread with the bytes read so far and the total when known.
    pub progress: Option<&'a (dyn Fn(u64, Option<u64>) + Sync)>,
    /// Bytes per block handed to a worker; `None` for the default (1 MiB). Tiny blocks are
    /// only useful to test block boundaries.
    pub block_size: Option<usize>,
    /// Called with every warning, in row order, as the sheet is read (the report keeps only
    /// the first ones and a count per kind).
    pub on_warning: Option<&'a (dyn Fn(&Warning) + Sync)>,
}

impl std::fmt::Debug for ScoreOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScoreOptions")
            .field("only", &self.only)
            .field("progress", &self.progress.is_some())
            .field("block_size", &self.block_size)
            .field("on_warning", &self.on_warning.is_some())
            .finish()
    }
}

/// What a streaming run learnt about the sheet besides its scores.
#[derive(Debug, Clone)]
pub struct StreamReport {
    /// The source's name for messages.
    pub name: String,
    /// The header row.
    pub headers: Headers,
    /// Where each role is.
    pub columns: Columns,
    /// The first warnings, in row order.
    pub warnings: Vec<Warning>,
    /// Warnings beyond those kept.
    pub warnings_omitted: u64,
    /// Every warning, counted per kind with its first lines.
    pub tally: WarningTally,
}

/// Receives the records of [`score_records`], in row order.
pub trait RecordSink {
    /// Called once, after the header row is read and before any record.
    fn start(&mut self, name: &str, headers: &Headers, columns: &Columns) -> std::io::Result<()>;
    /// Called for each scored row that passes the band filter.
    fn record(&mut self, record: &ScoreRecord) -> std::io::Result<()>;
}

/// Scores every row of a sheet and returns the summary: counts and shares per band, the
/// score histogram, distinct subjects and stored-score mismatches.
pub fn score_summary(
    source: &SourceSpec,
    layout: &SheetLayout,
    scoring: &Scoring,
    options: &ScoreOptions<'_>,
) -> Result<(Summary, StreamReport), SheetError> {
    match source::open(source)? {
        Input::Csv(csv) => {
            let (builder, report) = run_csv(csv, layout, scoring, options, None)?;
            Ok((builder.finish(), report))
        }
        Input::Workbook(book) => {
            let mut sheet = OpenedSheet::from_workbook(book, layout)?;
            let mut builder = SummaryBuilder::default();
            let warnings = score_workbook(&mut sheet, scoring, options, |scored| {
                builder.add(
                    scored.band,
                    &scored.score,
                    scored.mismatch(),
                    scored.response.subject_raw.as_bytes(),
                );
                Ok(())
            })?;
            Ok((builder.finish(), report_of(sheet, warnings, options)))
        }
    }
}

/// Scores every row of a sheet and hands each [`ScoreRecord`] to `sink`, in row order, without
/// keeping the sheet in memory.
pub fn score_records(
    source: &SourceSpec,
    layout: &SheetLayout,
    scoring: &Scoring,
    options: &ScoreOptions<'_>,
    sink: &mut dyn RecordSink,
) -> Result<StreamReport, SheetError> {
    match source::open(source)? {
        Input::Csv(csv) => Ok(run_csv(csv, layout, scoring, options, Some(sink))?.1),
        Input::Workbook(book) => {
            let mut sheet = OpenedSheet::from_workbook(book, layout)?;
            sink.start(&sheet.name, &sheet.headers, &sheet.columns)
                .map_err(SheetError::Write)?;
            let has_stored = sheet.columns.stored_score.is_some();
            let warnings = score_workbook(&mut sheet, scoring, options, |scored| {
                sink.record(&ScoreRecord::from_scored(scored, has_stored))
            })?;
            Ok(report_of(sheet, warnings, options))
        }
    }
}

/// Scores a workbook's rows one by one (it is loaded whole), handing each that passes the
/// band filter to `each`; returns the warnings.
fn score_workbook(
    sheet: &mut OpenedSheet,
    scoring: &Scoring,
    options: &ScoreOptions<'_>,
    mut each: impl FnMut(&ScoredResponse) -> std::io::Result<()>,
) -> Result<Vec<Warning>, SheetError> {
    let mut warnings = Vec::new();
    while let Some(response) = sheet.next_response(&mut warnings)? {
        let scored = scoring.score(response, &sheet.columns);
        if options.only.is_empty() || options.only.contains(&scored.band) {
            each(&scored).map_err(SheetError::Write)?;
        }
    }
    Ok(warnings)
}

fn report_of(
    sheet: OpenedSheet,
    mut warnings: Vec<Warning>,
    options: &ScoreOptions<'_>,
) -> StreamReport {
    let mut tally = WarningTally::default();
    for w in &warnings {
        tally.add(w);
        if let Some(each) = options.on_warning {
            each(w);
        }
    }
    let omitted = warnings.len().saturating_sub(MAX_WARNINGS) as u64;
    warnings.truncate(MAX_WARNINGS);
    StreamReport {
        name: sheet.name,
        headers: sheet.headers,
        columns: sheet.columns,
        warnings,
        warnings_omitted: omitted,
        tally,
    }
}

// ---------------------------------------------------------------------------------------------
// The work of one block.

/// A block of records sent to a worker.
enum Job {
    /// Records in `buf[start..end]`.
    Records {
        buf: Vec<u8>,
        start: usize,
        end: usize,
    },
    /// The reader found a runaway quoted cell here.
    Unclosed(QuoteFault, u64),
}

/// A worker's findings for one block, with row and line numbers relative to the block.
#[derive(Default)]
struct BlockResult {
    /// Records in the block (blank ones included): advances the row number.
    records: u64,
    /// Newlines in the block: advances the line number.
    lines: u64,
    /// Every warning of the block (a block is small, so this is bounded).
    warnings: Vec<LocalWarning>,
    /// Scored records (records mode), rows relative to the block (1-based).
    out: Vec<ScoreRecord>,
    failure: Option<LocalFailure>,
}

struct LocalWarning {
    row: u64,
    line: u64,
    column: Option<usize>,
    kind: WarningKind,
}

enum LocalFailure {
    Utf8 {
        row: u64,
        line: u64,
        column: usize,
        /// The block itself is valid UTF-8: the parser cut a cell wrong, which a quote left
        /// open does.
        garbled: bool,
    },
    Quote {
        line: u64,
        fault: QuoteFault,
    },
}

/// What the formula gave for one combination of the cells it reads.
struct Outcome {
    value: Value,
    band: Band,
    score: Option<u64>,
    /// The score as a sheet shows it, when numeric: a stored cell with the same text matches.
    text: Option<Box<[u8]>>,
    /// Rows counted with this outcome (summary mode).
    hits: u64,
}

/// Everything a worker needs, shared by reference.
struct Plan<'a> {
    scoring: &'a Scoring,
    columns: Columns,
    header_len: usize,
    formula_columns: Vec<usize>,
    /// Columns to type for the formula (`max + 1` wide).
    width: usize,
    only: [bool; 4],
    records: bool,
    /// The distinct subjects seen by every worker.
    subjects: Arc<FingerprintSet>,
}

struct Worker<'a> {
    plan: &'a Plan<'a>,
    summary: SummaryBuilder,
    cache: FastMap<Box<[u8]>, Outcome>,
    /// Per formula column, the distinct cell values seen and their numbers.
    interned: Vec<FastMap<Box<[u8]>, u32>>,
    key: Vec<u8>,
    record: ByteRecord,
}

impl<'a> Worker<'a> {
    fn new(plan: &'a Plan<'a>) -> Worker<'a> {
        Worker {
            plan,
            summary: SummaryBuilder::sharing(&plan.subjects),
            cache: FastMap::default(),
            interned: plan
                .formula_columns
                .iter()
                .map(|_| FastMap::default())
                .collect(),
            key: Vec::with_capacity(256),
            record: ByteRecord::new(),
        }
    }

    fn block(&mut self, bytes: &[u8]) -> BlockResult {
        let mut out = BlockResult::default();
        // Only a block with that many line breaks can hold a quoted cell with too many. A
        // block starts and ends outside quotes, so the cell is all in it.
        if newlines(bytes) > MAX_QUOTED_LINES as u64
            && let Some(QuoteProblem::TooManyLines(at)) = quote_problem(bytes)
        {
            out.failure = Some(LocalFailure::Quote {
                line: newlines(&bytes[..at]),
                fault: QuoteFault::TooManyLines {
                    limit: MAX_QUOTED_LINES,
                },
            });
            return out;
        }
        let mut reader = TotalReaderBuilder::new()
            .has_headers(false)
            .from_bytes(bytes);
        // Newlines before `line_pos` are counted in `line_count`.
        let (mut line_pos, mut line_count) = (0usize, 0u64);
        let mut line_of = |at: usize| {
            // Skip the empty lines the parser skips, to land on the record's first line.
            let mut start = at;
            while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
                start += 1;
            }
            if start > line_pos {
                line_count += memchr::memchr_iter(b'\n', &bytes[line_pos..start]).count() as u64;
                line_pos = start;
            }
            line_count
        };
        let mut record = std::mem::take(&mut self.record);
        loop {
            let before = reader.position() as usize;
            if !reader.read_byte_record(&mut record) {
                break;
            }
            out.records += 1;
            let row = out.records;
            if record.len() != self.plan.header_len {
                let kind = WarningKind::Ragged {
                    cells: record.len(),
                    expected: self.plan.header_len,
                };
                push_warning(&mut out, row, line_of(before), None, kind);
            }
            if record.get(0).is_some_and(<[u8]>::is_empty) && record.iter().all(<[u8]>::is_empty) {
                continue;
            }
            let subject = record.get(self.plan.columns.subject).unwrap_or(b"");
            if subject.trim_ascii().is_empty() {
                let column = Some(self.plan.columns.subject);
                push_warning(
                    &mut out,
                    row,
                    line_of(before),
                    column,
                    WarningKind::NoSubject,
                );
            }
            if let Err(column) = self.row(&record, row, &mut out) {
                out.failure = Some(LocalFailure::Utf8 {
                    row,
                    line: line_of(before),
                    column,
                    garbled: std::str::from_utf8(bytes).is_ok(),
                });
                break;
            }
        }
        self.record = record;
        line_of(bytes.len());
        out.lines = line_count;
        out
    }

    /// Scores one record. `Err(column)` when a cell it needs is not UTF-8.
    fn row(&mut self, record: &ByteRecord, row: u64, out: &mut BlockResult) -> Result<(), usize> {
        let plan = self.plan;
        // The key of the cells the formula reads: each cell's number among the distinct values
        // of its column (short keys, small tables), or the cells themselves when a column has
        // too many distinct values.
        self.key.clear();
        self.key.push(0);
        for (j, &col) in plan.formula_columns.iter().enumerate() {
            let field = record.get(col).unwrap_or(b"");
            let known = self.interned[j].len();
            let id = match self.interned[j].get(field) {
                Some(&id) => id,
                None if known < MAX_INTERNED => {
                    self.interned[j].insert(field.into(), known as u32);
                    known as u32
                }
                None => {
                    self.key.clear();
                    break;
                }
            };
            self.key.extend_from_slice(&id.to_le_bytes());
        }
        if self.key.is_empty() {
            self.key.push(1);
            for &col in &plan.formula_columns {
                let field = record.get(col).unwrap_or(b"");
                self.key
                    .extend_from_slice(&(field.len() as u32).to_le_bytes());
                self.key.extend_from_slice(field);
            }
        }
        // A formula is a pure function of the cells it reads (the language has no NOW or RAND),
        // so evaluating it once per distinct combination of those cells is exact.
        let outcome: &mut Outcome = if let Some(o) = self.cache.get_mut(self.key.as_slice()) {
            o
        } else if self.cache.len() < MAX_CACHED {
            let o = evaluate(plan, record)?;
            self.cache.entry(self.key.as_slice().into()).or_insert(o)
        } else {
            let o = evaluate(plan, record)?;
            return self.finish_row(record, row, out, o);
        };
        if !plan.only[band_index(outcome.band)] {
            return Ok(());
        }
        if plan.records {
            let (value, band) = (outcome.value.clone(), outcome.band);
            return self.emit(record, row, out, value, band);
        }
        outcome.hits += 1;
        if stored_mismatch(record, plan.columns.stored_score, outcome) {
            self.summary.add_mismatch();
        }
        self.summary
            .add_subject(record.get(plan.columns.subject).unwrap_or(b""));
        Ok(())
    }

    /// Counts or emits a row whose outcome is not memoised.
    fn finish_row(
        &mut self,
        record: &ByteRecord,
        row: u64,
        out: &mut BlockResult,
        outcome: Outcome,
    ) -> Result<(), usize> {
        if !self.plan.only[band_index(outcome.band)] {
            return Ok(());
        }
        if self.plan.records {
            return self.emit(record, row, out, outcome.value, outcome.band);
        }
        let mismatch = stored_mismatch(record, self.plan.columns.stored_score, &outcome);
        self.summary.add(
            outcome.band,
            &outcome.value,
            mismatch,
            record.get(self.plan.columns.subject).unwrap_or(b""),
        );
        Ok(())
    }

    fn emit(
        &mut self,
        record: &ByteRecord,
        row: u64,
        out: &mut BlockResult,
        score: Value,
        band: Band,
    ) -> Result<(), usize> {
        let cols = self.plan.columns;
        let text = |col: usize| -> Result<&str, usize> {
            std::str::from_utf8(record.get(col).unwrap_or(b"")).map_err(|_| col)
        };
        let subject_raw = text(cols.subject)?;
        let subject = SubjectUrl::parse(subject_raw);
        let id = cols
            .id
            .map(text)
            .transpose()?
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let key = match id {
            Some(id) => ResponseKey::from_id(id),
            None => {
                let submitter = cols.submitter.map(text).transpose()?.unwrap_or("");
                ResponseKey::derive(text(cols.timestamp)?, subject_raw, submitter)
            }
        };
        let stored = match cols.stored_score {
            Some(col) => Some(stored_value(text(col)?)),
            None => None,
        };
        out.out.push(ScoreRecord {
            row,
            key,
            subject,
            score,
            band,
            stored,
        });
        Ok(())
    }

    /// Moves the memoised counts into the summary.
    fn into_summary(mut self) -> SummaryBuilder {
        for outcome in self.cache.values() {
            self.summary
                .add_many(outcome.band, outcome.score, outcome.hits);
        }
        self.summary
    }
}

/// Evaluates the formula for a record. `Err(column)` when a cell it reads is not UTF-8.
fn evaluate(plan: &Plan<'_>, record: &ByteRecord) -> Result<Outcome, usize> {
    let mut cells: Vec<Cell<'_>> = vec![Cell::Blank; plan.width];
    for &col in &plan.formula_columns {
        let bytes = record.get(col).unwrap_or(b"");
        let text = std::str::from_utf8(bytes).map_err(|_| col)?;
        cells[col] = Cell::from_import(text);
    }
    let value = plan.scoring.formula.eval(&cells.as_slice());
    let band = plan.scoring.thresholds.band(&value);
    let text = match value {
        Value::Number(n) => Some(format_number(n).into_bytes().into_boxed_slice()),
        _ => None,
    };
    Ok(Outcome {
        score: score_key(&value),
        value,
        band,
        text,
        hits: 0,
    })
}

fn stored_mismatch(record: &ByteRecord, stored_col: Option<usize>, outcome: &Outcome) -> bool {
    let Some(col) = stored_col else {
        return false;
    };
    let stored = record.get(col).unwrap_or(b"");
    if outcome.text.as_deref() == Some(stored) {
        return false;
    }
    // Invalid UTF-8 in the stored cell reads as text that differs from any score.
    let text = String::from_utf8_lossy(stored);
    match stored_value(&text) {
        None => false,
        Some(v) => stored_score_differs(&v, &outcome.value),
    }
}

fn push_warning(
    out: &mut BlockResult,
    row: u64,
    line: u64,
    column: Option<usize>,
    kind: WarningKind,
) {
    out.warnings.push(LocalWarning {
        row,
        line,
        column,
        kind,
    });
}

// ---------------------------------------------------------------------------------------------
// Running it.

fn run_csv(
    csv: CsvInput,
    layout: &SheetLayout,
    scoring: &Scoring,
    options: &ScoreOptions<'_>,
    mut sink: Option<&mut dyn RecordSink>,
) -> Result<(SummaryBuilder, StreamReport), SheetError> {
    let name = csv.name.clone();
    let total = csv.len;
    let mut blocks = BlockReader::new(csv.reader, options.block_size.unwrap_or(BLOCK));

    let StreamStart {
        headers,
        first,
        data_start,
        records_before,
    } = read_header(&mut blocks, layout, &name)?;
    let columns = layout.resolve(&headers, &name)?;
    if let Some(sink) = sink.as_deref_mut() {
        sink.start(&name, &headers, &columns)
            .map_err(SheetError::Write)?;
    }

    let formula_columns = scoring.formula.columns().to_vec();
    let mut only = [options.only.is_empty(); 4];
    for band in &options.only {
        only[band_index(*band)] = true;
    }
    let plan = Plan {
        scoring,
        columns,
        header_len: headers.len(),
        width: formula_columns.iter().max().map_or(0, |m| m + 1),
        formula_columns,
        only,
        records: sink.is_some(),
        subjects: Arc::default(),
    };

    let lines_before = memchr::memchr_iter(b'\n', &first[..data_start]).count() as u64;
    let mut state = Merge {
        name: name.clone(),
        row_base: records_before,
        line_base: lines_before,
        warnings: Vec::new(),
        omitted: 0,
        tally: WarningTally::default(),
        on_warning: options.on_warning,
        deferred: None,
    };

    let outcome = std::thread::scope(|scope| -> Result<SummaryBuilder, SheetError> {
        let (free_tx, free_rx) = channel::<Vec<u8>>();
        let mut job_txs: Vec<SyncSender<Job>> = Vec::new();
        let mut result_rxs: Vec<Receiver<BlockResult>> = Vec::new();
        let mut workers = Vec::new();
        for _ in 0..WORKERS {
            let (job_tx, job_rx) = sync_channel::<Job>(2);
            let (result_tx, result_rx) = sync_channel::<BlockResult>(2);
            job_txs.push(job_tx);
            result_rxs.push(result_rx);
            let free_tx = free_tx.clone();
            let plan = &plan;
            workers.push(scope.spawn(move || work(plan, job_rx, result_tx, free_tx)));
        }
        drop(free_tx);
        let progress = options.progress;
        let reader =
            scope.spawn(move || feed(blocks, first, data_start, job_txs, free_rx, progress, total));

        let mut merged = Ok(());
        for seq in 0usize.. {
            let Ok(result) = result_rxs[seq % WORKERS].recv() else {
                break;
            };
            if let Err(e) = state.merge(result, sink.as_deref_mut()) {
                merged = Err(e);
                break;
            }
        }
        drop(result_rxs);
        if let (Ok(()), Some(e)) = (&merged, state.deferred.take()) {
            merged = Err(e);
        }
        let mut summary = SummaryBuilder::sharing(&plan.subjects);
        for w in workers {
            // A worker that panicked ended the merge early: carry the panic on rather than
            // report a short sheet as if it were whole.
            summary.merge(w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        let fed = reader.join();
        merged?;
        match fed {
            Ok(Ok(())) => Ok(summary),
            Ok(Err(e)) => Err(SheetError::Read {
                name: name.clone(),
                cause: e,
            }),
            Err(_) => Err(SheetError::Read {
                name: name.clone(),
                cause: std::io::Error::other("the reading thread stopped"),
            }),
        }
    })?;

    Ok((
        outcome,
        StreamReport {
            name,
            headers,
            columns,
            warnings: state.warnings,
            warnings_omitted: state.omitted,
            tally: state.tally,
        },
    ))
}

/// The reader thread: cuts the stream into blocks and deals them to the workers in turn.
fn feed(
    mut blocks: BlockReader,
    first: Vec<u8>,
    start: usize,
    jobs: Vec<SyncSender<Job>>,
    free: Receiver<Vec<u8>>,
    progress: Option<&(dyn Fn(u64, Option<u64>) + Sync)>,
    total: Option<u64>,
) -> std::io::Result<()> {
    let report = |read: u64| {
        if let Some(p) = progress {
            p(read, total);
        }
    };
    report(blocks.read);
    let end = first.len();
    if jobs[0]
        .send(Job::Records {
            buf: first,
            start,
            end,
        })
        .is_err()
    {
        return Ok(());
    }
    for seq in 1usize.. {
        let mut buf = free.try_recv().unwrap_or_default();
        let job = match blocks.next(&mut buf)? {
            (Block::End, _) => break,
            (Block::Data, end) => Job::Records { buf, start: 0, end },
            (Block::Unclosed(fault, lines), _) => Job::Unclosed(fault, lines),
        };
        let stop = matches!(job, Job::Unclosed(..));
        report(blocks.read);
        if jobs[seq % WORKERS].send(job).is_err() || stop {
            break;
        }
    }
    Ok(())
}

/// A worker thread: scores blocks and sends back results in the order received.
fn work(
    plan: &Plan<'_>,
    jobs: Receiver<Job>,
    results: SyncSender<BlockResult>,
    free: Sender<Vec<u8>>,
) -> SummaryBuilder {
    let mut worker = Worker::new(plan);
    while let Ok(job) = jobs.recv() {
        let result = match job {
            Job::Records { buf, start, end } => {
                let r = worker.block(&buf[start..end]);
                let _ = free.send(buf);
                r
            }
            Job::Unclosed(fault, line) => BlockResult {
                failure: Some(LocalFailure::Quote { line, fault }),
                ..BlockResult::default()
            },
        };
        if results.send(result).is_err() {
            break;
        }
    }
    worker.into_summary()
}

/// The merging side: turns block-relative rows and lines into sheet rows and file lines.
struct Merge<'a> {
    name: String,
    row_base: u64,
    line_base: u64,
    warnings: Vec<Warning>,
    omitted: u64,
    tally: WarningTally,
    on_warning: Option<&'a (dyn Fn(&Warning) + Sync)>,
    /// An error that a quote left open may explain: kept while the rest is read for one.
    deferred: Option<SheetError>,
}

impl Merge<'_> {
    fn merge(
        &mut self,
        mut result: BlockResult,
        sink: Option<&mut (dyn RecordSink + '_)>,
    ) -> Result<(), SheetError> {
        let location = |row: u64, line: u64, column: Option<usize>| Location {
            source: self.name.clone(),
            line: self.line_base + line + 1,
            row: Some(self.row_base + row),
            column,
        };
        if self.deferred.is_some() {
            // Only a quote left open is news now.
            if let Some(LocalFailure::Quote { line, fault }) = result.failure {
                let mut location = location(1, line, None);
                location.row = None;
                return Err(SheetError::UnclosedQuote { location, fault });
            }
            self.row_base += result.records;
            self.line_base += result.lines;
            return Ok(());
        }
        for w in result.warnings.drain(..) {
            let warning = Warning {
                location: location(w.row, w.line, w.column),
                kind: w.kind,
            };
            self.tally.add(&warning);
            if let Some(each) = self.on_warning {
                each(&warning);
            }
            if self.warnings.len() < MAX_WARNINGS {
                self.warnings.push(warning);
            } else {
                self.omitted += 1;
            }
        }
        if let Some(sink) = sink {
            for mut r in result.out.drain(..) {
                r.row += self.row_base;
                sink.record(&r).map_err(SheetError::Write)?;
            }
        }
        match result.failure {
            Some(LocalFailure::Utf8 {
                row,
                line,
                column,
                garbled,
            }) => {
                let err = SheetError::Csv {
                    location: location(row, line, Some(column)),
                    message: "the cell is not valid UTF-8; export the sheet as UTF-8 CSV".into(),
                };
                if !garbled {
                    return Err(err);
                }
                self.deferred = Some(err);
                self.row_base += result.records;
                self.line_base += result.lines;
                return Ok(());
            }
            Some(LocalFailure::Quote { line, fault }) => {
                // The line is where the quote opens; which row that is, is what is in doubt.
                let mut location = location(1, line, None);
                location.row = None;
                return Err(SheetError::UnclosedQuote { location, fault });
            }
            None => {}
        }
        self.row_base += result.records;
        self.line_base += result.lines;
        Ok(())
    }
}
