//! `supportops review` when GitLab refuses some of the work: the refused subjects are listed
//! (table and `--format json`), every other subject is filed, the exit code is 1; a refused
//! token stops the run at once. And after every forced failure (401, 500, a refused
//! connection), no secret appears in the output or the store.

use std::path::Path;

use supportops_test_support::gitlab::{FakeGitLab, Fault, Match};

const PROJECT: &str = "gitlab-com/support/support-ops/feedback-review";

const SHEET: &str = "\
Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r
2/3/2026 9:15:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12,It was not solved,Collaboration,Macros still wrong,1,amy@example.com,AMER,\r
2/4/2026 10:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,It was not solved,Efficiency,Slow,1,bo@example.com,EMEA,\r
2/5/2026 11:30:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/30,It was not solved,Results,Forms broken,1,cy@example.com,APAC,\r
";

/// The secrets the runs below are given; none may ever be shown or stored.
const WEBHOOK_SECRET: &str = "whsec-do-not-show-7f3a9c";

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn gitlab() -> FakeGitLab {
    let gitlab = FakeGitLab::start().await;
    gitlab.add_project(PROJECT);
    gitlab.add_user("alice", "Alice");
    gitlab
}

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("feedback.csv"), SHEET).expect("write the sheet");
    dir
}

async fn review(dir: &Path, base_url: &str, token: &str, format: &str) -> Output {
    let dir = dir.to_path_buf();
    let base_url = base_url.to_owned();
    let token = token.to_owned();
    let format = format.to_owned();
    tokio::task::spawn_blocking(move || {
        let out = assert_cmd::Command::cargo_bin("supportops")
            .expect("the binary is built")
            .current_dir(&dir)
            .env_remove("SUPPORTOPS_CONFIG")
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "trace")
            .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
            .env("SUPPORTOPS__TRACKER__URL", &base_url)
            .env("SUPPORTOPS__TRACKER__MAX_RETRIES", "0")
            .env("SUPPORTOPS__REVIEW__ASSIGNEES", r#"["alice"]"#)
            .env("GITLAB_TOKEN", &token)
            .env("SUPPORTOPS_WEBHOOK_TOKEN", WEBHOOK_SECRET)
            .args(["review", "feedback.csv", "--format", &format])
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

/// Every byte of the store's files, to search for secrets.
fn store_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("the directory reads")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("supportops.db") {
            bytes.extend(std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    bytes
}

fn assert_no_secret(out: &Output, dir: &Path, secrets: &[&str]) {
    let store = store_bytes(dir);
    for secret in secrets {
        assert!(
            !out.stdout.contains(secret),
            "{secret} in stdout: {}",
            out.stdout
        );
        assert!(
            !out.stderr.contains(secret),
            "{secret} in stderr: {}",
            out.stderr
        );
        assert!(
            !store.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} in the store"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_subject_is_listed_the_others_filed_and_the_run_exits_1() {
    let gitlab = gitlab().await;
    gitlab.fail(
        Match::post("/issues").with_body("zendesk!7"),
        Fault::Status(422),
        10,
    );
    let dir = workdir();

    let out = review(dir.path(), gitlab.base_url(), gitlab.token(), "json").await;

    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    let failures = doc["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 1, "{doc:#}");
    assert_eq!(
        failures[0]["subject"],
        "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7"
    );
    assert_eq!(failures[0]["code"], "rejected");
    assert_eq!(failures[0]["status"], 422);
    assert_eq!(failures[0]["pending"], false);
    assert_eq!(doc["actions"].as_array().map(Vec::len), Some(2));
    assert_eq!(gitlab.issues(PROJECT).len(), 2);
    assert!(
        out.stderr
            .contains("1 subject of the run could not be filed"),
        "{}",
        out.stderr
    );

    // The table says which and why; the next run files it once GitLab takes it.
    let table = review(dir.path(), gitlab.base_url(), gitlab.token(), "table").await;
    assert_eq!(table.code, Some(1), "{}", table.stderr);
    assert!(
        table.stdout.contains("Could not file 1 subject:"),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains("gitlab-com/support/support-ops/zendesk!7"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("(422)"), "{}", table.stdout);
    assert_no_secret(&table, dir.path(), &[gitlab.token(), WEBHOOK_SECRET]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_the_run_at_once_and_is_never_shown() {
    let gitlab = gitlab().await;
    let dir = workdir();
    let wrong = "glpat-wrong-secret-41f0";

    let out = review(dir.path(), gitlab.base_url(), wrong, "table").await;

    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("(401)"), "{}", out.stderr);
    assert!(gitlab.issues(PROJECT).is_empty());
    assert_eq!(
        gitlab.requests().len(),
        1,
        "nothing more is asked after a 401"
    );
    assert_no_secret(&out, dir.path(), &[wrong, gitlab.token(), WEBHOOK_SECRET]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_a_refused_connection_show_no_secret() {
    let gitlab = gitlab().await;
    gitlab.fail(Match::any(), Fault::Status(500), 1000);
    let dir = workdir();

    let failing = review(dir.path(), gitlab.base_url(), gitlab.token(), "json").await;

    assert_eq!(failing.code, Some(1), "{}", failing.stderr);
    assert!(failing.stderr.contains("500"), "{}", failing.stderr);
    assert_no_secret(&failing, dir.path(), &[gitlab.token(), WEBHOOK_SECRET]);

    // A port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        format!("http://{}", listener.local_addr().expect("an address"))
    };
    let refused = review(dir.path(), &closed, gitlab.token(), "table").await;

    assert_eq!(refused.code, Some(1), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("cannot connect"),
        "{}",
        refused.stderr
    );
    assert_no_secret(&refused, dir.path(), &[gitlab.token(), WEBHOOK_SECRET]);
}

/// One HTTP/1.1 POST over a plain socket; the status line's code.
fn post(addr: &str, path: &str, bearer: &str, body: &str) -> u16 {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).expect("the service listens");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("a timeout");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {bearer}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .expect("the request is sent");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// `supportops serve` logging at trace level, its filing job meeting 500s from GitLab, and a
/// webhook call with a wrong secret: neither secret is in its logs, its output or its store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_logs_no_secret_at_trace_level() {
    use std::io::BufRead as _;
    let gitlab = gitlab().await;
    gitlab.fail(Match::any(), Fault::Status(500), 1000);
    let dir = workdir();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("supportops"))
        .current_dir(dir.path())
        .env_remove("SUPPORTOPS_CONFIG")
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "trace")
        .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
        .env("SUPPORTOPS__TRACKER__URL", gitlab.base_url())
        .env("SUPPORTOPS__TRACKER__MAX_RETRIES", "0")
        .env("GITLAB_TOKEN", gitlab.token())
        .env("SUPPORTOPS_WEBHOOK_TOKEN", WEBHOOK_SECRET)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the service starts");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("the service says where it listens");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("an address")
        .to_owned();
    let body = r#"{"Timestamp": "2026-11-26T09:15:00Z", "Issue/MR link": "https://gitlab.com/a/b/-/issues/9", "Resolution": "It was not solved", "F": 1}"#;

    let wrong = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || post(&addr, "/hooks/feedback", "not-the-secret", body)
    })
    .await
    .expect("posted");
    let right = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || post(&addr, "/hooks/feedback", WEBHOOK_SECRET, body)
    })
    .await
    .expect("posted");
    // The filing job meets GitLab's 500s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while gitlab.requests().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let _ = child.kill();
    let out = child.wait_with_output().expect("the service stops");
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut stdout, &mut rest);

    assert_eq!((wrong, right), (401, 202));
    assert!(
        !gitlab.requests().is_empty(),
        "the filing job called GitLab"
    );
    let output = Output {
        code: None,
        stdout: format!("{first}{rest}"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        output.stderr.contains("TRACE") || output.stderr.contains("DEBUG"),
        "logs at trace level"
    );
    assert_no_secret(&output, dir.path(), &[gitlab.token(), WEBHOOK_SECRET]);
}

/// Runs the binary with `args` against the fake GitLab, as [`review`] does.
async fn supportops(dir: &Path, base_url: &str, token: &str, args: &[&str]) -> Output {
    let dir = dir.to_path_buf();
    let base_url = base_url.to_owned();
    let token = token.to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let out = assert_cmd::Command::cargo_bin("supportops")
            .expect("the binary is built")
            .current_dir(&dir)
            .env_remove("SUPPORTOPS_CONFIG")
            .env("NO_COLOR", "1")
            .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
            .env("SUPPORTOPS__TRACKER__URL", &base_url)
            .env("SUPPORTOPS__TRACKER__MAX_RETRIES", "0")
            .env("SUPPORTOPS__REVIEW__ASSIGNEES", r#"["alice"]"#)
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

/// `sync outcome` when GitLab answers 500 after it changed the labels: the labels already
/// applied settle it in the same run, exit 0, the outcome recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outcome_label_change_answered_500_after_commit_is_settled_in_the_run() {
    let gitlab = gitlab().await;
    let dir = workdir();
    let filed = review(dir.path(), gitlab.base_url(), gitlab.token(), "json").await;
    assert_eq!(filed.code, Some(0), "{}", filed.stderr);

    gitlab.fail(Match::put("/issues/1"), Fault::CommitThenStatus(500), 1);
    let out = supportops(
        dir.path(),
        gitlab.base_url(),
        gitlab.token(),
        &["sync", "outcome", "1", "resolved", "--format", "json"],
    )
    .await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let answer: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout));
    assert_eq!(answer["label"], "review-outcome::resolved");
    let labels = gitlab.issue(PROJECT, 1).expect("issue #1").labels;
    assert!(
        labels.contains(&"review-outcome::resolved".to_owned()),
        "{labels:?}"
    );
    assert_eq!(
        gitlab.requests_to("PUT", "/issues/1").len(),
        1,
        "found applied, not sent again"
    );
}
