//! Parse errors render like a compiler's: the formula, a caret under the fault, and a sentence
//! saying what is wrong and what would be right. One snapshot per family of mistakes.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use supportops_formula::{Formula, ParseOptions};

/// Every formula's rendered error, one after the other.
fn render_all(formulas: &[&str]) -> String {
    formulas
        .iter()
        .map(|f| match Formula::parse(f, &ParseOptions::default()) {
            Ok(ok) => panic!("`{f}` should not parse, but gave `{ok}`"),
            Err(e) => {
                assert!(e.span.end <= f.len(), "span {:?} outside `{f}`", e.span);
                e.render()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn references_that_cannot_mean_this_row() {
    insta::assert_snapshot!(
        "references",
        render_all(&[
            "=F3",
            "=SUM(F2, G10)",
            "=F$2",
            "=$F$2 + 1",
            "=SUM(F:F)",
            "=SUM(F2:F)",
            "=SUM(2:2)",
            "=SUM(C2:C9)",
            "=Sheet1!F2",
            "='My sheet'!F2",
            "=F0",
            "=score",
        ])
    );
}

#[test]
fn functions_unknown_unsupported_or_miscounted() {
    insta::assert_snapshot!(
        "functions",
        render_all(&[
            "=REGEXMTCH(D2, \"x\")",
            "=sumif(F2, 1)",
            "=FOO(1)",
            "=VLOOKUP(B2, A2:C2, 2)",
            "=IF(F2 >= 4, 1, 0, 2)",
            "=IF(F2)",
            "=NOT()",
            "=IFS(F2 > 1, 1, F2 > 2)",
            "=SUM",
            "=TRUE(1)",
            "=COUNTIF(1, 1)",
            "=IF(C2:F2, 1, 0)",
            "=LEN(C2:F2)",
        ])
    );
}

#[test]
fn regular_expressions_checked_at_parse_time() {
    insta::assert_snapshot!(
        "regex",
        render_all(&[
            "=REGEXMATCH(D2, \"Collaboration.*(Results\")",
            "=REGEXMATCH(D2, \"\\p{L}+\")",
            "=REGEXMATCH(D2, \"(a)\\1\")",
            "=REGEXMATCH(D2, \"(?=a)\")",
            "=REGEXEXTRACT(D2, 5)",
            "=REGEXREPLACE(D2, \"[\", \"x\")",
        ])
    );
}

#[test]
fn syntax_slips() {
    insta::assert_snapshot!(
        "syntax",
        render_all(&[
            "",
            "=",
            "=1 +",
            "=(1 + 2",
            "=SUM(1, 2",
            "=SUM(1 2)",
            "=1 + 2)",
            "=1 2",
            "=\"It was solved",
            "=C2 = “It was solved”",
            "=SUM(1; 2)",
            "=F2 == 5",
            "=F2 != 5",
            "=F2 >= 4 && F2 <= 5",
            "={1, 2}",
            "=1e",
            "=2F2",
            "=#OOPS",
            "=()",
            "=F2 ~ 1",
            "=SUM(1,\n  2,\n  3))",
            "=1 \"a long piece of text that the message cuts short\"",
            "=1 \"tab\there\"",
        ])
    );
}

#[test]
fn the_error_message_alone_names_the_fix() {
    let e = Formula::parse("=F3", &ParseOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`F3` names row 3, but references must name the template row 2 (the row being scored), e.g. `F2`"
    );
    assert_eq!(e.span, 1..3);
    assert_eq!(e.source_text, "=F3");
}

#[test]
fn template_row_in_messages_follows_the_options() {
    let e = Formula::parse("=F2", &ParseOptions { template_row: 7 }).unwrap_err();
    assert!(e.message.contains("the template row 7"), "{}", e.message);
    assert!(e.message.contains("`F7`"), "{}", e.message);
}

#[test]
fn spans_stay_on_character_boundaries_for_non_ascii_sources() {
    let text = render_all(&["=\"é\" + ü", "=“é”"]);
    assert!(text.contains("unexpected character `\\u{fc}`"), "{text}");
}
