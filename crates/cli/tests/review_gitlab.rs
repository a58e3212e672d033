//! `supportops review` against GitLab (the fake GitLab on loopback), configured the way a
//! scheduled CI job configures it: environment overrides and the token in `GITLAB_TOKEN`.

use std::path::Path;

use supportops_test_support::gitlab::{FakeGitLab, Fault, Match};

const PROJECT: &str = "gitlab-com/support/support-ops/feedback-review";

const SHEET: &str = "\
Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r
2/3/2026 9:15:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12,It was not solved,Collaboration,Macros still wrong,1,amy@example.com,AMER,\r
2/4/2026 10:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,It was closed as it became a stale issue,Efficiency,,3,bo@example.com,EMEA,\r
2/5/2026 11:30:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/issues/12#note_9,It was not solved,Results,Slow,3,cy@example.com,APAC,\r
";

const TEMPLATE: &str = "## Summary\n\nFeedback about {{ reference }}.\n\n## Action plan\n\n/label ~\"needs-action-plan\"\n";

async fn gitlab() -> FakeGitLab {
    let gitlab = FakeGitLab::start().await;
    gitlab.add_project(PROJECT);
    gitlab.add_user("alice", "Alice");
    gitlab.add_user("bob", "Bob");
    gitlab.add_template(PROJECT, "Feedback Review", TEMPLATE);
    gitlab
}

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary on a blocking thread so the fake keeps answering.
async fn run_review(dir: &Path, base_url: &str, token: &str) -> Output {
    run_review_with(
        dir,
        base_url,
        token,
        &[("SUPPORTOPS__TRACKER__MAX_RETRIES", "0")],
    )
    .await
}

/// Runs the binary with more environment overrides.
async fn run_review_with(dir: &Path, base_url: &str, token: &str, env: &[(&str, &str)]) -> Output {
    let dir = dir.to_path_buf();
    let base_url = base_url.to_owned();
    let token = token.to_owned();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let out = assert_cmd::Command::cargo_bin("supportops")
            .expect("the binary is built")
            .current_dir(&dir)
            .env_remove("SUPPORTOPS_CONFIG")
            .env("NO_COLOR", "1")
            .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
            .env("SUPPORTOPS__TRACKER__URL", &base_url)
            .env("SUPPORTOPS__REVIEW__ASSIGNEES", r#"["alice", "bob"]"#)
            .env("GITLAB_TOKEN", &token)
            .envs(env)
            .args(["review", "feedback.csv", "--format", "json"])
            .output()
            .expect("the binary runs");
        Output {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("the run finishes")
}

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("feedback.csv"), SHEET).expect("write the sheet");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_files_in_gitlab_from_the_template_and_a_ci_rerun_without_store_files_nothing() {
    let gitlab = gitlab().await;
    let dir = workdir();
    let first = run_review(dir.path(), gitlab.base_url(), gitlab.token()).await;
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let doc: serde_json::Value = serde_json::from_str(&first.stdout).expect("one JSON document");
    assert_eq!(
        doc["tracker"].as_str().map(|t| t.starts_with("gitlab")),
        Some(true)
    );

    let issues = gitlab.issues(PROJECT);
    assert_eq!(issues.len(), 2);
    let review = &issues[0];
    assert_eq!(
        review.title,
        "Feedback Review: gitlab-com/support/support-ops/zendesk#12"
    );
    assert!(
        review
            .description
            .starts_with("## Summary\n\nFeedback about gitlab-com/support/support-ops/zendesk#12."),
        "{}",
        review.description
    );
    assert!(
        review.labels.contains(&"Feedback Review".to_owned()),
        "{:?}",
        review.labels
    );
    assert!(
        review.labels.contains(&"needs-action-plan".to_owned()),
        "{:?}",
        review.labels
    );
    let mut assignees = review.assignees.clone();
    assignees.sort();
    assert_eq!(assignees, ["alice", "bob"]);
    assert!(!review.description.contains("example.com"));

    // A scheduled job without a cached store starts empty: the markers prevent duplicates.
    std::fs::remove_file(dir.path().join("supportops.db")).expect("remove the store");
    let again = run_review(dir.path(), gitlab.base_url(), gitlab.token()).await;
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    let doc: serde_json::Value = serde_json::from_str(&again.stdout).expect("one JSON document");
    assert_eq!(doc["nothing_new"], true, "{doc:#}");
    assert_eq!(doc["found"].as_array().map(Vec::len), Some(2));
    assert_eq!(gitlab.issues(PROJECT).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_fails_with_exit_1_naming_the_variable() {
    let gitlab = gitlab().await;
    let dir = workdir();
    let out = run_review(dir.path(), gitlab.base_url(), "glpat-wrong").await;
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("(401)"), "{}", out.stderr);
    assert!(out.stderr.contains("`GITLAB_TOKEN`"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("glpat-wrong"),
        "the token is never shown"
    );
    assert!(gitlab.issues(PROJECT).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_gitlab_is_waited_out() {
    let gitlab = gitlab().await;
    gitlab.fail(
        Match::get("/issues"),
        Fault::TooManyRequests(Some("1".into())),
        1,
    );
    gitlab.fail(
        Match::post("/issues"),
        Fault::TooManyRequests(Some("1".into())),
        1,
    );
    let dir = workdir();

    let out = run_review_with(
        dir.path(),
        gitlab.base_url(),
        gitlab.token(),
        &[("SUPPORTOPS__TRACKER__MAX_RETRIES", "2")],
    )
    .await;

    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(gitlab.issues(PROJECT).len(), 2);
    let limited = gitlab.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(limited, 2);
}

/// GitLab makes the issue but its answer never comes: the run settles it by its marker at
/// once, files the other subject, and exits 0 with no duplicate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_create_is_settled_in_the_run_without_a_duplicate() {
    let gitlab = gitlab().await;
    gitlab.fail(Match::post("/issues"), Fault::AcceptThenHang, 1);
    let dir = workdir();
    let env = [("SUPPORTOPS__TRACKER__TIMEOUT_SECONDS", "1")];

    let first = run_review_with(dir.path(), gitlab.base_url(), gitlab.token(), &env).await;

    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let issues = gitlab.issues(PROJECT);
    assert_eq!(issues.len(), 2, "one issue per subject, none twice");
    assert_ne!(issues[0].title, issues[1].title);
    assert_eq!(gitlab.requests_to("POST", "/issues").len(), 2);

    let again = run_review_with(dir.path(), gitlab.base_url(), gitlab.token(), &env).await;
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(gitlab.issues(PROJECT).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tracker_url_that_is_not_an_address_is_bad_input() {
    let gitlab = gitlab().await;
    let dir = workdir();

    let out = run_review(dir.path(), "gitlab.example.com", gitlab.token()).await;

    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("`tracker.url`"), "{}", out.stderr);
    assert!(gitlab.requests().is_empty());
}
