//! Every supported function: its ordinary use, its edge cases, and how it treats types and
//! errors, following Google Sheets.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::{check, check_all, eval};
use supportops_formula::Function;

const ROW: &[(&str, &str)] = &[
    ("A", "1"),
    ("B", "x"),
    ("C", "TRUE"),
    ("D", "3"),
    ("F", "#N/A"),
];

#[test]
fn every_function_is_covered_here() {
    let source = include_str!("functions.rs");
    let missing: Vec<&str> = Function::all()
        .map(Function::name)
        .filter(|name| !source.contains(&format!("={name}(")))
        .collect();
    assert!(missing.is_empty(), "functions without a test: {missing:?}");
}

#[test]
fn names_signatures_and_argument_counts_agree() {
    for f in Function::all() {
        assert_eq!(Function::from_name(f.name()), Some(f));
        assert!(
            f.signature().starts_with(&format!("{}(", f.name())),
            "{}",
            f.signature()
        );
        assert!(f.max_args().is_none_or(|max| max >= f.min_args()));
    }
    assert_eq!(Function::all().count(), 44);
}

#[test]
fn sum() {
    check_all(&[
        ("=SUM(1, 2, 3)", "6"),
        ("=SUM(1, TRUE, \"2\")", "4"),
        ("=SUM(\"x\")", "#VALUE!"),
        ("=SUM(1, 1/0)", "#DIV/0!"),
        ("=SUM(0.1, 0.2)", "0.3"),
    ]);
    // References and ranges count numbers only: text and booleans in cells are skipped.
    check("=SUM(A2:D2)", ROW, "4");
    check("=SUM(B2, C2)", ROW, "0");
    check("=SUM(A2:F2)", ROW, "#N/A");
    check("=SUM(A2, 10)", ROW, "11");
}

#[test]
fn if_ifs_iferror_ifna() {
    check_all(&[
        ("=IF(TRUE, 1, 2)", "1"),
        ("=IF(0, 1, 2)", "2"),
        ("=IF(-0.5, 1, 2)", "1"),
        ("=IF(FALSE, 1)", "FALSE"),
        ("=IF(TRUE, , 1)", "(blank)"),
        ("=IF(\"x\", 1, 2)", "#VALUE!"),
        ("=IF(\"true\", 1, 2)", "1"),
        ("=IF(\"\", 1, 2)", "2"),
        ("=IF(1/0, 1, 2)", "#DIV/0!"),
        // Only the chosen branch is evaluated.
        ("=IF(TRUE, 1, 1/0)", "1"),
        ("=IFS(FALSE, 1, TRUE, 2)", "2"),
        ("=IFS(1 > 2, \"a\", 2 > 1, \"b\", TRUE, \"c\")", "\"b\""),
        ("=IFS(FALSE, 1)", "#N/A"),
        ("=IFS(\"x\", 1)", "#VALUE!"),
        ("=IFERROR(1/0, \"none\")", "\"none\""),
        ("=IFERROR(5, \"none\")", "5"),
        ("=IFERROR(#N/A)", "(blank)"),
        ("=IFNA(#N/A, 2)", "2"),
        ("=IFNA(1/0, 2)", "#DIV/0!"),
        ("=IFNA(3, 2)", "3"),
    ]);
    check("=IF(A2, \"rated\", \"not rated\")", &[], "\"not rated\"");
}

#[test]
fn and_or_not_xor() {
    check_all(&[
        ("=AND(TRUE, 1)", "TRUE"),
        ("=AND(TRUE, 0)", "FALSE"),
        ("=AND(\"x\")", "#VALUE!"),
        ("=AND(TRUE, 1/0)", "#DIV/0!"),
        ("=AND(FALSE, 1/0)", "#DIV/0!"),
        ("=OR(FALSE, \"TRUE\")", "TRUE"),
        ("=OR(0, 0)", "FALSE"),
        ("=XOR(TRUE, TRUE)", "FALSE"),
        ("=XOR(TRUE, TRUE, TRUE)", "TRUE"),
        ("=XOR(FALSE, 1)", "TRUE"),
        ("=NOT(0)", "TRUE"),
        ("=NOT(\"x\")", "#VALUE!"),
        ("=NOT(\"\")", "TRUE"),
    ]);
    // In references, text and blanks are skipped; nothing left is #VALUE!.
    check("=AND(A2:D2)", ROW, "TRUE");
    check("=OR(B2)", ROW, "#VALUE!");
    check("=AND(E2)", ROW, "#VALUE!");
    check("=OR(A2:F2)", ROW, "#N/A");
}

#[test]
fn switch() {
    check_all(&[
        ("=SWITCH(2, 1, \"a\", 2, \"b\")", "\"b\""),
        ("=SWITCH(3, 1, \"a\", \"other\")", "\"other\""),
        ("=SWITCH(3, 1, \"a\")", "#N/A"),
        (
            "=SWITCH(\"B\", \"b\", \"matched ignoring case\")",
            "\"matched ignoring case\"",
        ),
        ("=SWITCH(1/0, 1, \"a\")", "#DIV/0!"),
    ]);
    check(
        "=SWITCH(A2, 0, \"blank is 0\", \"other\")",
        &[],
        "\"blank is 0\"",
    );
}

#[test]
fn regexmatch() {
    check_all(&[
        (
            "=REGEXMATCH(\"Collaboration, Results\", \"Results\")",
            "TRUE",
        ),
        ("=REGEXMATCH(\"abc\", \"^b\")", "FALSE"),
        ("=REGEXMATCH(\"ABC\", \"(?i)abc\")", "TRUE"),
        // Numbers and booleans are refused, as in Sheets.
        ("=REGEXMATCH(5, \"5\")", "#VALUE!"),
        ("=REGEXMATCH(TRUE, \"T\")", "#VALUE!"),
        ("=REGEXMATCH(5&\"\", \"5\")", "TRUE"),
        ("=REGEXMATCH(1/0, \"x\")", "#DIV/0!"),
    ]);
    check("=REGEXMATCH(A2, \"^$\")", &[], "TRUE");
    check("=REGEXMATCH(A2, \"1\")", ROW, "#VALUE!");
}

#[test]
fn regexmatch_with_a_pattern_from_a_cell() {
    check("=REGEXMATCH(\"abc\", A2)", &[("A", "b+")], "TRUE");
    check("=REGEXMATCH(\"abc\", A2)", &[("A", "^c")], "FALSE");
    // An invalid runtime pattern is #REF!, as Sheets reports it.
    check("=REGEXMATCH(\"abc\", A2)", &[("A", "(")], "#REF!");
    check("=REGEXMATCH(\"abc\", A2)", &[("A", "5")], "#VALUE!");
    check("=REGEXMATCH(\"abc\", \"a\"&A2)", &[("A", "b")], "TRUE");
    // The same formula serves many rows, each with its own pattern.
    let f = common::parse("=REGEXMATCH(B2, A2)");
    for (pattern, text, expected) in [("a", "cat", true), ("^c", "cat", true), ("x", "cat", false)]
    {
        let row = common::row(&[("A", pattern), ("B", text)]);
        assert_eq!(
            f.eval(row.as_slice()),
            supportops_formula::Value::Bool(expected)
        );
    }
}

#[test]
fn regexextract() {
    check_all(&[
        ("=REGEXEXTRACT(\"abc123def\", \"[0-9]+\")", "\"123\""),
        ("=REGEXEXTRACT(\"a1b2\", \"([a-z])(\\d)\")", "\"a\""),
        ("=REGEXEXTRACT(\"key=value\", \"=(.*)\")", "\"value\""),
        ("=REGEXEXTRACT(\"abc\", \"x\")", "#N/A"),
        ("=REGEXEXTRACT(\"abc\", \"(x)?b\")", "\"\""),
    ]);
}

#[test]
fn regexreplace() {
    check_all(&[
        ("=REGEXREPLACE(\"a-b-c\", \"-\", \"+\")", "\"a+b+c\""),
        (
            "=REGEXREPLACE(\"John Smith\", \"(\\w+) (\\w+)\", \"$2, $1\")",
            "\"Smith, John\"",
        ),
        ("=REGEXREPLACE(\"cost\", \"^\", \"$\")", "\"$cost\""),
        ("=REGEXREPLACE(\"abc\", \"b\", \"$0$0\")", "\"abbc\""),
        ("=REGEXREPLACE(\"abc\", \"b\", 5)", "#VALUE!"),
    ]);
    check(
        "=REGEXREPLACE(A2, \"x\", B2)",
        &[("A", "axa"), ("B", "[$0]")],
        "\"a[x]a\"",
    );
}

#[test]
fn is_functions() {
    check_all(&[
        ("=ISBLANK(\"\")", "FALSE"),
        ("=ISNUMBER(1)", "TRUE"),
        ("=ISNUMBER(\"1\")", "FALSE"),
        ("=ISTEXT(\"1\")", "TRUE"),
        ("=ISTEXT(1)", "FALSE"),
        ("=ISERROR(1/0)", "TRUE"),
        ("=ISERROR(1)", "FALSE"),
        ("=ISNA(#N/A)", "TRUE"),
        ("=ISNA(1/0)", "FALSE"),
    ]);
    check("=ISBLANK(E2)", ROW, "TRUE");
    check("=ISBLANK(A2)", ROW, "FALSE");
    check("=ISNUMBER(A2)", ROW, "TRUE");
    check("=ISNUMBER(D2)", &[("D", "2024-01-15")], "TRUE");
    check("=ISNA(F2)", ROW, "TRUE");
}

#[test]
fn text_functions() {
    check_all(&[
        ("=LEN(\"héllo\")", "5"),
        ("=LEN(123)", "3"),
        ("=LEN(TRUE)", "4"),
        ("=LEN(\"\")", "0"),
        ("=LOWER(\"ÀB c\")", "\"àb c\""),
        ("=UPPER(\"straße\")", "\"STRASSE\""),
        ("=UPPER(1.5)", "\"1.5\""),
        ("=TRIM(\"  a   b  \")", "\"a b\""),
        ("=TRIM(\"a\nb\")", "\"a\\nb\""),
        ("=VALUE(\"1,234.5\")", "1234.5"),
        ("=VALUE(\"50%\")", "0.5"),
        ("=VALUE(\"$-5\")", "-5"),
        ("=VALUE(\"2024-01-15 12:00\")", "45306.5"),
        ("=VALUE(\"abc\")", "#VALUE!"),
        ("=VALUE(TRUE)", "1"),
        ("=LEFT(\"abc\")", "\"a\""),
        ("=LEFT(\"abc\", 2)", "\"ab\""),
        ("=LEFT(\"abc\", 10)", "\"abc\""),
        ("=LEFT(\"abc\", 1.9)", "\"a\""),
        ("=LEFT(\"abc\", -1)", "#VALUE!"),
        ("=LEFT(\"ñandú\", 2)", "\"ña\""),
        ("=RIGHT(\"abc\", 2)", "\"bc\""),
        ("=RIGHT(\"abc\")", "\"c\""),
        ("=RIGHT(\"abc\", 0)", "\"\""),
        ("=MID(\"abcdef\", 2, 3)", "\"bcd\""),
        ("=MID(\"abc\", 5, 1)", "\"\""),
        ("=MID(\"abc\", 0, 1)", "#VALUE!"),
        ("=MID(\"abc\", 1, -1)", "#VALUE!"),
        ("=SEARCH(\"B\", \"abc\")", "2"),
        ("=SEARCH(\"a\", \"banana\", 3)", "4"),
        ("=SEARCH(\"x\", \"abc\")", "#VALUE!"),
        ("=SEARCH(\"\", \"abc\")", "1"),
        ("=SEARCH(\"a\", \"abc\", 0)", "#VALUE!"),
        ("=SEARCH(\"É\", \"café\")", "4"),
        ("=FIND(\"b\", \"abc\")", "2"),
        ("=FIND(\"B\", \"abc\")", "#VALUE!"),
        ("=FIND(\"c\", \"abc\", 4)", "#VALUE!"),
        ("=SUBSTITUTE(\"aaa\", \"a\", \"b\")", "\"bbb\""),
        ("=SUBSTITUTE(\"aaa\", \"a\", \"b\", 2)", "\"aba\""),
        ("=SUBSTITUTE(\"aaa\", \"a\", \"b\", 5)", "\"aaa\""),
        ("=SUBSTITUTE(\"aAa\", \"A\", \"b\")", "\"aba\""),
        ("=SUBSTITUTE(\"abc\", \"\", \"x\")", "\"abc\""),
        ("=SUBSTITUTE(\"abc\", \"a\", \"b\", 0)", "#VALUE!"),
        ("=CONCATENATE(\"a\", 1, TRUE)", "\"a1TRUE\""),
        ("=TEXTJOIN(\"-\", TRUE, \"a\", \"\", \"b\")", "\"a-b\""),
        ("=TEXTJOIN(\"-\", FALSE, \"a\", \"\", \"b\")", "\"a--b\""),
        ("=EXACT(\"a\", \"A\")", "FALSE"),
        ("=EXACT(1, \"1\")", "TRUE"),
    ]);
    check("=CONCATENATE(A2:D2)", ROW, "\"1xTRUE3\"");
    check("=TEXTJOIN(\", \", TRUE, A2:E2)", ROW, "\"1, x, TRUE, 3\"");
    check(
        "=TEXTJOIN(\", \", FALSE, A2:E2)",
        ROW,
        "\"1, x, TRUE, 3, \"",
    );
    check("=CONCATENATE(A2:F2)", ROW, "#N/A");
}

#[test]
fn statistics() {
    check_all(&[
        ("=MAX(1, 5, 3)", "5"),
        ("=MAX(-1, \"-5\")", "-1"),
        ("=MIN(4, 2, 8)", "2"),
        ("=AVERAGE(1, 2)", "1.5"),
        ("=AVERAGE(\"x\")", "#VALUE!"),
        ("=COUNT(1, \"2\", \"x\", TRUE)", "3"),
        ("=COUNT(1/0, 1)", "1"),
        ("=COUNTA(1, \"\", \"x\")", "3"),
    ]);
    check("=MAX(B2:C2)", ROW, "0");
    check("=MIN(A2:D2)", ROW, "1");
    check("=AVERAGE(A2:E2)", ROW, "2");
    check("=AVERAGE(B2:C2)", ROW, "#DIV/0!");
    check("=COUNT(A2:F2)", ROW, "2");
    check("=COUNTA(A2:F2)", ROW, "5");
}

#[test]
fn countif() {
    let row = &[
        ("A", "5"),
        ("B", "3"),
        ("C", "apple"),
        ("D", "Apricot"),
        ("E", ""),
        ("F", "TRUE"),
    ];
    for (formula, expected) in [
        ("=COUNTIF(A2:F2, 5)", "1"),
        ("=COUNTIF(A2:F2, \">=3\")", "2"),
        ("=COUNTIF(A2:F2, \"<4\")", "1"),
        ("=COUNTIF(A2:F2, \"<>5\")", "5"),
        ("=COUNTIF(A2:F2, \"ap*\")", "2"),
        ("=COUNTIF(A2:F2, \"APPLE\")", "1"),
        ("=COUNTIF(A2:F2, \"a?ple\")", "1"),
        ("=COUNTIF(A2:F2, \"<b\")", "2"),
        ("=COUNTIF(A2:F2, \"\")", "1"),
        ("=COUNTIF(A2:F2, \"<>\")", "5"),
        ("=COUNTIF(A2:F2, TRUE)", "1"),
        ("=COUNTIF(A2:F2, \"*\")", "2"),
        ("=COUNTIF(A2, \">4\")", "1"),
        ("=COUNTIF(A2:F2, 1/0)", "#DIV/0!"),
    ] {
        check(formula, row, expected);
    }
    check("=COUNTIF(A2, \"~*\")", &[("A", "*")], "1");
    check("=COUNTIF(A2, \"~*\")", &[("A", "x")], "0");
}

#[test]
fn math() {
    check_all(&[
        ("=ABS(-2.5)", "2.5"),
        ("=ABS(\"-3\")", "3"),
        ("=INT(1.9)", "1"),
        ("=INT(-1.5)", "-2"),
        ("=MOD(5, 3)", "2"),
        ("=MOD(-1, 3)", "2"),
        ("=MOD(5, -3)", "-1"),
        ("=MOD(5.5, 1)", "0.5"),
        ("=MOD(5, 0)", "#DIV/0!"),
        ("=ROUND(2.5)", "3"),
        ("=ROUND(-2.5)", "-3"),
        ("=ROUND(2.675, 2)", "2.68"),
        ("=ROUND(1234.5, -2)", "1200"),
        ("=ROUND(1.005, 2)", "1.01"),
        ("=ROUND(0.1 * 3, 1)", "0.3"),
        ("=ROUND(1E-20, 25)", "1E-20"),
        ("=ROUND(5, -400)", "0"),
        ("=ROUNDUP(1.21, 1)", "1.3"),
        ("=ROUNDUP(-1.21, 1)", "-1.3"),
        ("=ROUNDUP(0.1 * 3, 1)", "0.3"),
        ("=ROUNDDOWN(1.29, 1)", "1.2"),
        ("=ROUNDDOWN(-1.29, 1)", "-1.2"),
        ("=ROUNDDOWN(1999, -3)", "1000"),
    ]);
}

#[test]
fn function_names_ignore_case() {
    assert_eq!(eval("=sum(1, 2)", &[]), "3");
    assert_eq!(eval("=RegexMatch(\"a\", \"a\")", &[]), "TRUE");
}
