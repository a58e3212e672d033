//! Scoring materialised rows: [`load_scored`] for a whole sheet, [`response_from_fields`] for
//! one webhook body, and [`explain_row`] for why one row got its score.

use supportops_domain::{BandThresholds, Response, ScoredResponse};
use supportops_formula::{Cell, Formula, TermValue, Value, column_letters};

use crate::csv_rows::{CsvRows, RawRow};
use crate::error::{Location, SheetError, Warning, WarningKind};
use crate::layout::{Columns, Headers, SheetLayout};
use crate::response::build_response;
use crate::source::{self, Input, SourceSpec, WorkbookInput};
use crate::workbook::WorkbookRows;

/// The compiled score formula and the band thresholds. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Scoring {
    /// The formula, parsed with the sheet's template row.
    pub formula: Formula,
    /// Where scores fall into bands.
    pub thresholds: BandThresholds,
}

impl Scoring {
    /// Pairs a formula with band thresholds.
    pub fn new(formula: Formula, thresholds: BandThresholds) -> Scoring {
        Scoring {
            formula,
            thresholds,
        }
    }

    /// Scores one response: evaluates the formula over its cells, bands the result and reads
    /// the sheet's stored score when `columns` has that column.
    pub fn score(&self, response: Response, columns: &Columns) -> ScoredResponse {
        let cells: Vec<Cell<'_>> = response
            .cells
            .iter()
            .map(|c| Cell::from_import(c))
            .collect();
        let score = self.formula.eval(&cells.as_slice());
        let band = self.thresholds.band(&score);
        let stored_score = columns
            .stored_score
            .and_then(|c| response.cells.get(c))
            .and_then(|text| stored_value(text));
        ScoredResponse {
            response,
            score,
            band,
            stored_score,
        }
    }
}

/// The value of a stored score cell; `None` when blank.
pub(crate) fn stored_value(text: &str) -> Option<Value> {
    match Cell::from_import(text) {
        Cell::Blank => None,
        Cell::Number(n) => Some(Value::Number(n)),
        Cell::Bool(b) => Some(Value::Bool(b)),
        Cell::Text(t) => Some(Value::Text(t.to_owned())),
        Cell::Error(e) => Some(Value::Error(e)),
    }
}

/// A whole sheet, scored.
#[derive(Debug, Clone)]
pub struct ScoredSheet {
    /// The source's name for messages.
    pub name: String,
    /// The header row.
    pub headers: Headers,
    /// Where each role is.
    pub columns: Columns,
    /// Every data row that is not blank, in sheet order.
    pub responses: Vec<ScoredResponse>,
    /// Ragged rows and rows without a subject.
    pub warnings: Vec<Warning>,
}

/// The rows of a CSV stream or a workbook sheet.
pub(crate) enum Rows {
    Csv(CsvRows),
    Book(WorkbookRows),
}

impl Rows {
    pub(crate) fn next_row(&mut self) -> Result<Option<RawRow>, SheetError> {
        match self {
            Rows::Csv(r) => r.next_row(),
            Rows::Book(r) => Ok(r.next_row()),
        }
    }

    pub(crate) fn name(&self) -> &str {
        match self {
            Rows::Csv(r) => r.name(),
            Rows::Book(r) => r.name(),
        }
    }
}

/// A sheet opened up to its header row.
pub(crate) struct OpenedSheet {
    pub rows: Rows,
    pub name: String,
    pub headers: Headers,
    pub columns: Columns,
    pub header_row: u32,
}

impl OpenedSheet {
    /// Opens a CSV stream or a workbook and reads up to the header row.
    pub(crate) fn open(
        source: &SourceSpec,
        layout: &SheetLayout,
    ) -> Result<OpenedSheet, SheetError> {
        match source::open(source)? {
            Input::Csv(csv) => OpenedSheet::from_rows(Rows::Csv(CsvRows::new(csv)), layout),
            Input::Workbook(book) => OpenedSheet::from_workbook(book, layout),
        }
    }

    /// Opens the workbook's sheet named in the layout (else its first) up to the header row.
    pub(crate) fn from_workbook(
        book: WorkbookInput,
        layout: &SheetLayout,
    ) -> Result<OpenedSheet, SheetError> {
        let rows = Rows::Book(WorkbookRows::open(book, layout.sheet_name.as_deref())?);
        OpenedSheet::from_rows(rows, layout)
    }

    pub(crate) fn from_rows(
        mut rows: Rows,
        layout: &SheetLayout,
    ) -> Result<OpenedSheet, SheetError> {
        let name = rows.name().to_owned();
        let header_row = u64::from(layout.header_row);
        let mut seen = 0;
        let headers = loop {
            match rows.next_row()? {
                Some(r) if r.row == header_row => break Headers::new(r.cells),
                Some(r) if r.row < header_row => seen = r.row,
                _ => {
                    return Err(SheetError::NoHeader {
                        name,
                        header_row: layout.header_row,
                        rows: seen,
                    });
                }
            }
        };
        let columns = layout.resolve(&headers, &name)?;
        Ok(OpenedSheet {
            rows,
            name,
            headers,
            columns,
            header_row: layout.header_row,
        })
    }

    /// The next data row that is not blank, with its warnings.
    pub(crate) fn next_response(
        &mut self,
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<Response>, SheetError> {
        while let Some(raw) = self.rows.next_row()? {
            let location = || Location {
                source: self.name.clone(),
                line: raw.line,
                row: Some(raw.row),
                column: None,
            };
            if matches!(self.rows, Rows::Csv(_)) && raw.cells.len() != self.headers.len() {
                warnings.push(Warning {
                    location: location(),
                    kind: WarningKind::Ragged {
                        cells: raw.cells.len(),
                        expected: self.headers.len(),
                    },
                });
            }
            if raw.is_blank() {
                continue;
            }
            if raw
                .cells
                .get(self.columns.subject)
                .is_none_or(|s| s.trim().is_empty())
            {
                warnings.push(Warning {
                    location: Location {
                        column: Some(self.columns.subject),
                        ..location()
                    },
                    kind: WarningKind::NoSubject,
                });
            }
            return Ok(Some(build_response(raw.row, raw.cells, &self.columns)));
        }
        Ok(None)
    }
}

/// Reads and scores every row of a sheet. For `review` and the dashboard: every row is kept in
/// memory; use [`score_records`](crate::score_records) to stream large sheets.
///
/// Call it from a blocking context (a URL source uses a blocking HTTP client).
pub fn load_scored(
    source: &SourceSpec,
    layout: &SheetLayout,
    scoring: &Scoring,
) -> Result<ScoredSheet, SheetError> {
    let mut sheet = OpenedSheet::open(source, layout)?;
    let (responses, warnings) = read_rows(&mut sheet, scoring)?;
    Ok(ScoredSheet {
        name: sheet.name,
        headers: sheet.headers,
        columns: sheet.columns,
        responses,
        warnings,
    })
}

/// Scores the rows of `sheet` left to read, with the warnings they raise.
pub(crate) fn read_rows(
    sheet: &mut OpenedSheet,
    scoring: &Scoring,
) -> Result<(Vec<ScoredResponse>, Vec<Warning>), SheetError> {
    let mut warnings = Vec::new();
    let mut responses = Vec::new();
    while let Some(response) = sheet.next_response(&mut warnings)? {
        responses.push(scoring.score(response, &sheet.columns));
    }
    Ok((responses, warnings))
}

/// The header row of a sheet, read without reading the rows after it (a CSV file is read only
/// up to its header row; a workbook is opened).
pub fn read_headers(source: &SourceSpec, layout: &SheetLayout) -> Result<Headers, SheetError> {
    Ok(OpenedSheet::open(source, layout)?.headers)
}

/// Builds and scores one response from a map of column → text, such as a webhook's JSON body.
///
/// Keys are column letters (`B`) or header names of `headers` (the sheet's header row, or
/// [`Headers::handbook`]); an unknown key is an error naming it. The response's `row` is 0:
/// it comes from no sheet row. A blank subject is an error.
pub fn response_from_fields<K: AsRef<str>, V: AsRef<str>>(
    fields: impl IntoIterator<Item = (K, V)>,
    headers: &Headers,
    layout: &SheetLayout,
    scoring: &Scoring,
) -> Result<ScoredResponse, SheetError> {
    let mut cells: Vec<String> = vec![String::new(); headers.len()];
    for (key, value) in fields {
        let key = key.as_ref();
        let col = headers
            .resolve_key(key)
            .ok_or_else(|| SheetError::UnknownField {
                key: key.to_owned(),
                headers: headers.names().to_vec(),
            })?;
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = value.as_ref().to_owned();
    }
    let columns = layout.resolve(headers, "webhook")?;
    if cells[columns.subject].trim().is_empty() {
        return Err(SheetError::NoSubject {
            column: layout.subject.to_string(),
        });
    }
    let response = build_response(0, cells, &columns);
    Ok(scoring.score(response, &columns))
}

/// Why one row got its score.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The scored row.
    pub scored: ScoredResponse,
    /// The cells the formula reads, in column order.
    pub cells: Vec<ExplainedCell>,
    /// Each top-level term of the formula and its value for this row.
    pub terms: Vec<TermValue>,
    /// The sheet's header row.
    pub headers: Headers,
    /// Where each role is (e.g. whether the sheet has a stored score column).
    pub columns: Columns,
}

/// One cell read by the formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedCell {
    /// Zero-based column.
    pub column: usize,
    /// Its letter, e.g. `F`.
    pub letter: String,
    /// Its header, if the header row names it.
    pub header: Option<String>,
    /// The cell's text.
    pub text: String,
}

/// Finds sheet row `row` and explains its score: the cells the formula reads and the value of
/// each top-level term.
pub fn explain_row(
    source: &SourceSpec,
    layout: &SheetLayout,
    scoring: &Scoring,
    row: u64,
) -> Result<Explanation, SheetError> {
    let mut sheet = OpenedSheet::open(source, layout)?;
    let first = u64::from(sheet.header_row) + 1;
    let mut last = u64::from(sheet.header_row);
    let mut ignored = Vec::new();
    while let Some(response) = sheet.next_response(&mut ignored)? {
        last = response.row;
        if response.row < row {
            continue;
        }
        if response.row > row {
            break;
        }
        let typed: Vec<Cell<'_>> = response
            .cells
            .iter()
            .map(|c| Cell::from_import(c))
            .collect();
        let terms = scoring.formula.explain(&typed.as_slice());
        let cells = scoring
            .formula
            .columns()
            .iter()
            .map(|&column| ExplainedCell {
                column,
                letter: column_letters(column),
                header: sheet
                    .headers
                    .name(column)
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned),
                text: response.cells.get(column).cloned().unwrap_or_default(),
            })
            .collect();
        drop(typed);
        return Ok(Explanation {
            scored: scoring.score(response, &sheet.columns),
            cells,
            terms,
            headers: sheet.headers,
            columns: sheet.columns,
        });
    }
    // Keep reading to report the real range of data rows.
    while let Some(response) = sheet.next_response(&mut ignored)? {
        last = response.row;
    }
    Err(SheetError::NoSuchRow {
        name: sheet.name,
        row,
        first,
        last,
    })
}
