//! The what-if pass ([`score_compare`]) must agree row for row with scoring the sheet twice,
//! whatever the quoting, line ends, blank rows and block size, and for workbooks.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::*;
use proptest::prelude::*;
use supportops_domain::formula_change::{ExampleRow, WhatIf, WhatIfBuilder};
use supportops_formula::{Formula, ParseOptions};
use supportops_sheet::{
    CompareOptions, Scoring, SheetLayout, SourceSpec, load_scored, score_compare, value_text,
};

/// Cells that move rows between bands under the two formulas.
const CELLS: &[&str] = &[
    "",
    "5",
    "4",
    "3",
    "1",
    "It was solved, and I am confident in the solution",
    "It was not solved",
    "Collaboration, Results, Transparency",
    "two\nlines, \"quoted\"",
    "#N/A",
    "https://gitlab.com/a/b/-/issues/1",
    "https://gitlab.com/a/b/issues/1/",
    "https://gitlab.com/a/b/-/issues/2#note_7",
    "3/4/2026 9:05:33",
];

fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn rating_only() -> Scoring {
    let f = Formula::parse(
        "=IF(F2 >= 4, 2, IF(F2 = 3, 1, 0))",
        &ParseOptions::default(),
    );
    Scoring::new(f.unwrap(), Default::default())
}

/// The what-if built by scoring the sheet twice with the materialising loader.
fn twice(source: &SourceSpec, examples: usize) -> WhatIf {
    let layout = SheetLayout::default();
    let before = load_scored(source, &layout, &handbook()).unwrap();
    let after = load_scored(source, &layout, &rating_only()).unwrap();
    let mut w = WhatIfBuilder::new(examples);
    for (b, a) in before.responses.iter().zip(&after.responses) {
        assert_eq!(b.response.row, a.response.row);
        let r = &b.response;
        let subject = (!r.subject_raw.trim().is_empty()).then_some(&r.subject);
        w.add(b.band, a.band, subject, || ExampleRow {
            row: r.row,
            subject: r.subject_raw.clone(),
            score_before: value_text(&b.score),
            score_after: value_text(&a.score),
        });
    }
    w.finish()
}

fn compare(source: &SourceSpec, examples: usize, block: Option<usize>) -> WhatIf {
    let options = CompareOptions {
        examples,
        block_size: block,
        ..CompareOptions::default()
    };
    let layout = SheetLayout::default();
    score_compare(source, &layout, &handbook(), &rating_only(), &options)
        .unwrap()
        .0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn compare_agrees_with_scoring_twice(
        rows in prop::collection::vec(prop::collection::vec(0..CELLS.len(), 1..10), 0..40),
        crlf in any::<bool>(),
        block in 1usize..200,
        examples in 0usize..4,
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from("Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Score");
        for row in &rows {
            text.push_str(newline);
            let cells: Vec<String> = row.iter().map(|&i| field(CELLS[i])).collect();
            text.push_str(&cells.join(","));
        }
        text.push_str(newline);
        let (_dir, source) = csv_file(&text);
        prop_assert_eq!(compare(&source, examples, Some(block)), twice(&source, examples));
    }
}

#[test]
fn the_sample_sheet_and_workbook_agree_with_scoring_twice() {
    for name in ["feedback.csv", "feedback.xlsx"] {
        let source = SourceSpec::parse(examples(name).to_str().unwrap()).unwrap();
        let expected = twice(&source, usize::MAX);
        assert!(expected.transitions.changed() > 50, "{name}");
        assert_eq!(compare(&source, usize::MAX, None), expected, "{name}");
    }
}

#[test]
fn a_quote_left_open_stops_the_what_if_at_the_line_where_it_opens() {
    let header =
        "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Score";
    let text = format!(
        "{header}\n1/1/2026 1:00:00,https://x/-/issues/1,,,\"fine\nand closed\",5\n1/1/2026 2:00:00,https://x/-/issues/2,,,\"oops,4\n1/1/2026 3:00:00,https://x/-/issues/3,,,,1\n"
    );
    let (_dir, source) = csv_file(&text);
    for block in [Some(7), Some(4096), None] {
        let options = CompareOptions {
            block_size: block,
            ..CompareOptions::default()
        };
        let err = score_compare(
            &source,
            &SheetLayout::default(),
            &handbook(),
            &rating_only(),
            &options,
        )
        .unwrap_err();
        match err {
            supportops_sheet::SheetError::UnclosedQuote { location, .. } => {
                assert_eq!(location.line, 4, "block {block:?}");
            }
            other => panic!("block {block:?}: {other}"),
        }
    }
}
