//! Reading XLSX, XLSM, XLS and ODS workbooks with `calamine`: the first sheet, or the one named
//! by `--sheet`. Cells become the text Google Sheets would export for them.

use std::io::Cursor;

use calamine::{Data, Range, Reader};

use crate::csv_rows::RawRow;
use crate::error::SheetError;
use crate::source::WorkbookInput;

/// The rows of one sheet of a workbook.
pub(crate) struct WorkbookRows {
    name: String,
    range: Range<Data>,
    first_row: u64,
    first_col: usize,
    next: usize,
}

impl WorkbookRows {
    /// Opens the workbook and loads the sheet `sheet` (the first when `None`).
    pub fn open(input: WorkbookInput, sheet: Option<&str>) -> Result<WorkbookRows, SheetError> {
        match input {
            WorkbookInput::Path { name, path } => {
                let book =
                    calamine::open_workbook_auto(&path).map_err(|e| SheetError::Workbook {
                        name: name.clone(),
                        message: e.to_string(),
                    })?;
                load(name, book, sheet)
            }
            WorkbookInput::Bytes { name, bytes } => {
                let book =
                    calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
                        SheetError::Workbook {
                            name: name.clone(),
                            message: e.to_string(),
                        }
                    })?;
                load(name, book, sheet)
            }
        }
    }

    /// The name used in messages: `book.xlsx[Sheet]`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next row, or `None` at the end.
    pub fn next_row(&mut self) -> Option<RawRow> {
        // `Rows` is a `chunks` iterator: `nth` jumps straight to the row.
        let cells = self.range.rows().nth(self.next)?;
        let mut out = vec![String::new(); self.first_col];
        out.extend(cells.iter().map(cell_text));
        let row = self.first_row + self.next as u64;
        self.next += 1;
        Some(RawRow {
            row,
            line: row,
            cells: out,
        })
    }
}

fn load<RS: std::io::Read + std::io::Seek>(
    name: String,
    mut book: calamine::Sheets<RS>,
    sheet: Option<&str>,
) -> Result<WorkbookRows, SheetError> {
    let names = book.sheet_names();
    let chosen = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| SheetError::NoSuchSheet {
                name: name.clone(),
                sheet: wanted.to_owned(),
                available: names.clone(),
            })?,
        None => names.first().cloned().ok_or_else(|| SheetError::Workbook {
            name: name.clone(),
            message: "it has no sheets".into(),
        })?,
    };
    let range = book
        .worksheet_range(&chosen)
        .map_err(|e| SheetError::Workbook {
            name: name.clone(),
            message: e.to_string(),
        })?;
    let (first_row, first_col) = range
        .start()
        .map_or((1, 0), |(r, c)| (u64::from(r) + 1, c as usize));
    Ok(WorkbookRows {
        name: format!("{name}[{chosen}]"),
        range,
        first_row,
        first_col,
        next: 0,
    })
}

/// The text Google Sheets would export for a cell.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::record::format_number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(dt) if dt.is_datetime() => sheets_datetime(dt.as_f64())
            .unwrap_or_else(|| crate::record::format_number(dt.as_f64())),
        Data::DateTime(dt) => crate::record::format_number(dt.as_f64()),
        Data::DateTimeIso(s) => sheets_datetime_iso(s).unwrap_or_else(|| s.clone()),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// An ISO 8601 date or date-time cell (as ODS stores them) written the way Sheets exports it.
fn sheets_datetime_iso(text: &str) -> Option<String> {
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return Some(sheets_civil(dt, text.contains('T') || text.contains(' ')));
    }
    let d = text.parse::<jiff::civil::Date>().ok()?;
    Some(sheets_civil(
        d.to_datetime(jiff::civil::Time::midnight()),
        false,
    ))
}

fn sheets_civil(dt: jiff::civil::DateTime, with_time: bool) -> String {
    if with_time {
        format!(
            "{}/{}/{} {}:{:02}:{:02}",
            dt.month(),
            dt.day(),
            dt.year(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )
    } else {
        format!("{}/{}/{}", dt.month(), dt.day(), dt.year())
    }
}

/// A spreadsheet serial date (days since 1899-12-30) as Sheets writes a form timestamp:
/// `M/D/YYYY H:MM:SS`, or `M/D/YYYY` for a whole day.
fn sheets_datetime(serial: f64) -> Option<String> {
    if !serial.is_finite() {
        return None;
    }
    let secs = (serial * 86_400.0).round();
    if secs.abs() > 1e12 {
        return None;
    }
    let base = jiff::civil::date(1899, 12, 30).to_datetime(jiff::civil::Time::midnight());
    let dt = base
        .checked_add(jiff::SignedDuration::from_secs(secs as i64))
        .ok()?;
    Some(sheets_civil(dt, serial.fract() != 0.0))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn serial_dates_print_like_a_sheets_export() {
        // 46097.5 is 2026-03-15 12:00.
        assert_eq!(
            sheets_datetime(46096.5).as_deref(),
            Some("3/15/2026 12:00:00")
        );
        assert_eq!(sheets_datetime(46096.0).as_deref(), Some("3/15/2026"));
        assert_eq!(
            sheets_datetime_iso("2026-03-15T09:05:33").as_deref(),
            Some("3/15/2026 9:05:33")
        );
        assert_eq!(
            sheets_datetime_iso("2026-03-15").as_deref(),
            Some("3/15/2026")
        );
        assert_eq!(sheets_datetime_iso("soon"), None);
    }
}
