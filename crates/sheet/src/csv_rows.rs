//! Reading a CSV stream row by row with the `csv` crate, for the paths that materialise rows
//! (review, the dashboard, `--explain`): RFC 4180 quoting, CRLF or LF, a UTF-8 BOM, multi-line
//! cells and ragged rows.

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
    reader: csv::Reader<Box<dyn std::io::Read + Send>>,
    record: csv::StringRecord,
    row: u64,
}

impl CsvRows {
    /// Reads `input` as CSV.
    pub fn new(input: CsvInput) -> CsvRows {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input.reader);
        CsvRows {
            name: input.name,
            reader,
            record: csv::StringRecord::new(),
            row: 0,
        }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next row, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<RawRow>, SheetError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                self.row += 1;
                let line = self.record.position().map_or(0, |p| p.line());
                Ok(Some(RawRow {
                    row: self.row,
                    line,
                    cells: self.record.iter().map(str::to_owned).collect(),
                }))
            }
            Err(err) => Err(self.error(err)),
        }
    }

    fn error(&self, err: csv::Error) -> SheetError {
        let row = Some(self.row + 1);
        match err.into_kind() {
            csv::ErrorKind::Io(source) => SheetError::Read {
                name: self.name.clone(),
                source,
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
