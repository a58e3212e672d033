//! Changing the scoring formula as a user does it: `score --compare` first, then the new
//! `score.formula` in the configuration. Earlier stored scores stay as they were filed,
//! `formula history` lists both versions, and `review --rescore --dry-run` files nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use supportops_ports::store::ResponseStore;
use supportops_ports::store::responses::ResponseQuery;

/// The handbook formula with the rating alone: a 3 becomes Yellow, a 4 or 5 Green.
const RATING_ONLY: &str = "=IF(F2 >= 4, 2, IF(F2 = 3, 1, 0))";

const HEADER: &str = "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r\n";

/// January and February: under the handbook formula row 2 is Green (2), row 3 Yellow (1), row
/// 4 Yellow (1), row 5 Green (3). Under [`RATING_ONLY`] row 2 is Red (0), row 3 Yellow (1), row
/// 4 Green (2), row 5 Green (2).
const WINTER: &str = "\
1/12/2026 9:00:00,https://gitlab.com/g/p/-/issues/1,\"It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",,2,a@example.com,AMER,\r
1/20/2026 9:00:00,https://gitlab.com/g/p/-/issues/2,It was not solved,\"Collaboration, Results, Transparency\",,3,b@example.com,EMEA,\r
2/3/2026 9:00:00,https://gitlab.com/g/p/-/issues/3,It was not solved,Results,,4,c@example.com,APAC,\r
2/9/2026 9:00:00,https://gitlab.com/g/p/-/issues/4,\"It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",,5,d@example.com,AMER,\r
";

/// March, after the change: Red under the handbook formula, Yellow under [`RATING_ONLY`].
const MARCH: &str = "3/2/2026 9:00:00,https://gitlab.com/g/p/-/issues/5,It was not solved,Results,,3,e@example.com,EMEA,\r\n";

fn examples(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn supportops(dir: &Path, formula: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supportops"));
    cmd.current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env_remove("SUPPORTOPS__SCORE__FORMULA")
        .env_remove("SUPPORTOPS__SCORE__FORMULA_NOTE")
        .env("NO_COLOR", "1");
    if let Some(f) = formula {
        cmd.env("SUPPORTOPS__SCORE__FORMULA", f).env(
            "SUPPORTOPS__SCORE__FORMULA_NOTE",
            "2027-Q1 focus: the rating alone",
        );
    }
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, formula: Option<&str>, args: &[&str]) -> Run {
    let out = supportops(dir, formula)
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(dir: &Path, formula: Option<&str>, args: &[&str]) -> Value {
    let out = run(dir, formula, args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("one JSON document")
}

/// Row → (score text, band) of every stored response.
fn stored(dir: &Path) -> BTreeMap<u64, (String, String)> {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let url = format!("sqlite://{}", dir.join("supportops.db").display());
        let store = supportops_store::SqliteStore::open(&url)
            .await
            .expect("the store opens");
        store
            .responses(&ResponseQuery::default())
            .await
            .expect("responses")
            .into_iter()
            .map(|r| {
                (
                    r.scored.response.row,
                    (r.scored.score.to_string(), r.scored.band.to_string()),
                )
            })
            .collect()
    })
}

fn issue_count(dir: &Path) -> usize {
    let list = json(dir, None, &["issues", "list", "--format", "json"]);
    list.as_array()
        .or_else(|| list["issues"].as_array())
        .map_or(0, Vec::len)
}

#[test]
fn a_formula_change_leaves_earlier_stored_scores_as_they_were_filed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sheet = dir.path().join("feedback.csv");
    std::fs::write(&sheet, format!("{HEADER}{WINTER}")).expect("write the sheet");

    let first = run(dir.path(), None, &["review", "feedback.csv"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let filed = stored(dir.path());
    let expected: BTreeMap<u64, (String, String)> = [
        (2, ("2", "green")),
        (3, ("1", "yellow")),
        (4, ("1", "yellow")),
        (5, ("3", "green")),
    ]
    .into_iter()
    .map(|(r, (s, b))| (r, (s.to_owned(), b.to_owned())))
    .collect();
    assert_eq!(filed, expected);

    // March arrives after the team adopted the rating-only formula.
    std::fs::write(&sheet, format!("{HEADER}{WINTER}{MARCH}")).expect("write the sheet");
    let second = run(dir.path(), Some(RATING_ONLY), &["review", "feedback.csv"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains(
            "note: 2 stored responses keep the band they were filed under, not the current \
             formula's; `supportops review --rescore --dry-run` shows what rescoring them \
             would file"
        ),
        "{}",
        second.stderr
    );
    let now = stored(dir.path());
    for (row, was) in &filed {
        assert_eq!(&now[row], was, "row {row} changed after the formula did");
    }
    assert_eq!(now[&6], ("1".to_owned(), "yellow".to_owned()));

    let history = json(
        dir.path(),
        Some(RATING_ONLY),
        &["formula", "history", "--format", "json"],
    );
    let versions = history["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2, "{history:#}");
    assert_eq!(versions[0]["responses"], 4);
    assert_eq!(versions[0]["note"], Value::Null);
    assert_eq!(versions[1]["formula"], RATING_ONLY);
    assert_eq!(versions[1]["responses"], 1);
    assert_eq!(versions[1]["note"], "2027-Q1 focus: the rating alone");
    assert_eq!(history["current"], versions[1]["hash"]);
    assert_eq!(history["unrecorded_responses"], 0);
}

#[test]
fn rescore_dry_run_files_nothing_and_rescore_files_what_became_flagged() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("feedback.csv"), format!("{HEADER}{WINTER}"))
        .expect("write the sheet");
    let first = run(dir.path(), None, &["review", "feedback.csv"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let issues = issue_count(dir.path());
    assert_eq!(issues, 2, "rows 3 and 4 are flagged");
    let filed = stored(dir.path());
    let history = json(
        dir.path(),
        None,
        &["formula", "history", "--format", "json"],
    );

    let dry = json(
        dir.path(),
        Some(RATING_ONLY),
        &["review", "--rescore", "--dry-run", "--format", "json"],
    );
    // Row 2 goes green → red (to file), row 4 yellow → green; rows 3 and 5 keep their band.
    assert_eq!(dry["rescored"]["changed"], 2, "{dry:#}");
    assert_eq!(dry["rescored"]["before"]["flagged"], 2);
    assert_eq!(dry["rescored"]["after"]["flagged"], 2);
    assert_eq!(dry["review"]["dry_run"], true);
    let planned = dry["review"]["actions"].as_array().expect("actions");
    assert_eq!(planned.len(), 1, "{dry:#}");
    assert_eq!(planned[0]["subject"], "https://gitlab.com/g/p/-/issues/1");
    assert_eq!(planned[0]["status"], "planned");
    assert_eq!(issue_count(dir.path()), issues, "a dry run files nothing");
    assert_eq!(stored(dir.path()), filed, "a dry run stores nothing");
    assert_eq!(
        json(
            dir.path(),
            Some(RATING_ONLY),
            &["formula", "history", "--format", "json"]
        )["versions"],
        history["versions"],
        "a dry run records no version"
    );

    let real = run(dir.path(), Some(RATING_ONLY), &["review", "--rescore"]);
    assert_eq!(real.code, 0, "{}", real.stderr);
    assert!(
        real.stdout
            .starts_with("Rescored 4 stored responses with the current formula (")
    );
    assert!(
        real.stdout
            .lines()
            .next()
            .unwrap_or_default()
            .ends_with("): 2 changed band."),
        "{}",
        real.stdout
    );
    assert_eq!(issue_count(dir.path()), issues + 1);
    let now = stored(dir.path());
    assert_eq!(now[&2], ("0".to_owned(), "red".to_owned()));
    assert_eq!(now[&4], ("2".to_owned(), "green".to_owned()));
}

#[test]
fn compare_agrees_row_for_row_with_scoring_twice() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sample = examples("feedback.csv").display().to_string();
    let bands = |formula: Option<&str>| -> BTreeMap<u64, (String, String)> {
        let mut args = vec!["score", sample.as_str(), "--format", "json"];
        if let Some(f) = formula {
            args.extend(["--formula", f]);
        }
        let doc = json(dir.path(), None, &args);
        doc.as_array()
            .or_else(|| doc["records"].as_array())
            .expect("records")
            .iter()
            .map(|r| {
                let score = match &r["score"] {
                    Value::Null => r["error"].as_str().unwrap_or_default().to_owned(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (
                    r["row"].as_u64().expect("row"),
                    (score, r["band"].as_str().expect("band").to_owned()),
                )
            })
            .collect()
    };
    let before = bands(None);
    let after = bands(Some(RATING_ONLY));
    assert_eq!(before.len(), after.len());

    let doc = json(
        dir.path(),
        None,
        &[
            "score",
            &sample,
            "--compare",
            RATING_ONLY,
            "--examples",
            "100000",
            "--format",
            "json",
        ],
    );
    assert_eq!(doc["responses"], before.len());
    let mut expected: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
    for (row, (_, from)) in &before {
        let to = &after[row].1;
        expected
            .entry((from.clone(), to.clone()))
            .or_default()
            .push(*row);
    }
    let mut changed = 0;
    for cell in doc["matrix"].as_array().expect("matrix") {
        let key = (
            cell["from"].as_str().expect("from").to_owned(),
            cell["to"].as_str().expect("to").to_owned(),
        );
        let rows = expected.remove(&key).unwrap_or_default();
        assert_eq!(cell["responses"], rows.len(), "{key:?}");
        if key.0 != key.1 {
            changed += rows.len();
            let examples: Vec<u64> = cell["examples"]
                .as_array()
                .expect("examples")
                .iter()
                .map(|e| {
                    let row = e["row"].as_u64().expect("row");
                    assert_eq!(e["score_before"].as_str(), Some(before[&row].0.as_str()));
                    assert_eq!(e["score_after"].as_str(), Some(after[&row].0.as_str()));
                    row
                })
                .collect();
            assert_eq!(examples, rows, "{key:?}");
        }
    }
    assert!(
        expected.is_empty(),
        "cells missing from the matrix: {expected:?}"
    );
    assert_eq!(doc["changed"], changed);
    assert!(changed > 50, "the two formulas differ on many rows");
}

#[test]
fn a_proposed_formula_that_does_not_parse_is_shown_with_a_caret() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sample = examples("feedback.csv").display().to_string();
    let out = run(
        dir.path(),
        None,
        &["score", &sample, "--compare", "=IF(F2 >= 4, 2"],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: the proposed formula (--compare) does not parse:\n"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains('^'), "{}", out.stderr);
    let file = dir.path().join("proposed.txt");
    std::fs::write(&file, format!("{RATING_ONLY}\n")).expect("write the formula");
    let from_file = run(
        dir.path(),
        None,
        &[
            "score",
            &sample,
            "--compare-file",
            "proposed.txt",
            "--format",
            "json",
        ],
    );
    let from_arg = run(
        dir.path(),
        None,
        &[
            "score",
            &sample,
            "--compare",
            RATING_ONLY,
            "--format",
            "json",
        ],
    );
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    assert_eq!(from_file.stdout, from_arg.stdout);
}
