//! The streaming scorer (block splitter + `simd-csv` + two workers) must agree with the `csv`
//! crate reader row for row, whatever the quoting, line ends, ragged rows, odd links and block
//! size — and fail alike, at the same line, on a quoted cell that never closes.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::*;
use proptest::prelude::*;
use supportops_domain::Band;
use supportops_sheet::{
    QuoteFault, ScoreOptions, SheetError, SheetLayout, WarningTally, load_scored, score_summary,
};

/// Cells that exercise the parser and the formula.
const CELLS: &[&str] = &[
    "",
    "5",
    "4",
    "1",
    " 2 ",
    "3",
    "It was solved, and I am confident in the solution",
    "it was closed as it became a stale issue",
    "It is still open",
    "Collaboration, Results, Transparency",
    "Collaboration, Efficiency",
    "say \"hi\"",
    "two\nlines",
    "crlf\r\ninside",
    "#N/A",
    "TRUE",
    "Zoë, Søren & 佐藤",
    "https://gitlab.com/a/b/-/issues/1",
    "https://gitlab.com/a/b/issues/1/",
    "https://gitlab.com/a/b/-/issues/2#note_7",
    "3/4/2026 9:05:33",
    // Odd links: upper-case hosts, ports, `www.`, `http://`, a bare `#`, unicode, spaces.
    "HTTPS://GitLab.COM/a/b/issues/1?x=1",
    "https://gitlab.com:443/a/b/issues/1#",
    "https://gitlab.com:8443/a/b/-/issues/1",
    "https://www.gitlab.com/a/b/merge_requests/3/",
    "http://gitlab.com/a/b/-/issues/1",
    "https://gitlab.com/ü/b/-/issues/1",
    "https://gitlab.com/a b/issues/1",
    " https://gitlab.com/a/b/-/issues/2 ",
    "https://exa mple.com/x#1",
    "https://gitlab.com/a/./b/issues/1",
    "ZD macro cleanup #1",
];

fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn row_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..CELLS.len(), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn streaming_agrees_with_the_csv_crate(
        rows in prop::collection::vec(row_strategy(), 0..40),
        crlf in any::<bool>(),
        bom in any::<bool>(),
        trailing_newline in any::<bool>(),
        block in 1usize..200,
        unclosed in prop::option::weighted(0.2, (0usize..40, "[a-z\n,]{0,12}")),
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let mut text = String::new();
        if bom {
            text.push('\u{feff}');
        }
        text.push_str("Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Score");
        for row in &rows {
            text.push_str(newline);
            let cells: Vec<String> = row.iter().map(|&i| field(CELLS[i])).collect();
            text.push_str(&cells.join(","));
        }
        if trailing_newline {
            text.push_str(newline);
        }
        if let Some((row, rest)) = &unclosed {
            // A cell whose closing quote is missing, in some row: the rest is inside it.
            let mut at = text.len();
            for (i, (pos, _)) in text.match_indices('\n').enumerate() {
                if i == *row {
                    at = pos;
                    break;
                }
            }
            text.insert_str(at, &format!(",\"{rest}"));
        }
        let (_dir, source) = csv_file(&text);
        let layout = SheetLayout::default();
        let scoring = handbook();
        let loaded = load_scored(&source, &layout, &scoring);
        let mut sink = Collect::default();
        let options = ScoreOptions { block_size: Some(block), ..ScoreOptions::default() };
        let streamed = supportops_sheet::score_records(&source, &layout, &scoring, &options, &mut sink);
        let (sheet, report) = match (loaded, streamed) {
            (Ok(sheet), Ok(report)) => (sheet, report),
            (Err(a), Err(b)) => {
                prop_assert!(matches!(a, SheetError::UnclosedQuote { .. }), "{a}");
                prop_assert_eq!(a.to_string(), b.to_string());
                return Ok(());
            }
            (a, b) => {
                prop_assert!(false, "csv crate: {:?}\nstreaming: {:?}", a.map(|s| s.responses.len()), b.map(|_| ()));
                unreachable!();
            }
        };
        let records = sink.records;
        let mut tally = WarningTally::default();
        for w in &sheet.warnings {
            tally.add(w);
        }
        prop_assert_eq!(&report.tally, &tally);

        prop_assert_eq!(&report.warnings, &sheet.warnings);
        prop_assert_eq!(records.len(), sheet.responses.len());
        for (r, s) in records.iter().zip(&sheet.responses) {
            prop_assert_eq!(r.row, s.response.row);
            prop_assert_eq!(&r.key, &s.response.key);
            prop_assert_eq!(&r.subject, &s.response.subject);
            prop_assert_eq!(&r.score, &s.score);
            prop_assert_eq!(r.band, s.band);
            prop_assert_eq!(r.stored.as_ref().and_then(|v| v.as_ref()), s.stored_score.as_ref());
            prop_assert_eq!(r.mismatch(), s.mismatch());
        }

        let options = ScoreOptions { block_size: Some(block), ..ScoreOptions::default() };
        let (summary, _) = score_summary(&source, &layout, &scoring, &options).unwrap();
        prop_assert_eq!(summary.rows, sheet.responses.len() as u64);
        for band in Band::ALL {
            let n = sheet.responses.iter().filter(|r| r.band == band).count() as u64;
            prop_assert_eq!(summary.count(band), n);
        }
        let mismatches = sheet.responses.iter().filter(|r| r.mismatch()).count() as u64;
        prop_assert_eq!(summary.mismatches, mismatches);
        let mut subjects: Vec<_> = sheet
            .responses
            .iter()
            .map(|r| r.response.subject.clone())
            .filter(|s| !s.is_empty())
            .collect();
        subjects.sort();
        subjects.dedup();
        prop_assert_eq!(summary.subjects, subjects.len() as u64);
    }
}

#[test]
fn only_the_asked_bands_are_counted_and_emitted() {
    let text = "Timestamp,Link,C,D,E,F\n1/1/2026 1:00:00,https://x/-/issues/1,,,,5\n1/1/2026 2:00:00,https://x/-/issues/2,,,,2\n1/1/2026 3:00:00,https://x/-/issues/3,,,,1\n";
    let (_dir, source) = csv_file(text);
    let layout = SheetLayout::default();
    let options = ScoreOptions {
        only: vec![Band::Red, Band::Error],
        ..ScoreOptions::default()
    };
    let (summary, _) = score_summary(&source, &layout, &handbook(), &options).unwrap();
    assert_eq!(summary.rows, 2);
    assert_eq!(summary.bands, [0, 0, 2, 0]);
    assert_eq!(summary.subjects, 2);
    let mut sink = Collect::default();
    supportops_sheet::score_records(&source, &layout, &handbook(), &options, &mut sink).unwrap();
    let rows: Vec<u64> = sink.records.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![3, 4]);
}

/// Scores `text` both ways with several block sizes; each must fail with an unclosed quote at
/// `line`, for `fault`.
fn both_fail_at(text: &str, line: u64, fault: QuoteFault) {
    let (_dir, source) = csv_file(text);
    let layout = SheetLayout::default();
    let check = |err: SheetError, path: &str| match err {
        SheetError::UnclosedQuote { location, fault: f } => {
            assert_eq!((location.line, f), (line, fault), "{path}");
        }
        other => panic!("{path}: {other}"),
    };
    check(
        load_scored(&source, &layout, &handbook()).unwrap_err(),
        "csv crate",
    );
    for block in [Some(7), Some(4096), None] {
        let options = ScoreOptions {
            block_size: block,
            ..ScoreOptions::default()
        };
        let mut sink = Collect::default();
        let err =
            supportops_sheet::score_records(&source, &layout, &handbook(), &options, &mut sink)
                .unwrap_err();
        check(err, &format!("streaming, block {block:?}"));
        let err = score_summary(&source, &layout, &handbook(), &options).unwrap_err();
        check(err, &format!("summary, block {block:?}"));
    }
}

#[test]
fn a_quote_left_open_is_bad_input_at_the_line_where_it_opens_not_a_short_sheet() {
    let header =
        "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Score";
    let text = format!(
        "{header}\n1/1/2026 1:00:00,https://x/-/issues/1,,,\"fine\nand closed\",5\n1/1/2026 2:00:00,https://x/-/issues/2,,,\"oops,4\n1/1/2026 3:00:00,https://x/-/issues/3,,,,1\n"
    );
    both_fail_at(&text, 4, QuoteFault::NeverClosed);
    // Without a final newline, and in the header itself.
    both_fail_at(text.trim_end(), 4, QuoteFault::NeverClosed);
    both_fail_at("Timestamp,\"Link\nC\n", 1, QuoteFault::NeverClosed);
}

#[test]
fn a_quoted_cell_swallowing_thousands_of_lines_is_bad_input_at_its_opening_line() {
    let header =
        "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Score";
    let mut text = format!("{header}\n1/1/2026 1:00:00,https://x/-/issues/1,,,\"open\n");
    for i in 0..12_000 {
        text.push_str(&format!("1/1/2026 2:00:00,https://x/-/issues/{i},,,,4\n"));
    }
    // A closing quote far below, then more rows: never a sane cell.
    text.push_str("end\",5\n1/1/2026 3:00:00,https://x/-/issues/3,,,,1\n");
    both_fail_at(&text, 2, QuoteFault::TooManyLines { limit: 10_000 });
}
