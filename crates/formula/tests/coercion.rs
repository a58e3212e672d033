//! Sheets' coercion and comparison rules, one test per rule: numbers, text, booleans, blanks
//! and errors meeting operators.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::{check, check_all, parse, show};
use supportops_formula::Cell;

#[test]
fn arithmetic_coerces_booleans_blanks_and_numeric_text() {
    check_all(&[
        ("=1+TRUE", "2"),
        ("=FALSE*5", "0"),
        ("=\"1\"+\"2\"", "3"),
        ("=\"1,234\"+1", "1235"),
        ("=\"5%\"*100", "5"),
        ("=\"$5\"+0", "5"),
        ("=\" 5 \"+0", "5"),
        ("=\"1e3\"+0", "1000"),
        ("=\"2024-01-15\"+0", "45306"),
        // Sheets reads the empty text as 0 (Excel says #VALUE!).
        ("=\"\"+1", "1"),
        ("=\"abc\"+1", "#VALUE!"),
        ("=-\"abc\"", "#VALUE!"),
        ("=\"abc\"%", "#VALUE!"),
    ]);
    check("=A2+1", &[], "1");
    check("=A2*2", &[("A", "")], "0");
}

#[test]
fn unary_plus_returns_its_operand_unchanged() {
    check_all(&[
        ("=+\"abc\"", "\"abc\""),
        ("=+TRUE", "TRUE"),
        ("=-TRUE", "-1"),
    ]);
}

#[test]
fn arithmetic_errors() {
    check_all(&[
        ("=1/0", "#DIV/0!"),
        ("=0/0", "#DIV/0!"),
        ("=(-1)^0.5", "#NUM!"),
        ("=0^-1", "#DIV/0!"),
        // Sheets: 0^0 is 1 (Excel says #NUM!).
        ("=0^0", "1"),
        ("=10^400", "#NUM!"),
        ("=1E308*10", "#NUM!"),
        ("=(-8)^(1/3)", "#NUM!"),
        ("=(-2)^3", "-8"),
    ]);
}

#[test]
fn negative_zero_is_zero() {
    check_all(&[("=-0", "0"), ("=0*-1", "0"), ("=-0&\"\"", "\"0\"")]);
    assert_eq!(
        parse("=-0").eval(&[][..]),
        supportops_formula::Value::Number(0.0)
    );
    assert!(
        matches!(parse("=0*-1").eval(&[][..]), supportops_formula::Value::Number(n) if n.is_sign_positive())
    );
}

#[test]
fn concatenation_shows_numbers_as_sheets_does() {
    check_all(&[
        ("=1&2", "\"12\""),
        ("=TRUE&\"\"", "\"TRUE\""),
        ("=1.5&\"\"", "\"1.5\""),
        ("=-1.5&\"\"", "\"-1.5\""),
        ("=0.1+0.2&\"\"", "\"0.3\""),
        ("=1/3&\"\"", "\"0.333333333333333\""),
        ("=2/3&\"\"", "\"0.666666666666667\""),
        ("=123456789012345&\"\"", "\"123456789012345\""),
        ("=10^15&\"\"", "\"1E+15\""),
        ("=1.5E20&\"\"", "\"1.5E+20\""),
        ("=0.0001&\"\"", "\"0.0001\""),
        ("=1E-10&\"\"", "\"1E-10\""),
        ("=#N/A&\"x\"", "#N/A"),
    ]);
    check("=A2&\"x\"&B2", &[("B", "2024-01-15")], "\"x45306\"");
}

#[test]
fn text_equality_ignores_case_in_place() {
    check_all(&[
        ("=\"abc\"=\"ABC\"", "TRUE"),
        ("=\"École\"=\"éCOLE\"", "TRUE"),
        ("=\"ÀÉÎ ĞÜŞ\"=\"àéî ğüş\"", "TRUE"),
        ("=\"straße\"=\"STRASSE\"", "FALSE"),
        ("=\"abc\"<>\"ABD\"", "TRUE"),
        ("=\"a\"<\"B\"", "TRUE"),
        ("=\"B\"<\"a\"", "FALSE"),
        ("=\"abc\"<\"abcd\"", "TRUE"),
        ("=\"Zebra\">\"apple\"", "TRUE"),
        ("=EXACT(\"abc\",\"ABC\")", "FALSE"),
    ]);
}

#[test]
fn different_types_order_numbers_then_text_then_booleans() {
    check_all(&[
        ("=1<\"a\"", "TRUE"),
        ("=99999<\"\"", "TRUE"),
        ("=\"5\"=5", "FALSE"),
        ("=\"5\">5", "TRUE"),
        ("=\"zzz\"<TRUE", "TRUE"),
        ("=FALSE>1000", "TRUE"),
        ("=TRUE=1", "FALSE"),
        ("=TRUE>FALSE", "TRUE"),
    ]);
}

#[test]
fn blank_compares_as_zero_empty_text_or_false() {
    let empty: &[(&str, &str)] = &[];
    for (formula, expected) in [
        ("=A2=0", "TRUE"),
        ("=A2<1", "TRUE"),
        ("=A2>-1", "TRUE"),
        ("=A2=\"\"", "TRUE"),
        ("=A2<\"a\"", "TRUE"),
        ("=A2=FALSE", "TRUE"),
        ("=A2<TRUE", "TRUE"),
        ("=A2=B2", "TRUE"),
        ("=A2=\" \"", "FALSE"),
    ] {
        check(formula, empty, expected);
    }
}

#[test]
fn numbers_compare_to_fifteen_significant_digits() {
    check_all(&[
        ("=0.1+0.2=0.3", "TRUE"),
        ("=0.1+0.2-0.3=0", "FALSE"),
        ("=1/3*3=1", "TRUE"),
        ("=1=1.000000000001", "FALSE"),
        ("=0.3<0.1+0.2", "FALSE"),
    ]);
}

#[test]
fn errors_propagate_left_first() {
    check_all(&[
        ("=#N/A=1", "#N/A"),
        ("=1/0+#N/A", "#DIV/0!"),
        ("=#N/A+1/0", "#N/A"),
        ("=\"x\"+1/0", "#VALUE!"),
        ("=1<#REF!", "#REF!"),
        ("=-#NUM!", "#NUM!"),
    ]);
    check("=A2+1", &[("A", "#VALUE!")], "#VALUE!");
}

#[test]
fn a_reference_to_a_blank_cell_is_blank() {
    check("=A2", &[], "(blank)");
    check("=IF(TRUE, A2)", &[], "(blank)");
    check("=A2", &[("A", "x")], "\"x\"");
}

#[test]
fn cells_keep_their_type() {
    let f = parse("=ISTEXT(A2)&ISNUMBER(A2)");
    assert_eq!(show(&f.eval(&[Cell::Text("5")][..])), "\"TRUEFALSE\"");
    assert_eq!(show(&f.eval(&[Cell::Number(5.0)][..])), "\"FALSETRUE\"");
    // Arithmetic still reads numeric text.
    assert_eq!(show(&parse("=A2*2").eval(&[Cell::Text("5")][..])), "10");
}

#[test]
fn built_text_is_limited_to_fifty_thousand_characters() {
    let long = "a".repeat(30_000);
    check("=LEN(A2)", &[("A", &long)], "30000");
    check("=A2&A2", &[("A", &long)], "#VALUE!");
    check("=CONCATENATE(A2, A2)", &[("A", &long)], "#VALUE!");
    check("=LEN(A2&LEFT(A2, 20000))", &[("A", &long)], "50000");
}
