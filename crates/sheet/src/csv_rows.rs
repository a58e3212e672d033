//! Reading a CSV stream row by row with the `csv` crate, for the paths that materialise rows
//! (review, the dashboard, `--explain`): RFC 4180 quoting, CRLF or LF, a UTF-8 BOM, multi-line
//! cells and ragged rows.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{Location, QuoteFault, SheetError};
use xxhash_rust::xxh3::Xxh3;

use crate::source::CsvInput;

/// The most line breaks a quoted cell may hold: more means its closing quote is missing.
pub(crate) const MAX_QUOTED_LINES: usize = 10_000;

/// A quoting problem found by [`quote_problem`], with the offset of the opening quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuoteProblem {
    /// A quoted cell holds more than [`MAX_QUOTED_LINES`] line breaks.
    TooManyLines(usize),
    /// The bytes end inside a quoted cell.
    OpenAtEnd(usize),
}

impl QuoteProblem {
    /// Where the quote opens.
    pub fn at(self) -> usize {
        match self {
            QuoteProblem::TooManyLines(at) | QuoteProblem::OpenAtEnd(at) => at,
        }
    }

    pub fn fault(self) -> QuoteFault {
        match self {
            QuoteProblem::TooManyLines(_) => QuoteFault::TooManyLines {
                limit: MAX_QUOTED_LINES,
            },
            QuoteProblem::OpenAtEnd(_) => QuoteFault::NeverClosed,
        }
    }
}

/// The first quoted cell in `bytes` (which start outside quotes) that holds more than
/// [`MAX_QUOTED_LINES`] line breaks or is still open at the end. A doubled quote inside a
/// quoted cell is a quote character, not the cell's end.
pub(crate) fn quote_problem(bytes: &[u8]) -> Option<QuoteProblem> {
    let (mut open, mut lines, mut i) = (None, 0usize, 0usize);
    while let Some(found) = memchr::memchr2(b'"', b'\n', &bytes[i..]) {
        let at = i + found;
        i = at + 1;
        match (bytes[at], open) {
            (b'"', None) => {
                open = Some(at);
                lines = 0;
            }
            (b'"', Some(_)) if bytes.get(at + 1) == Some(&b'"') => i = at + 2,
            (b'"', Some(_)) => open = None,
            (_, Some(start)) => {
                lines += 1;
                if lines > MAX_QUOTED_LINES {
                    return Some(QuoteProblem::TooManyLines(start));
                }
            }
            (_, None) => {}
        }
    }
    open.map(QuoteProblem::OpenAtEnd)
}

/// Line breaks in `bytes`.
pub(crate) fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// One row of a sheet as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRow {
    /// The sheet's row number (1-based).
    pub row: u64,
    /// The physical line (CSV) or the row again (workbooks), for messages.
    pub line: u64,
    /// The cells, by zero-based column.
    pub cells: Vec<String>,
}

impl RawRow {
    /// Whether every cell is blank: such rows are not responses.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.is_empty())
    }
}

/// A place in a CSV stream at the start of a record: the bytes before it, their hash, and the
/// rows and lines they hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadMark {
    /// Bytes of the stream before the record.
    pub bytes: u64,
    /// The 128-bit XXH3 hash of those bytes.
    pub hash: u128,
    /// Rows (records, the header's included) before it.
    pub row: u64,
    /// Line breaks before it.
    pub line: u64,
}

/// The rows of a CSV stream.
pub(crate) struct CsvRows {
    name: String,
    reader: csv::Reader<Tee>,
    record: csv::StringRecord,
    row: u64,
    window: Arc<Mutex<Window>>,
    /// Bytes of the source before this stream (a resumed read), hashed into the window.
    base: u64,
}

/// The bytes the CSV reader has taken from the stream but whose lines are not counted yet.
///
/// The `csv` crate numbers a record by the line where its parse began, which is too early when
/// empty lines precede it; counting newlines here gives the line the record really starts on.
#[derive(Default)]
struct Window {
    /// Stream offset of `bytes[0]`.
    start: u64,
    bytes: VecDeque<u8>,
    /// Newlines before `start`.
    lines: u64,
    /// Quoted cells that never close, found as the bytes go by.
    quotes: QuoteScan,
    /// Reading on only to scan quotes: the bytes are not kept.
    draining: bool,
    /// The bytes before `start` (and before the stream, when resumed), hashed.
    hash: Xxh3,
}

/// Follows quoting over a whole stream as the streaming scorer's splitter sees it (a quote
/// opens or closes a quoted cell, a doubled one inside is a quote character), to find the
/// first quoted cell holding more than [`MAX_QUOTED_LINES`] line breaks or still open at the
/// end — the same faults, at the same lines, as the streaming scorer reports.
#[derive(Debug, Default)]
struct QuoteScan {
    /// Line breaks seen.
    lines: u64,
    /// The line of the open quote, when inside a quoted cell.
    open: Option<u64>,
    /// Line breaks in the open quoted cell.
    open_lines: usize,
    /// The last byte seen closes the cell unless the next one is a quote too.
    closing: bool,
    /// The first fault: the line where the quote opens, and what is wrong.
    fault: Option<(u64, QuoteFault)>,
}

impl QuoteScan {
    fn feed(&mut self, bytes: &[u8]) {
        if self.fault.is_some() {
            return;
        }
        let mut i = 0;
        if self.closing && !bytes.is_empty() {
            self.closing = false;
            if bytes[0] == b'"' {
                i = 1;
            } else {
                self.open = None;
            }
        }
        while let Some(found) = memchr::memchr2(b'"', b'\n', &bytes[i..]) {
            let at = i + found;
            i = at + 1;
            if bytes[at] == b'\n' {
                self.lines += 1;
                if let Some(line) = self.open {
                    self.open_lines += 1;
                    if self.open_lines > MAX_QUOTED_LINES {
                        let limit = MAX_QUOTED_LINES;
                        self.fault = Some((line, QuoteFault::TooManyLines { limit }));
                        return;
                    }
                }
            } else if self.open.is_none() {
                self.open = Some(self.lines + 1);
                self.open_lines = 0;
            } else {
                match bytes.get(at + 1) {
                    Some(b'"') => i = at + 2,
                    Some(_) => self.open = None,
                    None => self.closing = true,
                }
            }
        }
    }

    /// The stream has ended.
    fn finish(&mut self) {
        if self.closing {
            self.closing = false;
            self.open = None;
        }
        if let (None, Some(line)) = (self.fault, self.open) {
            self.fault = Some((line, QuoteFault::NeverClosed));
        }
    }
}

impl Window {
    /// The 1-based line of the record whose parse began at stream offset `from`, stepping over
    /// the empty lines the parser skips. Bytes before the record are forgotten.
    fn line_of_record_at(&mut self, from: u64) -> u64 {
        let skip = usize::try_from(from.saturating_sub(self.start))
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        self.forget(skip);
        loop {
            let step = match (self.bytes.front(), self.bytes.get(1)) {
                (Some(b'\n'), _) => 1,
                (Some(b'\r'), Some(b'\n')) => 2,
                _ => break,
            };
            self.forget(step);
        }
        self.lines + 1
    }

    /// Drops the first `n` bytes, counting their lines and hashing them.
    fn forget(&mut self, n: usize) {
        let (a, b) = self.bytes.as_slices();
        let (a, b) = if n <= a.len() {
            (&a[..n], &b[..0])
        } else {
            (a, &b[..n - a.len()])
        };
        self.lines += newlines(a) + newlines(b);
        self.hash.update(a);
        self.hash.update(b);
        self.bytes.drain(..n);
        self.start += n as u64;
    }
}

/// Passes the stream to the CSV reader, keeping a copy in the [`Window`].
struct Tee {
    inner: Box<dyn Read + Send>,
    window: Arc<Mutex<Window>>,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        if !window.draining {
            window.bytes.extend(&buf[..n]);
        }
        window.quotes.feed(&buf[..n]);
        if n == 0 && !buf.is_empty() {
            window.quotes.finish();
        }
        Ok(n)
    }
}

impl CsvRows {
    /// Reads `input` as CSV.
    ///
    /// Records end at `\n` only, and a `\r` before it is dropped here: the `csv` crate's own
    /// CRLF handling reports every record after the first one line too early, and exports from
    /// Google Sheets use CRLF.
    pub fn new(input: CsvInput) -> CsvRows {
        CsvRows::resume(input, ReadMark::default(), Xxh3::new())
    }

    /// Reads `input`, the rest of a source whose first `mark.bytes` bytes were read before (and
    /// hashed into `hash`): rows and lines are numbered on from the mark.
    pub fn resume(input: CsvInput, mark: ReadMark, hash: Xxh3) -> CsvRows {
        let window = Arc::new(Mutex::new(Window {
            lines: mark.line,
            quotes: QuoteScan {
                lines: mark.line,
                ..QuoteScan::default()
            },
            hash,
            ..Window::default()
        }));
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(Tee {
                inner: input.reader,
                window: Arc::clone(&window),
            });
        CsvRows {
            name: input.name,
            reader,
            record: csv::StringRecord::new(),
            row: mark.row,
            window,
            base: mark.bytes,
        }
    }

    /// Where the last row read begins: reading again from there (with [`CsvRows::resume`])
    /// reads that row and the ones after it. `None` before the first row.
    pub fn mark(&self) -> Option<ReadMark> {
        if self.row == 0 {
            return None;
        }
        let window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        Some(ReadMark {
            bytes: self.base + window.start,
            hash: window.hash.digest128(),
            row: self.row - 1,
            line: window.lines,
        })
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next row, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<RawRow>, SheetError> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => {
                    let window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
                    return match self.quote_fault(&window) {
                        Some(err) => Err(err),
                        None => Ok(None),
                    };
                }
                Ok(true) => {
                    let mut cells: Vec<String> = self.record.iter().map(str::to_owned).collect();
                    if let Some(last) = cells.last_mut()
                        && last.ends_with('\r')
                    {
                        last.pop();
                        if cells.len() == 1 && cells[0].is_empty() {
                            // An empty CRLF line: skipped, like an empty LF line.
                            continue;
                        }
                    }
                    self.row += 1;
                    let from = self.record.position().map_or(0, |p| p.byte());
                    let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
                    let line = window.line_of_record_at(from);
                    if let Some(err) = self.quote_fault(&window) {
                        return Err(err);
                    }
                    drop(window);
                    return Ok(Some(RawRow {
                        row: self.row,
                        line,
                        cells,
                    }));
                }
                Err(err) => return Err(self.error(err)),
            }
        }
    }

    /// The quoting fault the scan of the bytes read so far found, as an error.
    fn quote_fault(&self, window: &Window) -> Option<SheetError> {
        let (line, fault) = window.quotes.fault?;
        Some(SheetError::UnclosedQuote {
            location: Location {
                source: self.name.clone(),
                line,
                row: None,
                column: None,
            },
            fault,
        })
    }

    fn error(&mut self, err: csv::Error) -> SheetError {
        // A quote left open garbles the cells after it (even into invalid UTF-8): read on to
        // see whether that is the cause, and report it if so.
        if matches!(err.kind(), csv::ErrorKind::Utf8 { .. }) {
            self.window
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .draining = true;
            let mut scratch = vec![0; 64 * 1024];
            while let Ok(1..) = self.reader.get_mut().read(&mut scratch) {}
        }
        let window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(fault) = self.quote_fault(&window) {
            return fault;
        }
        drop(window);
        let row = Some(self.row + 1);
        match err.into_kind() {
            csv::ErrorKind::Io(source) => SheetError::Read {
                name: self.name.clone(),
                cause: source,
            },
            csv::ErrorKind::Utf8 { pos, err } => SheetError::Csv {
                location: Location {
                    source: self.name.clone(),
                    line: pos.as_ref().map_or(0, |p| p.line()),
                    row,
                    column: Some(err.field()),
                },
                message: "the cell is not valid UTF-8; export the sheet as UTF-8 CSV".into(),
            },
            other => SheetError::Csv {
                location: Location {
                    source: self.name.clone(),
                    line: self.reader.position().line(),
                    row,
                    column: None,
                },
                message: format!("{other:?}"),
            },
        }
    }
}
