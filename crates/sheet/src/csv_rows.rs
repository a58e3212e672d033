//! Reading a CSV stream row by row with the `csv` crate, for the paths that materialise rows
//! (review, the dashboard, `--explain`): RFC 4180 quoting, CRLF or LF, a UTF-8 BOM, multi-line
//! cells and ragged rows.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{Location, SheetError};
use crate::source::CsvInput;

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

/// The rows of a CSV stream.
pub(crate) struct CsvRows {
    name: String,
    reader: csv::Reader<Tee>,
    record: csv::StringRecord,
    row: u64,
    window: Arc<Mutex<Window>>,
}

/// The bytes the CSV reader has taken from the stream but whose lines are not counted yet.
///
/// The `csv` crate numbers a record by the line where its parse began, which is too early when
/// empty lines precede it; counting newlines here gives the line the record really starts on.
#[derive(Debug, Default)]
struct Window {
    /// Stream offset of `bytes[0]`.
    start: u64,
    bytes: VecDeque<u8>,
    /// Newlines before `start`.
    lines: u64,
}

impl Window {
    /// The 1-based line of the record whose parse began at stream offset `from`, stepping over
    /// the empty lines the parser skips. Bytes before the record are forgotten.
    fn line_of_record_at(&mut self, from: u64) -> u64 {
        let skip = usize::try_from(from.saturating_sub(self.start))
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        self.lines += self.bytes.drain(..skip).filter(|&b| b == b'\n').count() as u64;
        self.start += skip as u64;
        loop {
            let step = match (self.bytes.front(), self.bytes.get(1)) {
                (Some(b'\n'), _) => 1,
                (Some(b'\r'), Some(b'\n')) => 2,
                _ => break,
            };
            self.bytes.drain(..step);
            self.start += step as u64;
            self.lines += 1;
        }
        self.lines + 1
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
        window.bytes.extend(&buf[..n]);
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
        let window = Arc::new(Mutex::new(Window::default()));
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
            row: 0,
            window,
        }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next row, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<RawRow>, SheetError> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return Ok(None),
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
                    let line = self
                        .window
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .line_of_record_at(from);
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

    fn error(&self, err: csv::Error) -> SheetError {
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
