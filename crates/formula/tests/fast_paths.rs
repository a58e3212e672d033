//! The fast paths of evaluation (comparisons of a cell with a literal, conditions and numbers
//! computed without building values, literals computed once, `REGEXMATCH` answered by substring
//! search) give what the plain walk of the formula gives: generated formulas over generated rows,
//! each evaluated both ways ([`Formula::parse`] and [`Formula::parse_plain`]).

mod common;

use proptest::prelude::*;
use proptest::sample::select;
use supportops_formula::{Cell, Formula, ParseOptions};

use common::{check, show};

/// Cells as an imported sheet holds them: numbers, blanks, booleans, errors, text that is or is
/// not numeric, upper and lower case, non-ASCII, a line break between the handbook's terms.
const CELLS: &[&str] = &[
    "",
    "0",
    "1",
    "4",
    "5",
    "3.5",
    "-2",
    "1,234",
    "5%",
    "TRUE",
    "false",
    "#N/A",
    "#DIV/0!",
    "abc",
    "It was solved",
    "IT WAS SOLVED",
    "it was solved, and I am confident in the solution",
    "Résolu ✅",
    "RÉSOLU ✅",
    "Collaboration, Results, Transparency",
    "Collaboration\nResults, Transparency",
    "Results, Collaboration",
    "\u{212A}elvin",
    "İstanbul",
];

const LITERALS: &[&str] = &[
    "0",
    "1",
    "4",
    "0.5",
    "100",
    "1e300",
    "\"\"",
    "\"abc\"",
    "\"ABC\"",
    "\"It was solved\"",
    "\"it was solved, and I am confident in the solution\"",
    "\"TRUE\"",
    "\"5\"",
    "\"résolu ✅\"",
    "\"kelvin\"",
    "\"istanbul\"",
    "TRUE",
    "FALSE",
    "#N/A",
    "#DIV/0!",
];

/// Patterns with and without the substring search (literal text joined by `.*`).
const PATTERNS: &[&str] = &[
    "Collaboration.*Results.*Transparency",
    "Collaboration.*Results",
    "a.*b",
    "é.*✅",
    "solved",
    "",
    "^It",
    "(?i)solved",
    "[0-9]+",
];

const OPERATORS: &[&str] = &[
    "=", "<>", "<", "<=", ">", ">=", "&", "+", "-", "*", "/", "^",
];

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(vec!["A2", "B2", "C2", "D2", "E2"]).prop_map(String::from),
        2 => select(LITERALS).prop_map(String::from),
    ]
}

fn list(args: Vec<String>) -> String {
    args.join(", ")
}

/// A formula of the operators and of the functions score formulas use, nested a few levels.
fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 40, 4, |inner| {
        let args = proptest::collection::vec(inner.clone(), 1..4);
        prop_oneof![
            (inner.clone(), select(OPERATORS), inner.clone())
                .prop_map(|(l, op, r)| format!("({l} {op} {r})")),
            inner.clone().prop_map(|e| format!("-({e})")),
            inner.clone().prop_map(|e| format!("({e})%")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("IF({c}, {a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(c, a)| format!("IF({c}, {a})")),
            args.clone().prop_map(|a| format!("SUM({})", list(a))),
            args.clone()
                .prop_map(|a| format!("SUM(A2:C2, {})", list(a))),
            args.clone().prop_map(|a| format!("AND({})", list(a))),
            args.clone().prop_map(|a| format!("OR(B2:E2, {})", list(a))),
            args.clone().prop_map(|a| format!("XOR({})", list(a))),
            args.clone().prop_map(|a| format!("MAX({})", list(a))),
            inner.clone().prop_map(|e| format!("NOT({e})")),
            (inner.clone(), select(PATTERNS))
                .prop_map(|(e, p)| format!("REGEXMATCH({e}, \"{p}\")")),
            (inner.clone(), inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c1, v1, c2, v2)| format!("IFS({c1}, {v1}, {c2}, {v2})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("IFERROR({a}, {b})")),
            inner.clone().prop_map(|e| format!("ISBLANK({e})")),
            inner.clone().prop_map(|e| format!("LEN({e})")),
            inner.clone().prop_map(|e| format!("COUNTIF(A2:E2, {e})")),
        ]
    })
}

fn row() -> impl Strategy<Value = Vec<&'static str>> {
    proptest::collection::vec(select(CELLS), 5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_fast_paths_give_what_the_plain_walk_gives(
        formula in expr(),
        rows in proptest::collection::vec(row(), 6),
    ) {
        let source = format!("={formula}");
        let options = ParseOptions::default();
        let fast = Formula::parse(&source, &options)
            .map_err(|e| TestCaseError::fail(format!("{source}\n{}", e.render())))?;
        let plain = Formula::parse_plain(&source, &options)
            .map_err(|e| TestCaseError::fail(e.render()))?;
        for texts in rows {
            let cells: Vec<Cell<'_>> = texts.iter().map(|t| Cell::from_import(t)).collect();
            let row = cells.as_slice();
            prop_assert_eq!(
                show(&fast.eval(row)),
                show(&plain.eval(row)),
                "{} with {:?}", source, texts
            );
            prop_assert_eq!(fast.explain(row), plain.explain(row), "{} with {:?}", source, texts);
        }
    }
}

/// `=`, `<` and `>` compare text after Unicode lower-casing, character by character; the ASCII
/// part is compared on bytes before the first non-ASCII character.
#[test]
fn text_compares_ignoring_case_character_by_character() {
    let texts = [
        "",
        "a",
        "A",
        "ab",
        "résolu",
        "RÉSOLU",
        "Résolu ✅",
        "résolu",
        "rÉsolu",
        "resolu",
        "\u{212A}",
        "k",
        "K",
        "İ",
        "i",
        "i\u{307}",
        "Zürich",
        "zurich",
        "ß",
        "SS",
        "é",
        "e",
    ];
    for a in texts {
        for b in texts {
            let lower = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
            let expected = lower(a).cmp(&lower(b));
            let cells = [("A", a), ("B", b)];
            for (op, holds) in [
                ("=", expected.is_eq()),
                ("<", expected.is_lt()),
                (">=", expected.is_ge()),
            ] {
                let expected = if holds { "TRUE" } else { "FALSE" };
                check(&format!("=A2 {op} B2"), &cells, expected);
                check(&format!("=A2 {op} \"{b}\""), &[("A", a)], expected);
            }
        }
    }
}
