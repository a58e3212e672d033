//! `supportops review` and `supportops issues` as a user runs them: on a fresh directory with
//! the default configuration (local tracker, SQLite store in `./supportops.db`), as of
//! `SUPPORTOPS_NOW` (2027-01-05 09:00 UTC).

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::Output;
use serde_json::Value;

/// A sheet in the handbook's layout. Under the handbook formula: row 2 Red, row 3 Green,
/// row 4 Red (same issue as row 2, written differently), row 5 Yellow, row 6 Green, row 7 Red
/// without a subject.
const SHEET: &str = "\
Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r
2/3/2026 9:15:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12,It was not solved,Collaboration,\"Macros still\nwrong\",1,amy@example.com,AMER,\r
2/4/2026 10:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,\"It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",Great,5,bo@example.com,EMEA,3\r
2/5/2026 11:30:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/issues/12#note_9,It was not solved,Results,Slow,3,cy@example.com,APAC,\r
2/6/2026 12:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,It was closed as it became a stale issue,Efficiency,,3,di@example.com,AMER,\r
2/7/2026 13:45:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/30,\"It was solved, and I feel this will dramatically improve my use of Zendesk\",\"Collaboration, Results, Transparency\",,4,ed@example.com,EMEA,\r
2/8/2026 14:00:00,,It was not solved,,No link given,2,fi@example.com,APAC,\r
";

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("feedback.csv"), SHEET).expect("write the sheet");
    dir
}

/// The binary in `dir`, as of `SUPPORTOPS_NOW`.
fn supportops(dir: &Path) -> Command {
    let mut cmd = common::supportops(dir);
    cmd.env("SUPPORTOPS_NOW", "2027-01-05T09:00:00Z");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::output(supportops(dir).args(args))
}

#[test]
fn review_files_local_issues_then_finds_nothing_new() {
    let dir = workdir();
    let first = run(dir.path(), &["review", "feedback.csv"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    insta::assert_snapshot!(first.stdout, @"
    Filed in project `gitlab-com/support/support-ops/feedback-review` (local tracker):

     action  | issue                                                             | subject                                   | responses        
    ---------+-------------------------------------------------------------------+-------------------------------------------+------------------
     created | local://gitlab-com/support/support-ops/feedback-review/-/issues/1 | gitlab-com/support/support-ops/zendesk#12 | rows 2, 4: 2 red 
     created | local://gitlab-com/support/support-ops/feedback-review/-/issues/2 | gitlab-com/support/support-ops/zendesk!7  | row 5: 1 yellow  

    Created 2 issues and added 0 notes, covering 3 of 4 flagged responses (0 were covered before).

    Skipped 1 flagged row:
      row 7 (red): the row names no issue or merge request
    ");
    assert!(
        first
            .stderr
            .contains("warning: no assignees: review issues are filed unassigned"),
        "{}",
        first.stderr
    );

    let again = run(dir.path(), &["review", "feedback.csv"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    insta::assert_snapshot!(again.stdout, @"
    Nothing new to file in project `gitlab-com/support/support-ops/feedback-review` (local tracker): 3 of 4 flagged responses are covered by review issues.

    Skipped 1 flagged row:
      row 7 (red): the row names no issue or merge request
    ");
}

#[test]
fn issues_list_and_show_print_what_review_filed_as_of_supportops_now() {
    let dir = workdir();
    assert_eq!(run(dir.path(), &["review", "feedback.csv"]).code, 0);

    let list = run(dir.path(), &["issues", "list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    insta::assert_snapshot!(list.stdout, @"
    Project `gitlab-com/support/support-ops/feedback-review` (local tracker):

     iid | state  | title                                                      | labels          | assignees | created              
    -----+--------+------------------------------------------------------------+-----------------+-----------+----------------------
     #1  | opened | Feedback Review: gitlab-com/support/support-ops/zendesk#12 | Feedback Review |           | 2027-01-05 09:00 UTC 
     #2  | opened | Feedback Review: gitlab-com/support/support-ops/zendesk!7  | Feedback Review |           | 2027-01-05 09:00 UTC 

    2 issues, 2 open. Show one with `supportops issues show N`.
    ");

    let show = run(dir.path(), &["issues", "show", "#1"]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    insta::assert_snapshot!(show.stdout, @"
    #1 Feedback Review: gitlab-com/support/support-ops/zendesk#12
    local://gitlab-com/support/support-ops/feedback-review/-/issues/1
    state      open
    created    2027-01-05 09:00 UTC
    labels     Feedback Review
    assignees  none

    ## Summary

    Support Ops received feedback that needs a review about gitlab-com/support/support-ops/zendesk#12.
    Read the responses below, then talk to the people involved where that helps.

    ## Action plan

    <!-- What will Support Ops change so this does not happen again? Agree on it at the monthly sync. -->

    ## Outcome

    <!-- At a later monthly sync: did the action plan resolve the problem? -->

    ## Feedback responses

    Subject: https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12

    | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
    | --- | --- | --- | --- | --- | --- | --- | --- |
    | 2 | 2/3/2026 9:15:00 | 1 | It was not solved | Collaboration | Macros still<br>wrong | -1 | Red (Bad) |
    | 4 | 2/5/2026 11:30:00 | 3 | It was not solved | Results | Slow | 0 | Red (Bad) |

    <!-- supportops:subject=https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12 -->
    <!-- supportops:responses=h:09ddbe235eecca9c4ce0fd65,h:150bb8b209bb1d99d5e684ab -->
    ");
}

#[test]
fn json_output_is_one_document_with_ids() {
    let dir = workdir();
    let first = run(dir.path(), &["review", "feedback.csv", "--format", "json"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let doc: Value = serde_json::from_str(&first.stdout).expect("one JSON document");
    assert_eq!(doc["nothing_new"], false);
    assert_eq!(doc["dry_run"], false);
    assert_eq!(doc["flagged"], 4);
    let actions = doc["actions"].as_array().expect("actions");
    let issues: Vec<(&str, u64, &str)> = actions
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().expect("kind"),
                a["issue"]["iid"].as_u64().expect("iid"),
                a["issue"]["web_url"].as_str().expect("web_url"),
            )
        })
        .collect();
    assert_eq!(
        issues,
        [
            (
                "create",
                1,
                "local://gitlab-com/support/support-ops/feedback-review/-/issues/1"
            ),
            (
                "create",
                2,
                "local://gitlab-com/support/support-ops/feedback-review/-/issues/2"
            ),
        ]
    );
    let rows: Vec<u64> = actions[0]["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| r["row"].as_u64().expect("row"))
        .collect();
    assert_eq!(rows, [2, 4]);
    assert_eq!(doc["skipped"][0]["row"], 7);
    assert_eq!(doc["skipped"][0]["code"], "no_subject");

    let again = run(dir.path(), &["review", "feedback.csv", "--format", "json"]);
    let doc: Value = serde_json::from_str(&again.stdout).expect("one JSON document");
    assert_eq!(doc["nothing_new"], true);
    assert_eq!(doc["actions"], Value::Array(vec![]));

    let list = run(dir.path(), &["issues", "list", "--format", "json"]);
    let doc: Value = serde_json::from_str(&list.stdout).expect("one JSON document");
    assert_eq!(doc["issues"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["issues"][0]["iid"], 1);
    assert_eq!(doc["issues"][0]["state"], "opened");

    let show = run(dir.path(), &["issues", "show", "2", "--format", "json"]);
    let doc: Value = serde_json::from_str(&show.stdout).expect("one JSON document");
    assert_eq!(doc["iid"], 2);
    assert_eq!(doc["notes"], Value::Array(vec![]));
}

#[test]
fn a_dry_run_prints_the_plan_and_files_nothing() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("supportops.toml"),
        "[review]\nassignees = [\"alice\", \"bob\"]\n",
    )
    .expect("write the config");
    let dry = run(dir.path(), &["review", "feedback.csv", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    insta::assert_snapshot!(dry.stdout, @"
    Dry run: nothing was written. Would file in project `gitlab-com/support/support-ops/feedback-review` (local tracker):

    would create  Feedback Review: gitlab-com/support/support-ops/zendesk#12
      subject     https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12
      responses   rows 2, 4: 2 red
      assignees   @alice, @bob
      labels      Feedback Review

    would create  Feedback Review: gitlab-com/support/support-ops/zendesk!7
      subject     https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7
      responses   row 5: 1 yellow
      assignees   @alice, @bob
      labels      Feedback Review

    Would create 2 issues and add 0 notes, covering 3 of 4 flagged responses (0 were covered before).
    The full text of each issue and note is in `--format json` (field `body`).

    Skipped 1 flagged row:
      row 7 (red): the row names no issue or merge request
    ");
    assert!(
        !dir.path().join("supportops.db").exists(),
        "a dry run leaves no store behind"
    );
    let list = run(dir.path(), &["issues", "list", "--format", "json"]);
    let doc: Value = serde_json::from_str(&list.stdout).expect("one JSON document");
    assert_eq!(doc["issues"], Value::Array(vec![]));

    let real = run(dir.path(), &["review", "feedback.csv", "--format", "json"]);
    let doc: Value = serde_json::from_str(&real.stdout).expect("one JSON document");
    assert_eq!(doc["actions"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        doc["actions"][0]["assignees"],
        serde_json::json!(["alice", "bob"])
    );
}

#[test]
fn a_missing_template_file_names_the_config_key_and_exits_2() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("supportops.toml"),
        "[review]\ntemplate_file = \"templates/review.md\"\n",
    )
    .expect("write the config");
    let out = run(dir.path(), &["review", "feedback.csv"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(
            "error: cannot read the issue template `templates/review.md` (config key \
             `review.template_file`)"
        ),
        "{}",
        out.stderr
    );
    assert!(
        !dir.path().join("supportops.db").exists(),
        "nothing is stored"
    );
}

#[test]
fn a_broken_template_is_bad_input_naming_its_line() {
    let dir = workdir();
    std::fs::write(dir.path().join("review.md"), "# Review\n\n{% if %}\n").expect("write");
    std::fs::write(
        dir.path().join("supportops.toml"),
        "[review]\ntemplate_file = \"review.md\"\n",
    )
    .expect("write the config");
    let out = run(dir.path(), &["review", "feedback.csv"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("error: the issue template `review.md` is not a valid template (line 3)"),
        "{}",
        out.stderr
    );
    let list = run(dir.path(), &["issues", "list", "--format", "json"]);
    let doc: Value = serde_json::from_str(&list.stdout).expect("one JSON document");
    assert_eq!(doc["issues"], Value::Array(vec![]));
}

#[test]
fn gitlab_without_a_token_says_which_variable_and_exits_2() {
    let dir = workdir();
    let out = supportops(dir.path())
        .args(["review", "feedback.csv"])
        .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
        .env("SUPPORTOPS__TRACKER__TOKEN_ENV", "FEEDBACK_TOKEN")
        .env_remove("FEEDBACK_TOKEN")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "a setup problem is bad input");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "error: the GitLab token is missing: set the environment variable `FEEDBACK_TOKEN` \
         (named by config key `tracker.token_env`) to a token with the `api` scope"
    );
    assert!(
        !dir.path().join("supportops.db").exists(),
        "no store is made for a run that cannot start"
    );
}

#[test]
fn issues_show_of_a_missing_issue_fails_clearly() {
    let dir = workdir();
    let out = run(dir.path(), &["issues", "show", "9"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr.trim_end(),
        "error: cannot read issue #9 of project `gitlab-com/support/support-ops/feedback-review`; \
         `supportops issues list` shows its issues\n  \
         caused by: not found: issue #9 in local project `gitlab-com/support/support-ops/feedback-review`"
    );
    let bad = run(dir.path(), &["issues", "show", "nine"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("`nine` is not an issue number"),
        "{}",
        bad.stderr
    );
}

#[test]
fn later_responses_note_the_open_review_or_reopen_the_subject_after_close() {
    let dir = workdir();
    assert_eq!(run(dir.path(), &["review", "feedback.csv"]).code, 0);

    let later = "2/9/2026 8:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12,It is still open,,Still broken,1,gu@example.com,AMER,\r\n";
    let mut sheet = SHEET.to_owned();
    sheet.push_str(later);
    std::fs::write(dir.path().join("feedback.csv"), &sheet).expect("write the sheet");
    let noted = run(dir.path(), &["review", "feedback.csv"]);
    assert_eq!(noted.code, 0, "{}", noted.stderr);
    assert!(
        noted.stdout.contains(
            " noted  | local://gitlab-com/support/support-ops/feedback-review/-/issues/1 (note 1) "
        ),
        "{}",
        noted.stdout
    );

    let closed = run(dir.path(), &["issues", "close", "1"]);
    assert_eq!(closed.code, 0, "{}", closed.stderr);
    assert_eq!(
        closed.stdout,
        "#1 closed: local://gitlab-com/support/support-ops/feedback-review/-/issues/1\n"
    );
    sheet.push_str(&later.replace("8:00:00", "8:30:00"));
    std::fs::write(dir.path().join("feedback.csv"), &sheet).expect("write the sheet");
    let reopened = run(dir.path(), &["review", "feedback.csv", "--format", "json"]);
    let doc: Value = serde_json::from_str(&reopened.stdout).expect("one JSON document");
    assert_eq!(doc["actions"][0]["kind"], "create");
    assert_eq!(doc["actions"][0]["issue"]["iid"], 3);
    assert_eq!(doc["actions"][0]["previous_issue"]["iid"], 1);

    let show = run(dir.path(), &["issues", "show", "3"]);
    assert!(
        show.stdout.contains(
            "An earlier review of this subject was closed: \
             local://gitlab-com/support/support-ops/feedback-review/-/issues/1"
        ),
        "{}",
        show.stdout
    );
    let closed_list = run(
        dir.path(),
        &["issues", "list", "--state", "closed", "--format", "json"],
    );
    let doc: Value = serde_json::from_str(&closed_list.stdout).expect("one JSON document");
    assert_eq!(doc["issues"].as_array().map(Vec::len), Some(1));
}

/// A sheet of `rows` Red responses about `subjects` different issues.
fn many_subjects(rows: u64, subjects: u64) -> String {
    let mut sheet = SHEET.lines().next().expect("the header").to_owned();
    sheet.push_str("\r\n");
    for n in 0..rows {
        sheet.push_str(&format!(
            "2/{}/2026 9:{:02}:00,https://gitlab.com/g/p/-/issues/{},It was not solved,Results,\
             comment {n},1,user{n}@example.com,AMER,\r\n",
            1 + n / 60,
            n % 60,
            n % subjects
        ));
    }
    sheet
}

/// Two `supportops review` processes started together on one store (a scheduled run and a
/// person, say): the second waits for the first, then finds nothing new. No subject gets two
/// issues, and every flagged row is covered.
#[test]
fn two_reviews_at_once_file_each_subject_once() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("feedback.csv"), many_subjects(240, 80)).expect("the sheet");

    let start = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_supportops"));
        cmd.current_dir(dir.path())
            .env_remove("SUPPORTOPS_CONFIG")
            .env_remove("GITLAB_TOKEN")
            .env("NO_COLOR", "1")
            .args(["review", "feedback.csv", "--format", "json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().expect("the binary starts")
    };
    let runs = [start(), start()];
    let mut filed = 0;
    for run in runs {
        let out = run.wait_with_output().expect("the run ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
        filed += doc["actions"].as_array().map_or(0, Vec::len);
    }

    let list = run(dir.path(), &["issues", "list", "--format", "json"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let doc: Value = serde_json::from_str(&list.stdout).expect("one JSON document");
    let mut titles: Vec<&str> = doc["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| i["title"].as_str().expect("a title"))
        .collect();
    titles.sort_unstable();
    let count = titles.len();
    titles.dedup();
    assert_eq!(count, titles.len(), "a subject was filed twice");
    assert_eq!(count, 80);
    assert_eq!(filed, 80, "between them the runs filed each subject once");

    let again = run(dir.path(), &["review", "feedback.csv", "--format", "json"]);
    let doc: Value = serde_json::from_str(&again.stdout).expect("one JSON document");
    assert_eq!(doc["nothing_new"], true);
    assert_eq!(doc["already_covered"], 240);
}

#[test]
fn two_open_reviews_of_one_subject_after_a_reopen_are_flagged() {
    let dir = workdir();
    assert_eq!(run(dir.path(), &["review", "feedback.csv"]).code, 0);
    assert_eq!(run(dir.path(), &["issues", "close", "1"]).code, 0);
    let later = "2/9/2026 8:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12,It is still open,,Still broken,1,gu@example.com,AMER,\r\n";
    let mut sheet = SHEET.to_owned();
    sheet.push_str(later);
    std::fs::write(dir.path().join("feedback.csv"), &sheet).expect("write the sheet");
    let second = run(dir.path(), &["review", "feedback.csv"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        !second.stderr.contains("open review issues"),
        "{}",
        second.stderr
    );

    // Someone reopens the first review: the subject now has two open ones.
    assert_eq!(run(dir.path(), &["issues", "reopen", "1"]).code, 0);
    let again = run(dir.path(), &["review", "feedback.csv"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    insta::assert_snapshot!(again.stderr, @r"warning: `https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12` has 2 open review issues (#1, #3); later responses are noted on the latest, #3: close the others");
    let doc = run(dir.path(), &["review", "feedback.csv", "--format", "json"]);
    let doc: Value = serde_json::from_str(&doc.stdout).expect("one JSON document");
    assert_eq!(
        doc["open_duplicates"],
        serde_json::json!([{
            "subject": "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12",
            "iids": [1, 3],
            "latest": 3
        }])
    );
}

#[test]
fn issues_note_adds_a_note_once_and_records_it() {
    let dir = workdir();
    assert_eq!(run(dir.path(), &["review", "feedback.csv"]).code, 0);
    std::fs::write(dir.path().join("plan.md"), "Action plan: fix the macros.\n")
        .expect("write the note");

    let first = run(
        dir.path(),
        &["issues", "note", "1", "--body-file", "plan.md"],
    );
    let again = run(
        dir.path(),
        &["issues", "note", "#1", "--body-file", "plan.md"],
    );

    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stdout.starts_with("#1 noted (note "),
        "{}",
        first.stdout
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.starts_with("#1 already ends with this note"),
        "{}",
        again.stdout
    );
    let shown = run(dir.path(), &["issues", "show", "1", "--format", "json"]);
    let doc: Value = serde_json::from_str(&shown.stdout).expect("one JSON document");
    let plans = doc["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter(|n| n["body"].as_str().unwrap_or("").contains("Action plan"))
        .count();
    assert_eq!(plans, 1);
    let empty = run(
        dir.path(),
        &["issues", "note", "1", "--body-file", "missing.md"],
    );
    assert_eq!(empty.code, 2, "{}", empty.stderr);
    assert!(empty.stderr.contains("`missing.md`"), "{}", empty.stderr);
}

#[test]
fn issues_edit_replaces_the_description_and_is_safe_to_rerun() {
    let dir = workdir();
    assert_eq!(run(dir.path(), &["review", "feedback.csv"]).code, 0);
    std::fs::write(
        dir.path().join("d.md"),
        "## Action plan\n\nFix the macros.\n",
    )
    .expect("write the description");

    let first = run(
        dir.path(),
        &["issues", "edit", "1", "--description-file", "d.md"],
    );
    let again = run(
        dir.path(),
        &["issues", "edit", "1", "--description-file", "d.md"],
    );

    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.starts_with("#1 edited: "), "{}", first.stdout);
    assert!(
        again.stdout.starts_with("#1 already has this description"),
        "{}",
        again.stdout
    );
    let shown = run(dir.path(), &["issues", "show", "1", "--format", "json"]);
    let doc: Value = serde_json::from_str(&shown.stdout).expect("one JSON document");
    assert_eq!(doc["description"], "## Action plan\n\nFix the macros.\n");
}
