//! Reading a grown CSV file on from where the last read stopped: the rows from the mark on are
//! the same (numbers, lines, warnings, scores) as a whole read gives, and a file changed before
//! the mark is read whole.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::*;
use supportops_sheet::{SheetLayout, SourceSpec, load_scored, load_scored_after};

const HEAD: &str = "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating\n";

fn row(n: usize, rating: u8) -> String {
    format!(
        "12/{}/2025 9:00:00,https://gitlab.com/a/b/-/issues/{n},It is still open,\"Results, Efficiency\",\"said \"\"hi\"\"\nover two lines\",{rating}\n",
        n % 28 + 1
    )
}

fn write(source: &SourceSpec, text: &str) {
    let SourceSpec::Path(path) = source else {
        unreachable!()
    };
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_grown_file_is_read_from_its_last_row_on_as_a_whole_read_reads_it() {
    let layout = SheetLayout::default();
    let scoring = handbook();
    let mut text = HEAD.to_owned();
    for n in 0..40 {
        text.push_str(&row(n, (n % 5) as u8 + 1));
    }
    let (_dir, source) = csv_file(&text);
    let first = load_scored_after(&source, &layout, &scoring, None).unwrap();
    assert!(first.resumed_from.is_none());
    assert_eq!(first.sheet.responses.len(), 40);
    let mark = first.mark.unwrap();
    assert_eq!(mark.row, 40, "the mark is before the last row");

    // Rows appended, one of them ragged (a warning with its line).
    for n in 40..45 {
        text.push_str(&row(n, 1));
    }
    text.push_str("12/9/2025 9:00:00,https://gitlab.com/a/b/-/issues/99,ragged\n");
    write(&source, &text);
    let whole = load_scored(&source, &layout, &scoring).unwrap();
    let tail = load_scored_after(&source, &layout, &scoring, Some(&mark)).unwrap();
    assert_eq!(tail.resumed_from, Some(mark));
    assert_eq!(tail.sheet.headers.names(), whole.headers.names());
    let rows: Vec<u64> = tail
        .sheet
        .responses
        .iter()
        .map(|r| r.response.row)
        .collect();
    assert_eq!(rows, (41..=47).collect::<Vec<_>>());
    assert_eq!(
        tail.sheet.responses.as_slice(),
        &whole.responses[whole.responses.len() - 7..]
    );
    assert_eq!(tail.sheet.warnings, whole.warnings);
    assert!(
        whole.warnings[0].location.line > 80,
        "multi-line cells counted"
    );

    // Nothing new: only the last row is read again.
    let again = load_scored_after(&source, &layout, &scoring, tail.mark.as_ref()).unwrap();
    assert!(again.resumed_from.is_some());
    assert_eq!(again.sheet.responses.len(), 1);
    assert_eq!(again.sheet.responses[0].response.row, 47);
}

#[test]
fn a_last_row_without_a_line_break_is_read_again_when_it_grows() {
    let layout = SheetLayout::default();
    let scoring = handbook();
    let mut text = HEAD.to_owned();
    text.push_str(&row(1, 5));
    text.push_str(
        "12/3/2025 9:00:00,https://gitlab.com/a/b/-/issues/3,It is still open,Results,,4",
    );
    let (_dir, source) = csv_file(&text);
    let first = load_scored_after(&source, &layout, &scoring, None).unwrap();
    // The last cell was still being written: `4` became `1`.
    text.push_str("1\n");
    write(&source, &text);
    let tail = load_scored_after(&source, &layout, &scoring, first.mark.as_ref()).unwrap();
    assert!(tail.resumed_from.is_some());
    assert_eq!(tail.sheet.responses.len(), 1);
    assert_eq!(
        tail.sheet.responses[0].response.cells[5], "41",
        "the grown cell is read whole"
    );
}

#[test]
fn a_file_changed_before_the_mark_is_read_whole() {
    let layout = SheetLayout::default();
    let scoring = handbook();
    let mut text = HEAD.to_owned();
    for n in 0..10 {
        text.push_str(&row(n, 5));
    }
    let (_dir, source) = csv_file(&text);
    let first = load_scored_after(&source, &layout, &scoring, None).unwrap();
    let edited = text.replacen("issues/2,", "issues/7,", 1);
    assert_ne!(edited, text);
    write(&source, &edited);
    let read = load_scored_after(&source, &layout, &scoring, first.mark.as_ref()).unwrap();
    assert!(read.resumed_from.is_none());
    assert_eq!(read.sheet.responses.len(), 10);
    // Shorter than the mark: read whole too.
    write(&source, HEAD);
    let read = load_scored_after(&source, &layout, &scoring, first.mark.as_ref()).unwrap();
    assert!(read.resumed_from.is_none());
    assert!(read.sheet.responses.is_empty());
    assert!(read.mark.is_none(), "no data row, no mark");
}
