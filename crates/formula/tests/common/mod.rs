//! Helpers shared by the formula tests: evaluate a formula on a row written as `COLUMN=text`
//! pairs, and show values with their type so that `1` and `"1"` differ.
#![allow(
    dead_code,
    reason = "each test file uses a different subset of the helpers"
)]
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use supportops_formula::{Cell, Formula, ParseOptions, Value, column_index, number_text};

/// Parses `formula` for template row 2, panicking with the rendered error if it does not parse.
pub fn parse(formula: &str) -> Formula {
    Formula::parse(formula, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("`{formula}` should parse:\n{}", e.render()))
}

/// The rendered parse error of `formula` (which must not parse).
pub fn parse_error(formula: &str) -> String {
    match Formula::parse(formula, &ParseOptions::default()) {
        Ok(f) => panic!("`{formula}` should not parse, but gave `{f}`"),
        Err(e) => e.render(),
    }
}

/// A row from `("F", "5")` pairs, each typed as a CSV cell on import.
pub fn row<'a>(cells: &[(&str, &'a str)]) -> Vec<Cell<'a>> {
    let mut row = Vec::new();
    for (col, text) in cells {
        let i = column_index(col).unwrap();
        if row.len() <= i {
            row.resize(i + 1, Cell::Blank);
        }
        row[i] = Cell::from_import(text);
    }
    row
}

/// A value with its type visible: numbers bare, text quoted, `(blank)` for blank.
pub fn show(value: &Value) -> String {
    match value {
        Value::Blank => "(blank)".to_owned(),
        Value::Number(n) => number_text(*n),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Value::Text(s) => format!("{s:?}"),
        Value::Error(e) => e.as_str().to_owned(),
    }
}

/// Evaluates `formula` on the row and shows the result.
pub fn eval(formula: &str, cells: &[(&str, &str)]) -> String {
    show(&parse(formula).eval(row(cells).as_slice()))
}

/// Asserts that `formula` evaluates to `expected` (as [`show`] prints it) on the row.
#[track_caller]
pub fn check(formula: &str, cells: &[(&str, &str)], expected: &str) {
    assert_eq!(
        eval(formula, cells),
        expected,
        "formula `{formula}` with cells {cells:?}"
    );
}

/// Asserts each `(formula, expected)` on an empty row.
#[track_caller]
pub fn check_all(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (formula, expected) in cases {
        let got = eval(formula, &[]);
        if got != *expected {
            failures.push(format!("{formula}: expected {expected}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
