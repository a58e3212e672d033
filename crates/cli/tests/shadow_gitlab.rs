//! `supportops shadow` against GitLab (the fake GitLab on loopback): the Support Shadowing
//! issue comes from the project's template and mentions the region's managers; an improvement
//! issue's description references the shadowing issue's URL.

use std::path::Path;

use supportops_test_support::gitlab::{FakeGitLab, Fault, Match};

const SHADOWING: &str = "gitlab-com/support/support-ops/support-shadowing";
const IMPROVEMENTS: &str = "gitlab-com/support/support-ops/support-ops-project";

const CONFIG: &str = r#"
[store]
url = "sqlite://supportops.db"

[tracker]
kind = "gitlab"
max_retries = 0

[[team.members]]
username = "amara"
name = "Amara Okafor"
timezone = "America/New_York"
hours = "09:00-17:00"

[shadowing.regions.AMER]
managers = ["amer-manager", "amer-lead"]
timezone = "America/Chicago"
"#;

const TEMPLATE: &str =
    "## Notes for {{ member_name }}\n\n<!-- What slowed the engineer down? -->\n";

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary on a blocking thread so the fake keeps answering.
async fn run(dir: &Path, gitlab: &FakeGitLab, args: &[&str]) -> Output {
    let dir = dir.to_path_buf();
    let base_url = gitlab.base_url().to_owned();
    let token = gitlab.token().to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let out = assert_cmd::Command::cargo_bin("supportops")
            .expect("the binary is built")
            .current_dir(&dir)
            .env_remove("SUPPORTOPS_CONFIG")
            .env("NO_COLOR", "1")
            .env("SUPPORTOPS_NOW", "2026-11-20T10:00:00Z")
            .env("SUPPORTOPS__TRACKER__URL", &base_url)
            .env("GITLAB_TOKEN", &token)
            .args(&args)
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

async fn ok(dir: &Path, gitlab: &FakeGitLab, args: &[&str]) -> serde_json::Value {
    let out = run(dir, gitlab, args).await;
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_and_improve_file_linked_issues_in_gitlab() {
    let gitlab = FakeGitLab::start().await;
    gitlab.add_project(SHADOWING);
    gitlab.add_project(IMPROVEMENTS);
    gitlab.add_user("amara", "Amara Okafor");
    gitlab.add_template(SHADOWING, "Support Shadowing", TEMPLATE);
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("supportops.toml"), CONFIG).expect("write the config");
    let d = dir.path();

    let plan = ok(
        d,
        &gitlab,
        &[
            "shadow", "plan", "--month", "2026-12", "--apply", "--format", "json",
        ],
    )
    .await;
    let id = plan["sessions"][0]["id"]
        .as_i64()
        .expect("an id")
        .to_string();

    let scheduled = ok(
        d,
        &gitlab,
        &[
            "shadow",
            "schedule",
            &id,
            "--at",
            "2026-12-08 10:00",
            "--format",
            "json",
        ],
    )
    .await;
    let issues = gitlab.issues(SHADOWING);
    assert_eq!(issues.len(), 1);
    let issue = &issues[0];
    let issue_url = format!("{}/{SHADOWING}/-/issues/{}", gitlab.base_url(), issue.iid);
    assert_eq!(scheduled["filed"]["web_url"], issue_url.as_str());
    insta::assert_snapshot!(format!("# {}\n\n{}", issue.title, issue.description), @"
    # Support Shadowing: Amara Okafor shadows AMER on 2026-12-08

    **Amara Okafor** (@amara) shadows a Support Engineer in **AMER**; the engineer is still to be found.

    - **Amara Okafor's time** (America/New_York): Tue 8 Dec 2026, 10:00–11:00 EST
    - **AMER time** (America/Chicago): Tue 8 Dec 2026, 09:00–10:00 CST
    - **Length:** 60 minutes
    - **Counts toward:** 2026-12 (session 1)

    @amer-manager @amer-lead: please help find a Support Engineer in AMER for this session.

    ## Notes for Amara Okafor

    <!-- What slowed the engineer down? -->

    <!-- supportops:shadowing-session=1/amara/AMER -->
    ");
    assert_eq!(issue.assignees, ["amara"]);

    std::fs::write(
        d.join("body.md"),
        "Ticket views cannot be filtered by region.\n",
    )
    .expect("body");
    let improved = ok(
        d,
        &gitlab,
        &[
            "shadow",
            "improve",
            &id,
            "--title",
            "Filter views by region",
            "--body",
            "body.md",
            "--format",
            "json",
        ],
    )
    .await;
    let improvements = gitlab.issues(IMPROVEMENTS);
    assert_eq!(improvements.len(), 1);
    let improvement = &improvements[0];
    let improvement_url = format!(
        "{}/{IMPROVEMENTS}/-/issues/{}",
        gitlab.base_url(),
        improvement.iid
    );
    assert!(
        improvement.description.contains(&format!(
            "Found while shadowing: {} (Amara Okafor",
            issue_url
        )),
        "{}",
        improvement.description
    );
    assert_eq!(
        improved["session"]["improvements"][0]["web_url"],
        improvement_url.as_str()
    );
    let comments = gitlab.comments(SHADOWING, issue.iid);
    assert!(
        comments.iter().any(|c| c.body.contains(&improvement_url)),
        "{comments:?}"
    );

    // A rerun finds the improvement by its marker and files nothing new.
    let again = ok(
        d,
        &gitlab,
        &[
            "shadow",
            "improve",
            &id,
            "--title",
            "Filter views by region",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(again["found_existing"], true);
    assert_eq!(gitlab.issues(IMPROVEMENTS).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_token_is_named() {
    let gitlab = FakeGitLab::start().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("supportops.toml"), CONFIG).expect("write the config");
    let d = dir.path().to_path_buf();
    let base_url = gitlab.base_url().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("supportops")
            .expect("the binary is built")
            .current_dir(&d)
            .env_remove("SUPPORTOPS_CONFIG")
            .env_remove("GITLAB_TOKEN")
            .env("SUPPORTOPS__TRACKER__URL", &base_url)
            .args(["shadow", "schedule", "1", "--at", "2026-12-08 10:00"])
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("the run finishes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("`GITLAB_TOKEN`"), "{stderr}");
}

/// GitLab answering 500 after it made the Support Shadowing issue, the cancellation note and
/// the close: each is found in the same run (by its marker, its text, the state) and nothing
/// is made twice; the commands succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_whose_answer_is_a_500_after_commit_are_settled_in_the_run() {
    let gitlab = FakeGitLab::start().await;
    gitlab.add_project(SHADOWING);
    gitlab.add_user("amara", "Amara Okafor");
    gitlab.add_template(SHADOWING, "Support Shadowing", TEMPLATE);
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("supportops.toml"), CONFIG).expect("write the config");
    let d = dir.path();
    let plan = ok(
        d,
        &gitlab,
        &[
            "shadow", "plan", "--month", "2026-12", "--apply", "--format", "json",
        ],
    )
    .await;
    let id = plan["sessions"][0]["id"]
        .as_i64()
        .expect("an id")
        .to_string();

    gitlab.fail(
        Match::post("/issues").with_body("Support Shadowing:"),
        Fault::CommitThenStatus(500),
        1,
    );
    ok(
        d,
        &gitlab,
        &[
            "shadow",
            "schedule",
            &id,
            "--at",
            "2026-12-08 10:00",
            "--format",
            "json",
        ],
    )
    .await;
    let issues = gitlab.issues(SHADOWING);
    assert_eq!(issues.len(), 1, "made once");
    let iid = issues[0].iid;

    gitlab.fail(Match::post("/notes"), Fault::CommitThenStatus(500), 1);
    gitlab.fail(Match::put("/issues/"), Fault::CommitThenStatus(500), 1);
    let cancelled = run(
        d,
        &gitlab,
        &[
            "shadow",
            "cancel",
            &id,
            "--reason",
            "Amara is on leave",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(cancelled.code, Some(0), "{}", cancelled.stderr);
    let notes: Vec<_> = gitlab
        .comments(SHADOWING, iid)
        .into_iter()
        .filter(|c| c.body.contains("Amara is on leave"))
        .collect();
    assert_eq!(notes.len(), 1, "noted once: {notes:?}");
    assert_eq!(
        gitlab.issue(SHADOWING, iid).expect("the issue").state,
        "closed"
    );
}
