//! Reading a CSV file from where an earlier read left off: a feedback sheet grows at its end,
//! so a run that knows where the last one stopped (a [`ReadMark`]: the bytes before the last
//! row read, their hash, the rows and lines they hold) hashes those bytes again and, when they
//! are the same, reads and scores only the rows from the mark on. Anything else (an edited or
//! shortened file, a workbook, a URL, standard input) is read whole, as [`load_scored`] does.
//!
//! The mark is taken at the start of the last row, not at its end, so that a last row still
//! being written (a file that does not end with a line break) is read again next time.

use std::io::Read as _;

use xxhash_rust::xxh3::Xxh3;

use crate::csv_rows::CsvRows;
pub use crate::csv_rows::ReadMark;
use crate::error::SheetError;
use crate::scoring::{OpenedSheet, Rows, ScoredSheet, Scoring, read_rows};
use crate::source::{self, CsvInput, Input, SourceSpec};
use crate::{SheetLayout, load_scored};

/// A sheet read from a mark on, or whole.
#[derive(Debug, Clone)]
pub struct ScoredTail {
    /// The rows read: those from the mark on when `resumed_from` is set, else every row.
    pub sheet: ScoredSheet,
    /// The mark reading resumed from, when the bytes before it were unchanged.
    pub resumed_from: Option<ReadMark>,
    /// Where the last row read begins, to resume from next time (CSV files only; none when the
    /// sheet has no data row).
    pub mark: Option<ReadMark>,
}

/// Reads and scores `source` from `earlier` on when the file's bytes before that mark are
/// unchanged, else whole. Call it from a blocking context, like [`load_scored`].
pub fn load_scored_after(
    source: &SourceSpec,
    layout: &SheetLayout,
    scoring: &Scoring,
    earlier: Option<&ReadMark>,
) -> Result<ScoredTail, SheetError> {
    if let (Some(mark), SourceSpec::Path(_)) = (earlier, source)
        && let Some(tail) = resume(source, layout, scoring, mark)?
    {
        return Ok(tail);
    }
    if !matches!(source, SourceSpec::Path(_)) {
        return Ok(ScoredTail {
            sheet: load_scored(source, layout, scoring)?,
            resumed_from: None,
            mark: None,
        });
    }
    read_tail(OpenedSheet::open(source, layout)?, scoring, None)
}

/// Reads on from `mark` when the file's first `mark.bytes` bytes still hash to it.
fn resume(
    source: &SourceSpec,
    layout: &SheetLayout,
    scoring: &Scoring,
    mark: &ReadMark,
) -> Result<Option<ScoredTail>, SheetError> {
    let Input::Csv(mut csv) = source::open(source)? else {
        return Ok(None);
    };
    if csv.len.is_some_and(|len| len < mark.bytes) || mark.row < u64::from(layout.header_row) {
        return Ok(None);
    }
    let mut hash = Xxh3::new();
    let mut left = mark.bytes;
    let mut buf = vec![0u8; 1 << 20];
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let n = csv
            .reader
            .read(&mut buf[..want])
            .map_err(|cause| SheetError::Read {
                name: csv.name.clone(),
                cause,
            })?;
        if n == 0 {
            return Ok(None);
        }
        hash.update(&buf[..n]);
        left -= n as u64;
    }
    if hash.digest128() != mark.hash {
        return Ok(None);
    }
    // The header row is among the bytes hashed: the same as when the mark was taken.
    let head = OpenedSheet::open(source, layout)?;
    let rest = CsvInput {
        name: csv.name,
        reader: csv.reader,
        len: None,
    };
    let opened = OpenedSheet {
        rows: Rows::Csv(CsvRows::resume(rest, *mark, hash)),
        name: head.name,
        headers: head.headers,
        columns: head.columns,
        header_row: head.header_row,
    };
    read_tail(opened, scoring, Some(*mark)).map(Some)
}

/// Reads and scores the rows `opened` has left; `resumed_from` is the mark it starts at, if any
/// (kept as the next mark when no row follows it).
fn read_tail(
    mut opened: OpenedSheet,
    scoring: &Scoring,
    resumed_from: Option<ReadMark>,
) -> Result<ScoredTail, SheetError> {
    let (responses, warnings) = read_rows(&mut opened, scoring)?;
    let mark = mark_of(&opened).or(resumed_from);
    Ok(ScoredTail {
        sheet: ScoredSheet {
            name: opened.name,
            headers: opened.headers,
            columns: opened.columns,
            responses,
            warnings,
        },
        resumed_from,
        mark,
    })
}

/// Where the last row read begins, when it is a data row of a CSV stream.
fn mark_of(opened: &OpenedSheet) -> Option<ReadMark> {
    match &opened.rows {
        Rows::Csv(rows) => rows
            .mark()
            .filter(|m| m.row >= u64::from(opened.header_row)),
        Rows::Book(_) => None,
    }
}
