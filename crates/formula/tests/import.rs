//! Cell typing on import: how text from a CSV (or any other text source) becomes a blank,
//! number, boolean, error or text cell, the way Google Sheets types a CSV it imports.

use supportops_formula::{Cell, ErrorKind, parse_number_text};

/// `input → type` lines for a table of inputs.
fn typing_table(inputs: &[&str]) -> String {
    inputs
        .iter()
        .map(|input| {
            let typed = match Cell::from_import(input) {
                Cell::Blank => "blank".to_owned(),
                Cell::Number(n) => format!("number {n}"),
                Cell::Bool(b) => format!("boolean {}", if b { "TRUE" } else { "FALSE" }),
                Cell::Text(t) => format!("text {t:?}"),
                Cell::Error(e) => format!("error {e}"),
            };
            format!("{:<24} {typed}", format!("{input:?}"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn typing_rules() {
    insta::assert_snapshot!(typing_table(&[
        "",
        " ",
        "5",
        "-1.5",
        "+5",
        ".5",
        "5.",
        "007",
        "-0",
        "1e3",
        "1E-2",
        "1,234",
        "1,234,567.89",
        "-1,234",
        "12,34",
        "1,2345",
        ",123",
        "1 234",
        "5%",
        "-12.5%",
        "$5",
        "-$5",
        "$-5",
        "$1,234.50",
        "$5%",
        "$1e3",
        "€5",
        " 5 ",
        "5\n",
        "TRUE",
        "true",
        " False ",
        "yes",
        "2024-01-15",
        "2024/1/15",
        "1/15/2024",
        "1/15/24",
        "2024-02-30",
        "15/01/2024",
        "2024-01-15 10:30",
        "1/15/2024 10:30:00",
        "1/15/2024 2:30 PM",
        "10:30",
        "12:00 AM",
        "25:00",
        "2024-01-15T10:30:00Z",
        "Jan 15, 2024",
        "1/2",
        "#N/A",
        "#value!",
        "#DIV/0!",
        "#SPILL!",
        "=1+1",
        "'5",
        "(5)",
        "5-",
        "0x1F",
        "inf",
        "NaN",
        "1_000",
        "１２",
        "It was solved",
        "  padded text  ",
    ]));
}

#[test]
fn text_keeps_its_surrounding_spaces() {
    assert_eq!(Cell::from_import("  a b "), Cell::Text("  a b "));
}

#[test]
fn blank_only_for_the_empty_string() {
    assert_eq!(Cell::from_import(""), Cell::Blank);
    assert_eq!(Cell::from_import(" "), Cell::Text(" "));
}

#[test]
fn errors_are_values() {
    assert_eq!(Cell::from_import("#N/A"), Cell::Error(ErrorKind::NA));
    assert_eq!(Cell::from_import("#REF!"), Cell::Error(ErrorKind::Ref));
}

#[test]
fn dates_are_serial_day_numbers_from_1899_12_30() {
    assert_eq!(parse_number_text("1899-12-31"), Some(1.0));
    assert_eq!(parse_number_text("1900-03-01"), Some(61.0));
    assert_eq!(parse_number_text("2024-01-15"), Some(45306.0));
    assert_eq!(parse_number_text("2024-02-29"), Some(45351.0));
    assert_eq!(parse_number_text("2023-02-29"), None);
    assert_eq!(parse_number_text("6:00"), Some(0.25));
    assert_eq!(parse_number_text("12:00 PM"), Some(0.5));
}
