//! Syntax: what parses, how it normalises, Sheets' operator precedence, references to the
//! template row, and which columns a formula reads.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::{check_all, parse};
use supportops_formula::{Formula, ParseOptions};

fn normal(formula: &str) -> String {
    parse(formula).to_string()
}

#[test]
fn normalises_spacing_case_and_literals() {
    let cases = [
        ("=sum(f2,1)", "=SUM(F2, 1)"),
        ("SUM(F2,1)", "=SUM(F2, 1)"),
        ("  =  if( f2>=4 ,1,0 )", "=IF(F2 >= 4, 1, 0)"),
        ("=IF(\n  F2 >= 4,\n  1,\n  0\n)", "=IF(F2 >= 4, 1, 0)"),
        ("=1.50e3+.5", "=1500 + 0.5"),
        ("=1E-7", "=1E-7"),
        ("=1e20", "=1E+20"),
        ("=\"say \"\"hi\"\"\"", "=\"say \"\"hi\"\"\""),
        ("=true<>False", "=TRUE <> FALSE"),
        ("=#n/a", "=#N/A"),
        ("=$f2&f2", "=$F2 & F2"),
        ("=sum(f2:c2)", "=SUM(C2:F2)"),
        ("=IF(F2,,1)", "=IF(F2,, 1)"),
        ("=IF(F2,1,)", "=IF(F2, 1,)"),
        ("=((F2))", "=((F2))"),
        ("=-(-F2)", "=-(-F2)"),
        ("=50%", "=50%"),
        ("=TRUE()", "=TRUE"),
        ("=F2\u{a0}+\u{a0}1", "=F2 + 1"),
    ];
    for (input, expected) in cases {
        assert_eq!(normal(input), expected, "normalising `{input}`");
    }
}

#[test]
fn normalised_text_parses_to_the_same_tree() {
    for input in [
        "=1+2*3",
        "=-2^2",
        "=(1+2)*3",
        "=2^3^2",
        "=\"a\"&1=\"a1\"",
        "=-50%",
        "=1--1",
    ] {
        let first = parse(input);
        let again = parse(&first.to_string());
        assert_eq!(first.ast(), again.ast(), "`{input}` → `{first}`");
    }
}

#[test]
fn precedence_follows_sheets() {
    check_all(&[
        ("=1+2*3", "7"),
        ("=(1+2)*3", "9"),
        // Unary minus binds tighter than `^`, as in Sheets and Excel.
        ("=-2^2", "4"),
        ("=0-2^2", "-4"),
        // `^` is left-associative.
        ("=2^3^2", "64"),
        ("=2^-1", "0.5"),
        // `%` binds tighter than `^`.
        ("=4^50%", "2"),
        ("=-50%", "-0.5"),
        // `&` is looser than arithmetic, comparisons loosest of all.
        ("=1+2&3", "\"33\""),
        ("=1&2=\"12\"", "TRUE"),
        ("=1<2=TRUE", "TRUE"),
        ("=2*3>5", "TRUE"),
        ("=10-4-3", "3"),
        ("=12/2/3", "2"),
        ("=+-+1", "-1"),
        ("=--\"5\"", "5"),
    ]);
}

#[test]
fn numbers_and_strings() {
    check_all(&[
        ("=1.5", "1.5"),
        ("=.5", "0.5"),
        ("=1.", "1"),
        ("=1.5e3", "1500"),
        ("=1E+2", "100"),
        ("=2e-3", "0.002"),
        ("=\"\"", "\"\""),
        ("=\"He said \"\"yes\"\"\"", "\"He said \\\"yes\\\"\""),
        ("=\"multi\nline\"", "\"multi\\nline\""),
        ("=TRUE", "TRUE"),
        ("=false", "FALSE"),
        ("=#DIV/0!", "#DIV/0!"),
    ]);
}

#[test]
fn references_name_the_template_row() {
    let opts = ParseOptions { template_row: 5 };
    let f = Formula::parse("=F5+$A5", &opts).unwrap();
    assert_eq!(f.to_string(), "=F5 + $A5");
    assert_eq!(f.columns(), &[0, 5]);
    assert!(Formula::parse("=F2", &opts).is_err());
    // Leading zeros in the row are the same row.
    assert_eq!(normal("=F02"), "=F2");
}

#[test]
fn columns_are_sorted_unique_and_include_ranges() {
    assert_eq!(parse("=F2+A2+F2").columns(), &[0, 5]);
    assert_eq!(parse("=SUM(C2:E2, AA2)").columns(), &[2, 3, 4, 26]);
    assert_eq!(parse("=1").columns(), &[] as &[usize]);
    assert_eq!(parse("=ZZZ2").columns(), &[18277]);
}

#[test]
fn function_names_with_digits_are_not_references() {
    // `LOG10(` would be a function; unsupported ones say so rather than "not a reference".
    let e = common::parse_error("=LOG10(100)");
    assert!(
        e.contains("`LOG10` is a Sheets function that a score formula cannot use"),
        "{e}"
    );
}

#[test]
fn deeply_nested_formulas_are_refused_not_overflowed() {
    let deep = format!("={}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(common::parse_error(&deep).contains("nests more than 200 levels"));
    let long_chain = format!("={}", vec!["1"; 5000].join("+"));
    assert!(common::parse_error(&long_chain).contains("nests more than 200 levels"));
    let negations = format!("={}1", "-".repeat(5000));
    assert!(common::parse_error(&negations).contains("nests more than 200 levels"));
    // A long flat argument list is fine.
    let flat = format!("=SUM({})", vec!["1"; 5000].join(","));
    assert_eq!(common::eval(&flat, &[]), "5000");
}
