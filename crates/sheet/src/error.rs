//! Errors and warnings of reading a sheet, each naming the place: source, line, row, column.

use std::fmt;
use std::path::PathBuf;

use supportops_formula::column_letters;

/// A place in a source: `examples/feedback.csv:14` (line 14), with the sheet's row and
/// column when known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// The source's name: a path, a URL, `<stdin>` or `book.xlsx[Sheet1]`.
    pub source: String,
    /// The physical line where the record starts (1-based; for workbooks, the sheet row).
    pub line: u64,
    /// The sheet's row number (the header is row 1), when the fault is in a record.
    pub row: Option<u64>,
    /// The zero-based column index, when the fault is in one cell.
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.source, self.line)?;
        match (self.row, self.column) {
            (Some(row), Some(col)) => write!(f, " (row {row}, column {})", column_letters(col)),
            (Some(row), None) => write!(f, " (row {row})"),
            (None, Some(col)) => write!(f, " (column {})", column_letters(col)),
            (None, None) => Ok(()),
        }
    }
}

/// Why a sheet could not be read or scored. Each variant carries the offending input.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The source text is empty.
    #[error("no sheet source given: pass a path, an http(s) URL of a published CSV, or `-`")]
    EmptySource,
    /// A file could not be opened.
    #[error("cannot open `{}`: {cause}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause (shown in the message, so not also a `source()`).
        cause: std::io::Error,
    },
    /// Reading the source failed part way.
    #[error("cannot read `{name}`: {cause}")]
    Read {
        /// The source's name.
        name: String,
        /// The cause (shown in the message, so not also a `source()`).
        cause: std::io::Error,
    },
    /// The source looks like a link but is not a valid http(s) URL.
    #[error("`{url}` is not a valid link: {message}")]
    BadUrl {
        /// The text given.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The URL could not be fetched (connection, timeout, TLS).
    #[error("cannot fetch `{url}`: {message}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server answered with something other than 200 OK.
    #[error(
        "`{url}` answered {status}; check the link (a Google Sheet must be published to the web as CSV: File → Share → Publish to web)"
    )]
    HttpStatus {
        /// The URL.
        url: String,
        /// The HTTP status, e.g. `404 Not Found`.
        status: String,
    },
    /// The server sent an HTML page (usually a sign-in page) instead of CSV.
    #[error(
        "`{url}` returned an HTML page, not CSV: the sheet is probably private; publish it to the web as CSV (File → Share → Publish to web) and use that link"
    )]
    HtmlPage {
        /// The URL.
        url: String,
    },
    /// The CSV is malformed (e.g. not UTF-8).
    #[error("{location}: {message}")]
    Csv {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// A quoted cell never closes, so the rest of the file would be one cell.
    #[error("{location}: {fault}")]
    UnclosedQuote {
        /// Where the quote opens.
        location: Location,
        /// What gave it away.
        fault: QuoteFault,
    },
    /// A workbook (XLSX/ODS) could not be read.
    #[error("cannot read the workbook `{name}`: {message}")]
    Workbook {
        /// The source's name.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// `--sheet NAME` names no sheet of the workbook.
    #[error(
        "the workbook `{name}` has no sheet `{sheet}`; its sheets are: {}",
        quoted_list(available)
    )]
    NoSuchSheet {
        /// The source's name.
        name: String,
        /// The sheet asked for.
        sheet: String,
        /// The sheets it has.
        available: Vec<String>,
    },
    /// The sheet ends before its header row.
    #[error(
        "`{name}` has no header row {header_row}: it has {rows} row(s); check `sheet.header_row`"
    )]
    NoHeader {
        /// The source's name.
        name: String,
        /// The configured header row.
        header_row: u32,
        /// How many rows the sheet has.
        rows: u64,
    },
    /// A required role's column is not in the sheet.
    #[error(
        "the sheet `{name}` has no {column} for `{role}` (config key `sheet.columns.{role}`); its header row {header_row} is: {}",
        quoted_list(headers)
    )]
    MissingColumn {
        /// The source's name.
        name: String,
        /// The role, e.g. `subject`.
        role: &'static str,
        /// How the column was named: `column K` or `header "Issue link"`.
        column: String,
        /// The header row's number.
        header_row: u32,
        /// The header row's cells.
        headers: Vec<String>,
    },
    /// A webhook field is neither a column letter nor a header of the sheet.
    #[error(
        "unknown field `{key}`: use a column letter (A, B, …) or one of the sheet's headers: {}",
        quoted_list(headers)
    )]
    UnknownField {
        /// The field's key.
        key: String,
        /// The headers it was compared with.
        headers: Vec<String>,
    },
    /// A response names no subject.
    #[error("the response has no `subject` ({column}): say which issue or MR it is about")]
    NoSubject {
        /// How the subject column is named.
        column: String,
    },
    /// `--explain ROW` names a row that is not a data row.
    #[error("`{name}` has no data row {row}; its data rows are {first}–{last}")]
    NoSuchRow {
        /// The source's name.
        name: String,
        /// The row asked for.
        row: u64,
        /// The first data row.
        first: u64,
        /// The last data row.
        last: u64,
    },
    /// Writing the output failed (e.g. the reader of a pipe went away).
    #[error("cannot write the output: {0}")]
    Write(std::io::Error),
}

/// How a quoted cell that never closes shows itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteFault {
    /// The input ends inside the quoted cell.
    NeverClosed,
    /// The quoted cell holds more line breaks than any real cell.
    TooManyLines {
        /// The most line breaks a cell may hold.
        limit: usize,
    },
    /// The row grows past a size no real row has.
    TooLong {
        /// The limit in MiB.
        limit_mib: usize,
    },
}

impl fmt::Display for QuoteFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuoteFault::NeverClosed => f.write_str(
                "a quoted cell opens here and is never closed, so the rest of the file would be one cell; check the quotes on this line",
            ),
            QuoteFault::TooManyLines { limit } => write!(
                f,
                "a quoted cell opens here and runs over more than {} lines; its closing quote is probably missing: check the quotes on this line",
                thousands(*limit as u64)
            ),
            QuoteFault::TooLong { limit_mib } => write!(
                f,
                "a quoted cell is never closed (the row grows past {limit_mib} MiB); check the quotes in this row"
            ),
        }
    }
}

impl SheetError {
    /// Whether the error is the user's input being wrong (a bad path, link, layout or file),
    /// as opposed to a failure of the machine or the network.
    pub fn is_bad_input(&self) -> bool {
        match self {
            SheetError::Open { cause, .. } => matches!(
                cause.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::IsADirectory
                    | std::io::ErrorKind::InvalidInput
            ),
            SheetError::Read { .. } | SheetError::Fetch { .. } | SheetError::Write(_) => false,
            SheetError::HttpStatus { status, .. } => status.starts_with('4'),
            _ => true,
        }
    }
}

/// Something odd in the sheet that does not stop scoring.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// Where.
    pub location: Location,
    /// What.
    pub kind: WarningKind,
}

/// The kinds of [`Warning`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WarningKind {
    /// The row has more or fewer cells than the header. Missing cells are blank, extra cells
    /// are ignored.
    Ragged {
        /// Cells in the row.
        cells: usize,
        /// Cells in the header.
        expected: usize,
    },
    /// The row has content but its subject cell is blank.
    NoSubject,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            WarningKind::Ragged { cells, expected } if cells > expected => write!(
                f,
                "{}: {cells} cells but the header has {expected}; the extra cells are ignored",
                self.location
            ),
            WarningKind::Ragged { cells, expected } => write!(
                f,
                "{}: {cells} cells but the header has {expected}; the missing cells count as blank",
                self.location
            ),
            WarningKind::NoSubject => write!(
                f,
                "{}: the subject cell is blank, so this response belongs to no issue or MR",
                self.location
            ),
        }
    }
}

/// Places listed per kind of warning in a [`WarningGroup`].
pub const FIRST_PLACES: usize = 3;

/// A kind of problem, as [`WarningGroup`]s count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WarningGroupKind {
    /// Rows with content whose subject cell is blank.
    NoSubject,
    /// Rows with fewer cells than the header.
    MissingCells {
        /// Cells in the header.
        expected: usize,
    },
    /// Rows with more cells than the header.
    ExtraCells {
        /// Cells in the header.
        expected: usize,
    },
}

impl WarningGroupKind {
    /// The group a warning belongs to.
    pub fn of(kind: &WarningKind) -> WarningGroupKind {
        match *kind {
            WarningKind::NoSubject => WarningGroupKind::NoSubject,
            WarningKind::Ragged { cells, expected } if cells < expected => {
                WarningGroupKind::MissingCells { expected }
            }
            WarningKind::Ragged { expected, .. } => WarningGroupKind::ExtraCells { expected },
        }
    }
}

/// Every warning of one kind in a sheet: how many, and the lines of the first few.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WarningGroup {
    /// What.
    #[serde(flatten)]
    pub kind: WarningGroupKind,
    /// Rows with this problem.
    pub count: u64,
    /// The lines of the first few of them (three).
    pub lines: Vec<u64>,
}

impl fmt::Display for WarningGroup {
    /// `20,106 rows have a blank issue/MR link: lines 34, 49, 101, …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.count;
        let (rows, have) = if n == 1 {
            ("row", "has")
        } else {
            ("rows", "have")
        };
        let count = thousands(n);
        match self.kind {
            WarningGroupKind::NoSubject => write!(
                f,
                "{count} {rows} {have} a blank issue/MR link, so they belong to no issue or MR"
            )?,
            WarningGroupKind::MissingCells { expected } => write!(
                f,
                "{count} {rows} {have} fewer cells than the header ({expected}); the missing cells count as blank"
            )?,
            WarningGroupKind::ExtraCells { expected } => write!(
                f,
                "{count} {rows} {have} more cells than the header ({expected}); the extra cells are ignored"
            )?,
        }
        let lines: Vec<String> = self.lines.iter().map(u64::to_string).collect();
        let more = if n > self.lines.len() as u64 {
            ", …"
        } else {
            ""
        };
        let word = if self.lines.len() == 1 {
            "line"
        } else {
            "lines"
        };
        write!(f, ": {word} {}{more}", lines.join(", "))
    }
}

/// `20106` as `20,106`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Every warning of a sheet, grouped by kind, in the order each kind first occurred.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct WarningTally {
    /// One group per kind of problem.
    pub groups: Vec<WarningGroup>,
}

impl WarningTally {
    /// Counts a warning.
    pub fn add(&mut self, warning: &Warning) {
        let kind = WarningGroupKind::of(&warning.kind);
        let group = match self.groups.iter().position(|g| g.kind == kind) {
            Some(i) => &mut self.groups[i],
            None => {
                self.groups.push(WarningGroup {
                    kind,
                    count: 0,
                    lines: Vec::new(),
                });
                let last = self.groups.len() - 1;
                &mut self.groups[last]
            }
        };
        group.count += 1;
        if group.lines.len() < FIRST_PLACES {
            group.lines.push(warning.location.line);
        }
    }

    /// Warnings counted.
    pub fn total(&self) -> u64 {
        self.groups.iter().map(|g| g.count).sum()
    }
}

pub(crate) fn quoted_list(items: &[String]) -> String {
    if items.is_empty() {
        return "(empty)".into();
    }
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
