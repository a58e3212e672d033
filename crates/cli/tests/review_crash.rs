//! `supportops review` killed and faulted, with the real binary against the fake GitLab over
//! HTTP: whatever point a run dies at, and whatever GitLab answers (500 after committing, 500
//! before, 429), the next uninterrupted run ends with exit 0, no duplicate issue, no duplicated
//! note and no response uncovered. Also two runs on one store at once, and two stores (two
//! machines) at once.
//!
//! The kill loop runs `SUPPORTOPS_CRASH_POINTS` points (30 by default, as in `.ci/run`;
//! `.ci/run --long` runs 300), each placed by a seeded generator (`SUPPORTOPS_CRASH_SEED`, printed
//! when the test fails) either after a number of milliseconds (during the import) or after a
//! number of requests reached GitLab (between an intent and its create, between a create and
//! its record, during notes).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use supportops_domain::ResponseKey;
use supportops_domain::review::{covered_keys_in, markers_in};
use supportops_test_support::gitlab::{FakeGitLab, Fault, Match};

const PROJECT: &str = "gitlab-com/support/support-ops/feedback-review";
const HEADER: &str = "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r\n";

/// A small generator, so a failing point can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The subject of number `s`: issues and merge requests in a few projects.
fn subject(s: u64) -> String {
    if s.is_multiple_of(3) {
        format!("https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/{s}")
    } else {
        format!("https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/{s}")
    }
}

/// `rows` flagged (Red) responses about `subjects` subjects, and their keys.
fn sheet(rows: u64, subjects: u64) -> (String, Vec<ResponseKey>) {
    let mut text = HEADER.to_owned();
    let mut keys = Vec::new();
    for n in 0..rows {
        let ts = format!("3/{}/2026 {}:{:02}:00", 1 + n % 28, 8 + n % 10, n % 60);
        let link = subject(1 + (n * 7) % subjects);
        let who = format!("user{n}@example.com");
        text.push_str(&format!(
            "{ts},{link},It was not solved,Results,comment {n},1,{who},EMEA,\r\n"
        ));
        keys.push(ResponseKey::derive(&ts, &link, &who));
    }
    (text, keys)
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("supportops")
}

/// The review command, configured as a scheduled CI job configures it.
fn review_command(dir: &Path, base_url: &str, token: &str) -> Command {
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env("NO_COLOR", "1")
        .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
        .env("SUPPORTOPS__TRACKER__URL", base_url)
        .env("SUPPORTOPS__TRACKER__MAX_RETRIES", "3")
        .env("SUPPORTOPS__TRACKER__TIMEOUT_SECONDS", "5")
        .env("SUPPORTOPS__REVIEW__ASSIGNEES", r#"["alice"]"#)
        .env("SUPPORTOPS__REVIEW__LOCK_LEASE_SECONDS", "1")
        .env("GITLAB_TOKEN", token)
        .args(["review", "feedback.csv", "--format", "json"])
        .stdin(Stdio::null());
    cmd
}

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary to its end on a blocking thread, so the fake keeps answering.
async fn run_to_end(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || {
        let out = cmd.output().expect("the binary runs");
        Output {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("the run finishes")
}

async fn fake() -> FakeGitLab {
    let gitlab = FakeGitLab::start().await;
    gitlab.add_project(PROJECT);
    gitlab.add_user("alice", "Alice");
    gitlab
}

/// What GitLab holds, checked: per subject marker its issues, every response listed at most
/// once over all issues and notes, and the open issues per subject.
struct Audit {
    /// Issues per subject marker.
    issues: BTreeMap<String, usize>,
    /// Open issues per subject marker.
    open: BTreeMap<String, usize>,
    /// Keys listed more than once (a duplicated filing).
    twice: Vec<String>,
    /// Every key listed on an open issue (closed duplicates left out).
    listed: BTreeSet<String>,
}

fn audit(gitlab: &FakeGitLab) -> Audit {
    let mut audit = Audit {
        issues: BTreeMap::new(),
        open: BTreeMap::new(),
        twice: Vec::new(),
        listed: BTreeSet::new(),
    };
    let mut seen = BTreeSet::new();
    for issue in gitlab.issues(PROJECT) {
        let Some(marker) = markers_in(&issue.description)
            .first()
            .map(|m| (*m).to_owned())
        else {
            continue;
        };
        *audit.issues.entry(marker.clone()).or_default() += 1;
        let open = issue.state == "opened";
        if open {
            *audit.open.entry(marker).or_default() += 1;
        }
        if !open {
            // A duplicate closed by convergence: its responses were moved to the open one.
            continue;
        }
        let mut texts = vec![issue.description.clone()];
        texts.extend(
            gitlab
                .comments(PROJECT, issue.iid)
                .into_iter()
                .map(|n| n.body),
        );
        for text in texts {
            for key in covered_keys_in(&text) {
                let key = key.as_str().to_owned();
                if !seen.insert(key.clone()) {
                    audit.twice.push(key.clone());
                }
                audit.listed.insert(key);
            }
        }
    }
    audit
}

fn expected(keys: &[ResponseKey]) -> BTreeSet<String> {
    keys.iter().map(|k| k.as_str().to_owned()).collect()
}

/// Kills `supportops review` at seeded points (during the import, between intent and create,
/// between create and record, during notes) while GitLab answers 500 after committing, 500
/// before, and 429; then one uninterrupted run files the rest: exit 0, one issue per subject,
/// no response listed twice, none left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_any_point_the_next_run_files_everything_once() {
    let points: u64 = std::env::var("SUPPORTOPS_CRASH_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let seed: u64 = std::env::var("SUPPORTOPS_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_cafe);
    let mut rng = Rng(seed.max(1));
    let gitlab = fake().await;
    // Each request held a little, so a kill lands inside one.
    gitlab.set_latency(Duration::from_millis(15));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let subjects = 40;
    // The sheet grows at every point: new subjects (creates) and new responses about subjects
    // filed already (notes), so that every run has work to be killed in.
    let rows_at = |point: u64| 10 + 4 * point;
    let (_, keys) = sheet(rows_at(points), subjects);

    for point in 0..points {
        let (text, _) = sheet(rows_at(point), subjects);
        std::fs::write(dir.path().join("feedback.csv"), text).expect("write the sheet");
        // GitLab's faults, renewed now and then, consumed by whichever run meets them.
        if point.is_multiple_of(5) {
            gitlab.fail(Match::post("/issues"), Fault::CommitThenStatus(500), 1);
            gitlab.fail(Match::post("/notes"), Fault::CommitThenStatus(502), 1);
            gitlab.fail(
                Match::post("/issues"),
                Fault::TooManyRequests(Some("0".into())),
                1,
            );
            gitlab.fail(
                Match::get("/issues"),
                Fault::TooManyRequests(Some("0".into())),
                1,
            );
        }
        let before = gitlab.requests().len();
        let mut child = review_command(dir.path(), gitlab.base_url(), gitlab.token())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let by_time = rng.below(4) == 0;
        let after_ms = rng.below(200);
        let after_requests = 1 + rng.below(60) as usize;
        let started = Instant::now();
        loop {
            if child.try_wait().expect("the child is there").is_some() {
                break;
            }
            let due = if by_time {
                started.elapsed() >= Duration::from_millis(after_ms)
            } else {
                gitlab.requests().len() >= before + after_requests
            };
            if due || started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill(); // SIGKILL
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let _ = tokio::task::spawn_blocking(move || child.wait())
            .await
            .expect("the child is reaped");
        let log = gitlab.requests();
        let posts = log[before..].iter().filter(|r| r.method == "POST").count();
        eprintln!(
            "point {point}: killed after {} ({} requests, {posts} posts), {} issues in GitLab",
            if by_time {
                format!("{after_ms} ms")
            } else {
                format!("{after_requests} requests")
            },
            log.len() - before,
            gitlab.issues(PROJECT).len()
        );
    }

    let (text, _) = sheet(rows_at(points), subjects);
    std::fs::write(dir.path().join("feedback.csv"), text).expect("write the sheet");
    let last = run_to_end(review_command(
        dir.path(),
        gitlab.base_url(),
        gitlab.token(),
    ))
    .await;

    assert_eq!(
        last.code,
        Some(0),
        "seed {seed}: {}\n{}",
        last.stderr,
        last.stdout
    );
    let audit = audit(&gitlab);
    let filed: BTreeSet<u64> = (0..rows_at(points))
        .map(|n| 1 + (n * 7) % subjects)
        .collect();
    assert_eq!(
        audit.issues.len(),
        filed.len(),
        "seed {seed}: every subject filed"
    );
    for (marker, n) in &audit.issues {
        assert_eq!(*n, 1, "seed {seed}: {marker} has {n} issues");
    }
    assert_eq!(
        audit.twice,
        Vec::<String>::new(),
        "seed {seed}: listed twice"
    );
    assert_eq!(
        audit.listed,
        expected(&keys),
        "seed {seed}: every response once"
    );
    let again = run_to_end(review_command(
        dir.path(),
        gitlab.base_url(),
        gitlab.token(),
    ))
    .await;
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    let doc: serde_json::Value = serde_json::from_str(&again.stdout).expect("one JSON document");
    assert_eq!(doc["nothing_new"], true, "{doc:#}");
}

/// One run meets a 500 before GitLab committed one create and a 500 after it committed
/// another: it exits 0 with every subject filed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_before_and_a_500_after_commit_still_exit_0_with_each_subject_once() {
    let gitlab = fake().await;
    gitlab.fail(
        Match::post("/issues").with_body("zendesk#1"),
        Fault::Status(500),
        1,
    );
    gitlab.fail(
        Match::post("/issues").with_body("zendesk#2"),
        Fault::CommitThenStatus(500),
        1,
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (text, keys) = sheet(6, 3);
    std::fs::write(dir.path().join("feedback.csv"), text).expect("write the sheet");

    let out = run_to_end(review_command(
        dir.path(),
        gitlab.base_url(),
        gitlab.token(),
    ))
    .await;

    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let audit = audit(&gitlab);
    assert_eq!(
        audit.issues.values().copied().collect::<Vec<_>>(),
        [1, 1, 1]
    );
    assert_eq!(audit.listed, expected(&keys));
    // The one refused before commit is sent again; the one committed is not.
    let creates = gitlab
        .requests_to("POST", "/issues")
        .into_iter()
        .filter(|r| !r.path.ends_with("/notes"))
        .count();
    assert_eq!(creates, 4);
}

/// Two runs on one store at once take turns on the store's lock: each subject once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_on_one_store_at_once_file_each_subject_once() {
    let gitlab = fake().await;
    gitlab.set_latency(Duration::from_millis(5));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (text, keys) = sheet(20, 8);
    std::fs::write(dir.path().join("feedback.csv"), text).expect("write the sheet");

    let (a, b) = tokio::join!(
        run_to_end(review_command(
            dir.path(),
            gitlab.base_url(),
            gitlab.token()
        )),
        run_to_end(review_command(
            dir.path(),
            gitlab.base_url(),
            gitlab.token()
        )),
    );

    assert_eq!(
        (a.code, b.code),
        (Some(0), Some(0)),
        "{}\n{}",
        a.stderr,
        b.stderr
    );
    let audit = audit(&gitlab);
    assert_eq!(audit.issues.len(), 8);
    assert!(audit.issues.values().all(|n| *n == 1), "{:?}", audit.issues);
    assert_eq!(audit.listed, expected(&keys));
}

/// Two machines (two stores) file into one GitLab at once: both may create an issue for a
/// subject; they converge to one open review per subject with every response on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_at_once_end_with_one_open_review_per_subject() {
    let gitlab = fake().await;
    gitlab.set_latency(Duration::from_millis(10));
    let one = tempfile::tempdir().expect("a temporary directory");
    let two = tempfile::tempdir().expect("a temporary directory");
    let (text, keys) = sheet(20, 8);
    for dir in [&one, &two] {
        std::fs::write(dir.path().join("feedback.csv"), &text).expect("write the sheet");
    }

    let (a, b) = tokio::join!(
        run_to_end(review_command(
            one.path(),
            gitlab.base_url(),
            gitlab.token()
        )),
        run_to_end(review_command(
            two.path(),
            gitlab.base_url(),
            gitlab.token()
        )),
    );

    assert_eq!(
        (a.code, b.code),
        (Some(0), Some(0)),
        "{}\n{}",
        a.stderr,
        b.stderr
    );
    let audit = audit(&gitlab);
    assert_eq!(audit.open.len(), 8);
    assert!(audit.open.values().all(|n| *n == 1), "{:?}", audit.open);
    assert_eq!(audit.twice, Vec::<String>::new());
    assert_eq!(audit.listed, expected(&keys));
    let closed: usize = audit.issues.values().sum::<usize>() - 8;
    let logged = |out: &Output| {
        serde_json::from_str::<serde_json::Value>(&out.stdout)
            .ok()
            .and_then(|d| d["converged"].as_array().map(Vec::len))
            .unwrap_or(0)
    };
    assert_eq!(
        closed,
        logged(&a) + logged(&b),
        "each duplicate closed and reported"
    );
}
