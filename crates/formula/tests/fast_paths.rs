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

/// Resolution texts and literals for the `IF(C2 = "…", …, IF(C2 = "…", …))` chains: case
/// variants, non-ASCII text whose lower case is ASCII (the Kelvin sign), texts that differ only
/// in length, numbers as text, blanks and errors.
const RESOLUTIONS: &[&str] = &[
    "",
    "It was solved, and I am confident in the solution",
    "IT WAS SOLVED, AND I AM CONFIDENT IN THE SOLUTION",
    "it was closed as it became a stale issue",
    "It was closed as it became a stale issue.",
    "It was solved, and I feel this will dramatically improve my use of Zendesk",
    "Résolu, et j'en suis sûr ✅",
    "RÉSOLU, ET J'EN SUIS SÛR ✅",
    "\u{212A}elvin",
    "kelvin",
    "KELVIN",
    "İstanbul",
    "istanbul",
    "5",
    "1,234",
    "TRUE",
    "#N/A",
    "#DIV/0!",
];

const RESOLUTION_LITERALS: &[&str] = &[
    "",
    "It was solved, and I am confident in the solution",
    "it was closed as it became a stale issue",
    "It was solved, and I feel this will dramatically improve my use of Zendesk",
    "résolu, et j'en suis sûr ✅",
    "kelvin",
    "\u{212A}ELVIN",
    "istanbul",
    "5",
    "TRUE",
];

/// One arm's condition: mostly `C2 = "…"` (so that whole chains test one cell), sometimes the
/// literal first, `<>`, or another cell.
fn arm_condition() -> impl Strategy<Value = String> {
    let literal = || select(RESOLUTION_LITERALS).prop_map(|l| format!("{l:?}"));
    prop_oneof![
        6 => literal().prop_map(|l| format!("C2 = {l}")),
        1 => literal().prop_map(|l| format!("{l} = C2")),
        1 => literal().prop_map(|l| format!("C2 <> {l}")),
        1 => literal().prop_map(|l| format!("D2 = {l}")),
        1 => Just("F2 >= 4".to_owned()),
    ]
}

fn arm_value() -> impl Strategy<Value = String> {
    select(vec!["1", "-1", "0", "\"yes\"", "TRUE", "C2", "#N/A"]).prop_map(String::from)
}

/// `IF(c1, v1, IF(c2, v2, … [otherwise]))`, with or without the last "otherwise".
fn if_chain() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec((arm_condition(), arm_value()), 1..5),
        proptest::option::of(arm_value()),
    )
        .prop_map(|(arms, otherwise)| {
            let mut formula = String::new();
            for (i, (condition, value)) in arms.iter().enumerate() {
                formula.push_str(&format!("IF({condition}, {value}"));
                if i + 1 == arms.len()
                    && let Some(otherwise) = &otherwise
                {
                    formula.push_str(&format!(", {otherwise}"));
                } else if i + 1 < arms.len() {
                    formula.push_str(", ");
                }
            }
            formula.push_str(&")".repeat(arms.len()));
            formula
        })
}

/// Pieces, separators and filler from which the values texts are built: the handbook's values in
/// any order and case, accents, line breaks, and bytes that start a piece without being one.
const VALUE_PARTS: &[&str] = &[
    "Collaboration",
    "Results",
    "Transparency",
    "collaboration",
    "RESULTS",
    "Résultats",
    "Transparence",
    "Collab",
    "Result",
    "C",
    "R",
    "T",
    ", ",
    " → ",
    "\n",
    "\r\n",
    "Efficiency",
    "Diversity, Inclusion & Belonging",
    "Iteration",
    "✅",
];

const CHAIN_PATTERNS: &[&str] = &[
    "Collaboration.*Results.*Transparency",
    "Collaboration.*Results",
    "Results.*Collaboration",
    "Results",
    "R.*R",
    ".*Transparency",
    "Collaboration.*",
    "Résultats.*✅",
    "C.*C.*C",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A chain of `IF`s testing one cell against text literals reads the cell once and compares
    /// on bytes when both are ASCII; it gives what the nested calls give.
    #[test]
    fn if_chains_give_what_nested_ifs_give(
        formula in if_chain(),
        resolution in select(RESOLUTIONS),
        other in select(RESOLUTIONS),
        rating in select(vec!["", "5", "1", "abc", "#N/A"]),
    ) {
        let source = format!("=SUM({formula}, 0)");
        let options = ParseOptions::default();
        let fast = Formula::parse(&source, &options)
            .map_err(|e| TestCaseError::fail(format!("{source}\n{}", e.render())))?;
        let plain = Formula::parse_plain(&source, &options)
            .map_err(|e| TestCaseError::fail(e.render()))?;
        let bare = format!("={formula}");
        let fast_bare = Formula::parse(&bare, &options)
            .map_err(|e| TestCaseError::fail(e.render()))?;
        let plain_bare = Formula::parse_plain(&bare, &options)
            .map_err(|e| TestCaseError::fail(e.render()))?;
        let cells: Vec<Cell<'_>> = ["", "", resolution, other, "", rating]
            .iter()
            .map(|t| Cell::from_import(t))
            .collect();
        let row = cells.as_slice();
        prop_assert_eq!(show(&fast.eval(row)), show(&plain.eval(row)), "{} with C2 {:?}", source, resolution);
        prop_assert_eq!(show(&fast_bare.eval(row)), show(&plain_bare.eval(row)), "{} with C2 {:?}", bare, resolution);
        let not = format!("=NOT({formula})");
        let fast_not = Formula::parse(&not, &options).map_err(|e| TestCaseError::fail(e.render()))?;
        let plain_not = Formula::parse_plain(&not, &options).map_err(|e| TestCaseError::fail(e.render()))?;
        prop_assert_eq!(show(&fast_not.eval(row)), show(&plain_not.eval(row)), "{} with C2 {:?}", not, resolution);
    }

    /// `REGEXMATCH` with literal text joined by `.*` answers by substring search, line by line in
    /// a cell-sized text and with `memmem` in a long one; the regex engine agrees on texts made of
    /// the pieces, near misses, line breaks and non-ASCII text, short and long.
    #[test]
    fn regex_chains_give_what_the_regex_gives(
        pattern in select(CHAIN_PATTERNS),
        parts in proptest::collection::vec(select(VALUE_PARTS), 0..12),
        padding in select(vec![0usize, 1, 40, 300]),
    ) {
        let mut text: String = parts.concat();
        // Long texts take the `memmem` path; the padding goes before or after the parts.
        let filler = "x".repeat(padding);
        if parts.len() % 2 == 0 {
            text.insert_str(0, &filler);
        } else {
            text.push_str(&filler);
        }
        let source = format!("=REGEXMATCH(D2, \"{pattern}\")");
        let options = ParseOptions::default();
        let fast = Formula::parse(&source, &options).map_err(|e| TestCaseError::fail(e.render()))?;
        let plain = Formula::parse_plain(&source, &options).map_err(|e| TestCaseError::fail(e.render()))?;
        let cells = [Cell::Blank, Cell::Blank, Cell::Blank, Cell::Text(&text)];
        let row = cells.as_slice();
        prop_assert_eq!(show(&fast.eval(row)), show(&plain.eval(row)), "{} on {:?}", source, text);
    }
}

/// A chain of `IF`s comparing one cell with numbers reads the cell once; it gives what the
/// nested calls give, for every kind of cell (blank is 0, text and booleans sort after numbers,
/// an error is the result).
#[test]
fn number_chains_give_what_nested_ifs_give() {
    let conditions = [
        "F2 >= 4",
        "F2 <= 1",
        "F2 < 0",
        "F2 = 3",
        "F2 <> 5",
        "F2 > 1e300",
        "F2 = 0",
        "F2 = 0.3",
    ];
    let ratings = [
        "", "5", "4", "3", "1", "0", "-2", "0.1", "abc", "TRUE", "FALSE", "#N/A", "#DIV/0!",
        "1,234", "5%",
    ];
    let options = ParseOptions::default();
    for a in conditions {
        for b in conditions {
            for otherwise in ["", ", 0"] {
                let chain = format!("IF({a}, 1, IF({b}, -1{otherwise}))");
                for source in [
                    format!("=SUM({chain}, 0)"),
                    format!("={chain}"),
                    format!("=NOT({chain})"),
                ] {
                    let fast = Formula::parse(&source, &options).expect("the chain parses");
                    let plain = Formula::parse_plain(&source, &options).expect("the chain parses");
                    for rating in ratings {
                        let cells: Vec<Cell<'_>> = ["", "", "", "", "", rating]
                            .iter()
                            .map(|t| Cell::from_import(t))
                            .collect();
                        let row = cells.as_slice();
                        assert_eq!(
                            show(&fast.eval(row)),
                            show(&plain.eval(row)),
                            "{source} with F2 {rating:?}"
                        );
                    }
                }
            }
        }
    }
}

/// The handbook formula, with and without its fast paths, on rows of every kind its terms see.
#[test]
fn the_handbook_formula_gives_what_the_plain_walk_gives() {
    let handbook = r#"=SUM(IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0)), IF(REGEXMATCH(D2, "Collaboration.*Results.*Transparency"), 1, 0), IF(C2 = "It was solved, and I feel this will dramatically improve my use of Zendesk", 1, IF(C2 = "It was solved, and I am confident in the solution", 1, IF(C2 = "It was closed as it became a stale issue", 1, 0))))"#;
    let options = ParseOptions::default();
    let fast = Formula::parse(handbook, &options).expect("the handbook formula parses");
    let plain = Formula::parse_plain(handbook, &options).expect("the handbook formula parses");
    let values = [
        "",
        "Collaboration, Results, Efficiency, Diversity, Inclusion & Belonging, Iteration, Transparency",
        "Collaboration, Results\nTransparency",
        "Collaboration\nCollaboration, Results, Transparency",
        "Transparency, Results, Collaboration",
        "collaboration, results, transparency",
        "Collaboration → Résultats → Transparence",
        "5",
        "#N/A",
    ];
    let ratings = ["", "5", "4", "3", "1", "0", "-2", "abc", "TRUE", "#DIV/0!"];
    for resolution in RESOLUTIONS {
        for value in values {
            for rating in ratings {
                let cells: Vec<Cell<'_>> = ["", "", resolution, value, "", rating]
                    .iter()
                    .map(|t| Cell::from_import(t))
                    .collect();
                let row = cells.as_slice();
                assert_eq!(
                    show(&fast.eval(row)),
                    show(&plain.eval(row)),
                    "resolution {resolution:?}, values {value:?}, rating {rating:?}"
                );
                assert_eq!(fast.explain(row), plain.explain(row));
            }
        }
    }
}
