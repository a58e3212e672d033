//! `supportops formula check|eval` as a user debugging a score formula runs them: normalised
//! output, caret errors with exit code 2, one-row evaluation with typed `--cell` values, JSON
//! documents for scripts.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};

/// The default score formula, as the handbook's sheet has it.
const HANDBOOK: &str = r#"=SUM(IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0)), IF(REGEXMATCH(D2, "Collaboration.*Results.*Transparency"), 1, 0), IF(C2 = "It was solved, and I feel this will dramatically improve my use of Zendesk", 1, IF(C2 = "It was solved, and I am confident in the solution", 1, IF(C2 = "It was closed as it became a stale issue", 1, 0))))"#;

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Output {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", self.stdout))
    }
}

/// Runs `supportops` in `dir` with no configuration from the environment.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::cargo_bin("supportops").expect("the binary is built");
    cmd.current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env("NO_COLOR", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("SUPPORTOPS__") {
            cmd.env_remove(key);
        }
    }
    let out = cmd.args(args).output().expect("the binary runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `supportops` in a fresh directory (so the handbook defaults apply).
fn run(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("a temporary directory");
    run_in(dir.path(), args)
}

#[test]
fn check_prints_the_normalised_formula() {
    let out = run(&["formula", "check", "=sum(if(f2>=4,1,0),  1)"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "=SUM(IF(F2 >= 4, 1, 0), 1)\n", "")
    );
}

#[test]
fn check_without_a_formula_checks_the_configured_one() {
    let out = run(&["formula", "check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim_end(), HANDBOOK);

    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("supportops.toml"),
        "[sheet]\ntemplate_row = 5\n\n[score]\nformula = '=if(f5 > 3, 1, 0)'\n",
    )
    .expect("write the configuration");
    let out = run_in(dir.path(), &["formula", "check"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "=IF(F5 > 3, 1, 0)\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn check_shows_a_caret_under_the_fault_and_exits_2() {
    let out = run(&[
        "formula",
        "check",
        r#"=SUM(IF(F3 >= 4, 1, 0), REGEXMTCH(D2, "x"))"#,
    ]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    insta::assert_snapshot!("check_wrong_row", out.stderr);

    let out = run(&["formula", "check", r#"=IF(REGEXMTCH(D2, "x"), 1, 0)"#]);
    assert_eq!(out.code, 2);
    insta::assert_snapshot!("check_typo_in_function", out.stderr);
}

#[test]
fn check_uses_the_template_row_given() {
    let out = run(&["formula", "check", "=F7*2", "--template-row", "7"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "=F7 * 2\n"));
    let out = run(&["formula", "check", "=F2*2", "--template-row", "7"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("must name the template row 7"),
        "{}",
        out.stderr
    );
}

#[test]
fn check_as_json() {
    let out = run(&["formula", "check", "=F2 + c2", "--format", "json"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.json(),
        json!({"formula": "=F2 + C2", "columns": ["C", "F"], "error": null})
    );

    let out = run(&["formula", "check", "=F2 +", "--format", "json"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.json(),
        json!({
            "formula": null,
            "columns": [],
            "error": {"message": "the formula ends after `+`: a value must follow", "start": 4, "end": 5}
        })
    );
}

#[test]
fn eval_scores_one_row_of_the_configured_formula() {
    let out = run(&[
        "formula",
        "eval",
        "--cell",
        "F=5",
        "--cell",
        "C=It was solved, and I am confident in the solution",
        "--cell",
        "D=Collaboration, Results, Transparency",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json(), json!({"value": 3, "error": null}));
}

#[test]
fn eval_blank_cell_and_missing_cells_are_blank() {
    let out = run(&["formula", "eval", "--cell", "F=", "--format", "json"]);
    assert_eq!(out.json(), json!({"value": -1, "error": null}));
    // In table mode, a note says which read columns were not given.
    let out = run(&["formula", "eval", "--cell", "F=4"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "1\n"));
    assert_eq!(
        out.stderr,
        "note: C, D not given, so blank (pass e.g. `--cell C=…`)\n"
    );
}

#[test]
fn eval_types_cell_text_like_a_csv_import() {
    let typed = |text: &str| {
        let cell = format!("A={text}");
        let out = run(&[
            "formula",
            "eval",
            "=IF(ISNUMBER(A2), \"number \" & A2, A2)",
            "--cell",
            &cell,
            "--format",
            "json",
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.json()["value"].clone()
    };
    assert_eq!(typed("1,234"), json!("number 1234"));
    assert_eq!(typed("5%"), json!("number 0.05"));
    assert_eq!(typed("2024-01-15"), json!("number 45306"));
    assert_eq!(typed("true"), json!(true));
    assert_eq!(typed("12,34"), json!("12,34"));
}

#[test]
fn eval_values_and_errors_as_json() {
    let value = |formula: &str| run(&["formula", "eval", formula, "--format", "json"]).json();
    assert_eq!(value("=1/0"), json!({"value": null, "error": "#DIV/0!"}));
    assert_eq!(
        value("=\"a\" & \"b\""),
        json!({"value": "ab", "error": null})
    );
    assert_eq!(value("=1.5 * 3"), json!({"value": 4.5, "error": null}));
    assert_eq!(value("=1 < 2"), json!({"value": true, "error": null}));
    assert_eq!(value("=A2"), json!({"value": null, "error": null}));
    assert_eq!(
        value("=REGEXMATCH(5, \"5\")"),
        json!({"value": null, "error": "#VALUE!"})
    );
}

#[test]
fn eval_explain_shows_each_term() {
    let out = run(&[
        "formula",
        "eval",
        "--cell",
        "F=5",
        "--cell",
        "D=Collaboration, Results, Transparency",
        "--explain",
    ]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("eval_explain", out.stdout);

    let out = run(&[
        "formula",
        "eval",
        "=SUM(F2, 1/0)",
        "--cell",
        "F=2",
        "--explain",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.json(),
        json!({
            "value": null,
            "error": "#DIV/0!",
            "terms": [
                {"term": "F2", "value": 2, "error": null},
                {"term": "1 / 0", "value": null, "error": "#DIV/0!"}
            ]
        })
    );
}

#[test]
fn eval_refuses_bad_cells_with_exit_2() {
    let out = run(&["formula", "eval", "--cell", "5"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("expected COLUMN=TEXT, e.g. `--cell F=5`"),
        "{}",
        out.stderr
    );

    let out = run(&["formula", "eval", "--cell", "FOOO=1"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("`FOOO` is not a column"),
        "{}",
        out.stderr
    );

    let out = run(&["formula", "eval", "--cell", "F=1", "--cell", "f=2"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: column F is given twice: pass one `--cell F=…`\n"
    );

    let out = run(&["formula", "eval", "--cell", "F3=5"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: `--cell F3=…` names row 3, but the formula is evaluated for the template row 2: write `--cell F=5`\n"
    );
    // Naming the template row is fine.
    let out = run(&["formula", "eval", "=F2", "--cell", "F2=5"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "5\n"));
}

#[test]
fn eval_of_a_formula_that_does_not_parse_exits_2() {
    let out = run(&[
        "formula",
        "eval",
        "=IF(F2 >= 4, 1",
        "--cell",
        "F=5",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    insta::assert_snapshot!("eval_unclosed", out.stderr);
}

#[test]
fn a_formula_starting_with_minus_is_a_formula_not_an_option() {
    let out = run(&["formula", "eval", "-F2*2", "--cell", "F=3"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "-6\n"),
        "{}",
        out.stderr
    );
}
