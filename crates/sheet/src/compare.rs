//! The what-if pass behind `supportops score --compare`: scores a sheet with the current and a
//! proposed formula in one streaming pass and builds the band transition matrix
//! ([`WhatIf`]): from → to counts, flagged responses and review subjects before and after, and
//! the first example rows of each changed cell.
//!
//! It cuts a CSV stream as the streaming scorer does (the engine's block reader, two worker
//! threads, results merged in row order) and memoises both formulas together per distinct
//! combination of the cells either reads, so two formulas cost about what one does. Memory
//! stays flat: a few blocks in flight, the distinct combinations, and the distinct subjects of
//! flagged rows. Workbooks are loaded whole and scored row by row.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use simd_csv::{ByteRecord, TotalReaderBuilder};
use supportops_domain::formula_change::{ExampleRow, Transitions, WhatIf, WhatIfBuilder};
use supportops_domain::{Band, SubjectUrl};
use supportops_formula::{Cell, Value};

use crate::blocks::{BLOCK, Block, BlockReader, StreamStart, read_header};
use crate::engine::StreamReport;
use crate::error::{Location, QuoteFault, SheetError, WarningTally};
use crate::layout::{Columns, SheetLayout};
use crate::record::value_text;
use crate::scoring::{OpenedSheet, Scoring};
use crate::source::{self, CsvInput, Input, SourceSpec};

/// Workers scoring blocks in parallel.
const WORKERS: usize = 2;
/// Distinct formula inputs remembered; past this, rows are evaluated without memoising.
const MAX_CACHED: usize = 100_000;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// How to run a comparison.
#[derive(Default)]
pub struct CompareOptions<'a> {
    /// Example rows kept per changed cell of the matrix.
    pub examples: usize,
    /// Called from the reading thread with the bytes read so far and the total when known.
    pub progress: Option<&'a (dyn Fn(u64, Option<u64>) + Sync)>,
    /// Bytes per block handed to a worker; `None` for the default (1 MiB).
    pub block_size: Option<usize>,
}

impl std::fmt::Debug for CompareOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompareOptions")
            .field("examples", &self.examples)
            .field("block_size", &self.block_size)
            .finish()
    }
}

/// Scores every row of a sheet with `before` (the current formula) and `after` (the proposed
/// one) in one pass and returns what the change does.
pub fn score_compare(
    source: &SourceSpec,
    layout: &SheetLayout,
    before: &Scoring,
    after: &Scoring,
    options: &CompareOptions<'_>,
) -> Result<(WhatIf, StreamReport), SheetError> {
    match source::open(source)? {
        Input::Csv(csv) => run_csv(csv, layout, [before, after], options),
        Input::Workbook(book) => {
            let mut sheet = OpenedSheet::from_workbook(book, layout)?;
            let mut builder = WhatIfBuilder::new(options.examples);
            let mut warnings = Vec::new();
            let columns = sheet.columns;
            while let Some(response) = sheet.next_response(&mut warnings)? {
                let cells: Vec<Cell<'_>> = response
                    .cells
                    .iter()
                    .map(|c| Cell::from_import(c))
                    .collect();
                let a = before.formula.eval(&cells.as_slice());
                let b = after.formula.eval(&cells.as_slice());
                let (from, to) = (before.thresholds.band(&a), after.thresholds.band(&b));
                let has_subject = response
                    .cells
                    .get(columns.subject)
                    .is_some_and(|s| !s.trim().is_empty());
                builder.add(from, to, has_subject.then_some(&response.subject), || {
                    ExampleRow {
                        row: response.row,
                        subject: response.subject_raw.clone(),
                        score_before: value_text(&a),
                        score_after: value_text(&b),
                    }
                });
            }
            let report = StreamReport {
                name: sheet.name,
                headers: sheet.headers,
                columns,
                warnings: Vec::new(),
                warnings_omitted: 0,
                tally: WarningTally::default(),
            };
            Ok((builder.finish(), report))
        }
    }
}

/// What both formulas give for one combination of the cells they read.
struct Pair {
    from: Band,
    to: Band,
    before: Value,
    after: Value,
    /// Rows with this combination.
    hits: u64,
}

/// An example row found in a block, its row relative to the block.
struct BlockExample {
    row: u64,
    from: Band,
    to: Band,
    subject: String,
    before: String,
    after: String,
}

/// A worker's findings for one block.
#[derive(Default)]
struct BlockResult {
    /// Records in the block (blank ones included).
    records: u64,
    /// Newlines in the block.
    lines: u64,
    examples: Vec<BlockExample>,
    /// `(row, line, column)` of a cell that is not UTF-8; or the reader's runaway quote.
    failure: Option<Failure>,
}

enum Failure {
    Utf8 {
        row: u64,
        line: u64,
        column: usize,
    },
    /// A quoted cell that never closes, opening this many lines into the block.
    Unclosed(QuoteFault, u64),
}

struct Plan<'a> {
    scorings: [&'a Scoring; 2],
    columns: Columns,
    /// The union of the columns either formula reads.
    formula_columns: Vec<usize>,
    width: usize,
    examples: usize,
}

/// Subject flags: flagged before, flagged after.
const BEFORE: u8 = 1;
const AFTER: u8 = 2;

struct Worker<'a> {
    plan: &'a Plan<'a>,
    cache: FastMap<Box<[u8]>, usize>,
    pairs: Vec<Pair>,
    /// Rows past the memo's capacity.
    uncached: Transitions,
    subjects: FastMap<Box<[u8]>, u8>,
    key: Vec<u8>,
}

impl<'a> Worker<'a> {
    fn block(&mut self, bytes: &[u8]) -> BlockResult {
        let mut out = BlockResult {
            lines: memchr::memchr_iter(b'\n', bytes).count() as u64,
            ..BlockResult::default()
        };
        let mut reader = TotalReaderBuilder::new()
            .has_headers(false)
            .from_bytes(bytes);
        let mut record = ByteRecord::new();
        let mut per_cell = [[0usize; 4]; 4];
        loop {
            let start = reader.position() as usize;
            if !reader.read_byte_record(&mut record) {
                break;
            }
            out.records += 1;
            if record.get(0).is_some_and(<[u8]>::is_empty) && record.iter().all(<[u8]>::is_empty) {
                continue;
            }
            if let Err(column) = self.row(&record, out.records, &mut per_cell, &mut out) {
                let mut at = start;
                while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
                    at += 1;
                }
                let line = memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64;
                out.failure = Some(Failure::Utf8 {
                    row: out.records,
                    line,
                    column,
                });
                break;
            }
        }
        out
    }

    fn row(
        &mut self,
        record: &ByteRecord,
        row: u64,
        per_cell: &mut [[usize; 4]; 4],
        out: &mut BlockResult,
    ) -> Result<(), usize> {
        let plan = self.plan;
        self.key.clear();
        for &col in &plan.formula_columns {
            let field = record.get(col).unwrap_or(b"");
            self.key
                .extend_from_slice(&(field.len() as u32).to_le_bytes());
            self.key.extend_from_slice(field);
        }
        // Both formulas are pure functions of the cells they read: evaluating them once per
        // distinct combination is exact.
        let index = match self.cache.get(self.key.as_slice()) {
            Some(&i) => Some(i),
            None if self.cache.len() < MAX_CACHED => {
                self.pairs.push(evaluate(plan, record)?);
                let i = self.pairs.len() - 1;
                self.cache.insert(self.key.as_slice().into(), i);
                Some(i)
            }
            None => None,
        };
        let uncached;
        let pair = match index {
            Some(i) => {
                let p = &mut self.pairs[i];
                p.hits += 1;
                &*p
            }
            None => {
                uncached = evaluate(plan, record)?;
                self.uncached.add(uncached.from, uncached.to, 1);
                &uncached
            }
        };
        let (from, to) = (pair.from, pair.to);
        if !from.is_flagged() && !to.is_flagged() {
            return Ok(());
        }
        let subject = record.get(plan.columns.subject).unwrap_or(b"");
        if !subject.trim_ascii().is_empty() {
            let flags =
                (u8::from(from.is_flagged()) * BEFORE) | (u8::from(to.is_flagged()) * AFTER);
            match self.subjects.get_mut(subject) {
                Some(f) => *f |= flags,
                None => {
                    self.subjects.insert(subject.into(), flags);
                }
            }
        }
        let seen = &mut per_cell[band_index(from)][band_index(to)];
        if from != to && *seen < plan.examples {
            *seen += 1;
            out.examples.push(BlockExample {
                row,
                from,
                to,
                subject: String::from_utf8_lossy(subject).into_owned(),
                before: value_text(&pair.before),
                after: value_text(&pair.after),
            });
        }
        Ok(())
    }
}

fn band_index(band: Band) -> usize {
    Band::ALL.iter().position(|b| *b == band).unwrap_or(0)
}

/// Evaluates both formulas for a record. `Err(column)` when a cell they read is not UTF-8.
fn evaluate(plan: &Plan<'_>, record: &ByteRecord) -> Result<Pair, usize> {
    let mut cells: Vec<Cell<'_>> = vec![Cell::Blank; plan.width];
    for &col in &plan.formula_columns {
        let bytes = record.get(col).unwrap_or(b"");
        let text = std::str::from_utf8(bytes).map_err(|_| col)?;
        cells[col] = Cell::from_import(text);
    }
    let [a, b] = plan.scorings;
    let before = a.formula.eval(&cells.as_slice());
    let after = b.formula.eval(&cells.as_slice());
    Ok(Pair {
        from: a.thresholds.band(&before),
        to: b.thresholds.band(&after),
        before,
        after,
        hits: 0,
    })
}

/// A block of records for a worker: the buffer and the range holding them; or the quoted cell
/// the reader found never closing, and the line of the block it opens on.
type Job = Result<(Vec<u8>, usize, usize), (QuoteFault, u64)>;

/// What a worker hands back when the stream ends.
struct WorkerTotals {
    transitions: Transitions,
    subjects: FastMap<Box<[u8]>, u8>,
}

fn run_csv(
    csv: CsvInput,
    layout: &SheetLayout,
    scorings: [&Scoring; 2],
    options: &CompareOptions<'_>,
) -> Result<(WhatIf, StreamReport), SheetError> {
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
    let mut formula_columns: Vec<usize> = scorings
        .iter()
        .flat_map(|s| s.formula.columns().iter().copied())
        .collect();
    formula_columns.sort_unstable();
    formula_columns.dedup();
    let plan = Plan {
        scorings,
        columns,
        width: formula_columns.iter().max().map_or(0, |m| m + 1),
        formula_columns,
        examples: options.examples,
    };
    let mut builder = WhatIfBuilder::new(options.examples);
    let mut row_base = records_before;
    let mut line_base = memchr::memchr_iter(b'\n', &first[..data_start]).count() as u64;

    let totals = std::thread::scope(|scope| -> Result<Vec<WorkerTotals>, SheetError> {
        let mut job_txs: Vec<SyncSender<Job>> = Vec::new();
        let mut result_rxs: Vec<Receiver<BlockResult>> = Vec::new();
        let mut workers = Vec::new();
        for _ in 0..WORKERS {
            let (job_tx, job_rx) = sync_channel(2);
            let (result_tx, result_rx) = sync_channel(2);
            job_txs.push(job_tx);
            result_rxs.push(result_rx);
            let plan = &plan;
            workers.push(scope.spawn(move || work(plan, &job_rx, &result_tx)));
        }
        let progress = options.progress;
        let reader = scope.spawn(move || -> std::io::Result<()> {
            let report = |read: u64| {
                if let Some(p) = progress {
                    p(read, total);
                }
            };
            report(blocks.read);
            let end = first.len();
            if job_txs[0].send(Ok((first, data_start, end))).is_err() {
                return Ok(());
            }
            for seq in 1usize.. {
                let mut buf = Vec::new();
                let job = match blocks.next(&mut buf)? {
                    (Block::End, _) => break,
                    (Block::Data, end) => Ok((buf, 0, end)),
                    (Block::Unclosed(fault, lines), _) => Err((fault, lines)),
                };
                let stop = job.is_err();
                report(blocks.read);
                if job_txs[seq % WORKERS].send(job).is_err() || stop {
                    break;
                }
            }
            Ok(())
        });

        let mut merged = Ok(());
        for seq in 0usize.. {
            let Ok(result) = result_rxs[seq % WORKERS].recv() else {
                break;
            };
            let location = |row: u64, line: u64, column: Option<usize>| Location {
                source: name.clone(),
                line: line_base + line + 1,
                row: Some(row_base + row),
                column,
            };
            for e in result.examples {
                builder.add_example(
                    e.from,
                    e.to,
                    ExampleRow {
                        row: row_base + e.row,
                        subject: e.subject,
                        score_before: e.before,
                        score_after: e.after,
                    },
                );
            }
            match result.failure {
                Some(Failure::Utf8 { row, line, column }) => {
                    merged = Err(SheetError::Csv {
                        location: location(row, line, Some(column)),
                        message: "the cell is not valid UTF-8; export the sheet as UTF-8 CSV"
                            .into(),
                    });
                    break;
                }
                Some(Failure::Unclosed(fault, line)) => {
                    // The line is where the quote opens; which row that is, is what is in doubt.
                    let mut location = location(1, line, None);
                    location.row = None;
                    merged = Err(SheetError::UnclosedQuote { location, fault });
                    break;
                }
                None => {}
            }
            row_base += result.records;
            line_base += result.lines;
        }
        drop(result_rxs);
        let totals = workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect();
        let fed = reader.join();
        merged?;
        match fed {
            Ok(Ok(())) => Ok(totals),
            Ok(Err(cause)) => Err(SheetError::Read {
                name: name.clone(),
                cause,
            }),
            Err(_) => Err(SheetError::Read {
                name: name.clone(),
                cause: std::io::Error::other("the reading thread stopped"),
            }),
        }
    })?;

    let mut subjects: FastMap<Box<[u8]>, u8> = FastMap::default();
    for t in totals {
        builder.add_counts(&t.transitions);
        for (s, flags) in t.subjects {
            *subjects.entry(s).or_insert(0) |= flags;
        }
    }
    for (raw, flags) in subjects {
        let url = SubjectUrl::parse(&String::from_utf8_lossy(&raw));
        builder.add_subject(url, flags & BEFORE != 0, flags & AFTER != 0);
    }
    let report = StreamReport {
        name,
        headers,
        columns,
        warnings: Vec::new(),
        warnings_omitted: 0,
        tally: WarningTally::default(),
    };
    Ok((builder.finish(), report))
}

/// A worker thread: scores blocks and sends back results in the order received.
fn work(plan: &Plan<'_>, jobs: &Receiver<Job>, results: &SyncSender<BlockResult>) -> WorkerTotals {
    let mut worker = Worker {
        plan,
        cache: FastMap::default(),
        pairs: Vec::new(),
        uncached: Transitions::default(),
        subjects: FastMap::default(),
        key: Vec::with_capacity(256),
    };
    while let Ok(job) = jobs.recv() {
        let result = match job {
            Ok((buf, start, end)) => worker.block(&buf[start..end]),
            Err((fault, line)) => BlockResult {
                failure: Some(Failure::Unclosed(fault, line)),
                ..BlockResult::default()
            },
        };
        if results.send(result).is_err() {
            break;
        }
    }
    let mut transitions = worker.uncached;
    for p in &worker.pairs {
        transitions.add(p.from, p.to, p.hits);
    }
    WorkerTotals {
        transitions,
        subjects: worker.subjects,
    }
}
