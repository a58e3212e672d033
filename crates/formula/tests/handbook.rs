//! The handbook's scoring formula on the rows Support Ops actually sees: every term, blank and
//! textual ratings, the company values in another order, lower-case resolutions, multi-line and
//! non-ASCII cells.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::{parse, row, show};
use supportops_formula::{Cell, ErrorKind, Formula, Value};

/// The default score formula (`supportops_config::HANDBOOK_FORMULA`), as the sheet has it.
const HANDBOOK: &str = r#"=SUM(IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0)), IF(REGEXMATCH(D2, "Collaboration.*Results.*Transparency"), 1, 0), IF(C2 = "It was solved, and I feel this will dramatically improve my use of Zendesk", 1, IF(C2 = "It was solved, and I am confident in the solution", 1, IF(C2 = "It was closed as it became a stale issue", 1, 0))))"#;

const ALL_VALUES: &str = "Collaboration, Results, Efficiency, Diversity, Iteration, Transparency";
const CONFIDENT: &str = "It was solved, and I am confident in the solution";

fn score(cells: &[(&str, &str)]) -> String {
    show(&parse(HANDBOOK).eval(row(cells).as_slice()))
}

/// The three terms' values, for rows where the total alone would hide which term moved.
fn terms(cells: &[(&str, &str)]) -> Vec<String> {
    parse(HANDBOOK)
        .explain(row(cells).as_slice())
        .iter()
        .map(|t| show(&t.value))
        .collect()
}

#[test]
fn normalises_to_itself_and_reads_c_d_f() {
    let f = parse(HANDBOOK);
    assert_eq!(f.to_string(), HANDBOOK);
    assert_eq!(f.columns(), &[2, 3, 5]);
}

#[test]
fn a_fully_happy_response_scores_three() {
    assert_eq!(
        score(&[("C", CONFIDENT), ("D", ALL_VALUES), ("F", "5")]),
        "3"
    );
}

#[test]
fn rating_terms_follow_the_thresholds() {
    let rating = |r: &str| terms(&[("F", r)])[0].clone();
    assert_eq!(rating("5"), "1");
    assert_eq!(rating("4"), "1");
    assert_eq!(rating("3"), "0");
    assert_eq!(rating("2"), "0");
    assert_eq!(rating("1"), "-1");
    assert_eq!(rating("0"), "-1");
}

#[test]
fn blank_rating_counts_as_zero_so_the_rating_term_is_minus_one() {
    assert_eq!(
        terms(&[("C", CONFIDENT), ("D", ALL_VALUES)]),
        ["-1", "1", "1"]
    );
    assert_eq!(score(&[]), "-1");
}

#[test]
fn rating_typed_by_import_is_a_number() {
    // " 5 " and "5.0" are numbers once typed as Sheets types a CSV cell.
    assert_eq!(terms(&[("F", " 5 ")])[0], "1");
    assert_eq!(terms(&[("F", "5.0")])[0], "1");
}

#[test]
fn rating_held_as_text_compares_greater_than_any_number() {
    // Sheets orders numbers < text < booleans: a rating stored as *text* "1" is >= 4.
    let f = parse(HANDBOOK);
    let mut cells = vec![Cell::Blank; 6];
    cells[5] = Cell::Text("1");
    assert_eq!(show(&f.explain(cells.as_slice())[0].value), "1");
    cells[5] = Cell::Text("five");
    assert_eq!(show(&f.explain(cells.as_slice())[0].value), "1");
}

#[test]
fn values_must_appear_in_the_order_of_the_pattern() {
    assert_eq!(terms(&[("D", ALL_VALUES)])[1], "1");
    assert_eq!(
        terms(&[("D", "Transparency, Results, Collaboration")])[1],
        "0"
    );
    assert_eq!(terms(&[("D", "Collaboration, Transparency")])[1], "0");
    // REGEXMATCH is case-sensitive, unlike `=`.
    assert_eq!(
        terms(&[("D", "collaboration, results, transparency")])[1],
        "0"
    );
}

#[test]
fn resolution_comparison_ignores_case() {
    let lower = "it was solved, and i am confident in the solution";
    assert_eq!(terms(&[("C", lower)])[2], "1");
    assert_eq!(
        terms(&[("C", "IT WAS CLOSED AS IT BECAME A STALE ISSUE")])[2],
        "1"
    );
    assert_eq!(
        terms(&[(
            "C",
            "It was solved, and I feel this will dramatically improve my use of Zendesk"
        )])[2],
        "1"
    );
    assert_eq!(terms(&[("C", "It was not solved")])[2], "0");
    // A trailing space makes it different text, as in Sheets.
    assert_eq!(
        terms(&[("C", "It was solved, and I am confident in the solution ")])[2],
        "0"
    );
}

#[test]
fn multi_line_values_cell_does_not_match_because_dot_stops_at_newlines() {
    // RE2's `.` does not match `\n`, so values listed one per line do not match the pattern.
    assert_eq!(
        terms(&[("D", "Collaboration\nResults\nTransparency")])[1],
        "0"
    );
    assert_eq!(
        terms(&[("D", "Collaboration, Results, Transparency\nand more")])[1],
        "1"
    );
}

#[test]
fn non_ascii_cells() {
    assert_eq!(
        terms(&[("D", "Collaboration 🤝 Results — Transparency ✨")])[1],
        "1"
    );
    assert_eq!(
        terms(&[("C", "It was solved, and I am confident in the solution ✅")])[2],
        "0"
    );
    assert_eq!(
        terms(&[("C", "İt was solved, and I am confident in the solution")])[2],
        "0"
    );
    // A full-width digit is text, and text is greater than 4.
    assert_eq!(terms(&[("F", "５")])[0], "1");
}

#[test]
fn a_number_in_the_values_column_is_a_value_error() {
    // REGEXMATCH refuses numbers in Sheets: the whole score is #VALUE!.
    assert_eq!(score(&[("D", "3"), ("F", "5")]), "#VALUE!");
}

#[test]
fn an_error_cell_propagates() {
    assert_eq!(score(&[("F", "#N/A")]), "#N/A");
    assert_eq!(terms(&[("F", "#N/A")]), ["#N/A", "0", "0"]);
}

#[test]
fn explain_names_each_term() {
    let f = parse(HANDBOOK);
    let explained = f.explain(row(&[("F", "4")]).as_slice());
    let sources: Vec<&str> = explained.iter().map(|t| t.source.as_str()).collect();
    assert_eq!(sources[0], "IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0))");
    assert_eq!(
        sources[1],
        r#"IF(REGEXMATCH(D2, "Collaboration.*Results.*Transparency"), 1, 0)"#
    );
    assert!(sources[2].starts_with("IF(C2 = \"It was solved, and I feel"));
    assert_eq!(explained[0].value, Value::Number(1.0));
}

#[test]
fn explain_of_a_formula_without_sum_is_the_whole_formula() {
    let f = parse("=IF(F2 > 3, \"good\", \"bad\")");
    let explained = f.explain(row(&[("F", "4")]).as_slice());
    assert_eq!(explained.len(), 1);
    assert_eq!(explained[0].source, "IF(F2 > 3, \"good\", \"bad\")");
    assert_eq!(explained[0].value, Value::Text("good".into()));
}

#[test]
fn explain_of_references_shows_what_they_add() {
    let f = parse("=SUM(A2:C2, D2, 1)");
    let explained = f.explain(row(&[("A", "1"), ("B", "x"), ("C", "2"), ("D", "TRUE")]).as_slice());
    let values: Vec<String> = explained.iter().map(|t| show(&t.value)).collect();
    assert_eq!(values, ["3", "0", "1"]);
}

#[test]
fn formula_is_send_sync_and_clone_and_evaluates_on_threads() {
    fn assert_traits<T: Send + Sync + Clone>() {}
    assert_traits::<Formula>();
    let f = parse(HANDBOOK);
    let scores: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = ["5", "1"]
            .map(|rating| {
                let f = f.clone();
                s.spawn(move || f.eval(row(&[("F", rating)]).as_slice()))
            })
            .into_iter()
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(scores, [Value::Number(1.0), Value::Number(-1.0)]);
    assert_eq!(
        f.eval(row(&[("F", "#DIV/0!")]).as_slice()),
        Value::Error(ErrorKind::Div0)
    );
}
