//! Chat notifications as a team sees them: `review` tells the chat about Red and Error
//! responses through a Slack-compatible incoming webhook (here a local HTTP receiver), retries
//! a failed post, records every delivery (`notify list`), and never fails because the chat
//! does; `notify digest` sends the weekly digest once a week.

// A failed call here is a failing test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

/// Row 2 and 4 Red (one subject), row 5 Yellow, row 3 Green.
const SHEET: &str = "\
Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r
2/3/2026 9:15:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12,It was not solved,Collaboration,Macros wrong,1,amy@example.com,AMER,\r
2/4/2026 10:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,\"It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",Great,5,bo@example.com,EMEA,3\r
2/5/2026 11:30:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/issues/12#note_9,It was not solved,Results,Slow,3,cy@example.com,APAC,\r
2/6/2026 12:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,It was closed as it became a stale issue,Efficiency,,3,di@example.com,AMER,\r
";

const CONFIG: &str = r#"
[sheet]
source = "feedback.csv"

[server]
public_url = "https://supportops.example.com"

[notify]
chat_webhook_env = "TEST_CHAT_WEBHOOK"
max_attempts = 3
first_retry_seconds = 0
"#;

/// A chat's incoming webhook on loopback: answers each post with the next status of its
/// script (then 200), and keeps the bodies it accepted.
struct Receiver {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Value>>>,
    posts: Arc<Mutex<u32>>,
    _runtime: tokio::runtime::Runtime,
}

#[derive(Clone)]
struct Script {
    statuses: Arc<Mutex<Vec<u16>>>,
    received: Arc<Mutex<Vec<Value>>>,
    posts: Arc<Mutex<u32>>,
}

async fn hook(State(s): State<Script>, body: String) -> StatusCode {
    *s.posts.lock().unwrap() += 1;
    let status = {
        let mut statuses = s.statuses.lock().unwrap();
        if statuses.is_empty() {
            200
        } else {
            statuses.remove(0)
        }
    };
    if status == 200 {
        s.received
            .lock()
            .unwrap()
            .push(serde_json::from_str(&body).unwrap());
    }
    StatusCode::from_u16(status).unwrap()
}

impl Receiver {
    fn start(statuses: &[u16]) -> Receiver {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let script = Script {
            statuses: Arc::new(Mutex::new(statuses.to_vec())),
            received: Arc::default(),
            posts: Arc::default(),
        };
        let (received, posts) = (script.received.clone(), script.posts.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/hooks/chat", axum::routing::post(hook))
            .with_state(script);
        runtime.spawn(async move { axum::serve(listener, app).await });
        Receiver {
            addr,
            received,
            posts,
            _runtime: runtime,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hooks/chat", self.addr)
    }

    fn texts(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|v| v["text"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("feedback.csv"), SHEET).unwrap();
    std::fs::write(dir.path().join("supportops.toml"), CONFIG).unwrap();
    dir
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, webhook: &str, args: &[&str]) -> Output {
    run_at(dir, webhook, "2026-03-20T10:00:00Z", args)
}

fn run_at(dir: &Path, webhook: &str, now: &str, args: &[&str]) -> Output {
    let out = Command::cargo_bin("supportops")
        .unwrap()
        .current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env("NO_COLOR", "1")
        .env("TEST_CHAT_WEBHOOK", webhook)
        .env("SUPPORTOPS_NOW", now)
        .args(args)
        .output()
        .unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn outbox(dir: &Path) -> Vec<Value> {
    let out = run(dir, "", &["notify", "list", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn red_responses_filed_by_review_are_posted_to_the_chat_once() {
    let chat = Receiver::start(&[]);
    let dir = workdir();
    let out = run(dir.path(), &chat.url(), &["review"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        chat.texts(),
        [":red_circle: *2 Red feedback responses* about \
          <https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12|https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12>: \
          new review <https://supportops.example.com/reviews/1|#1> · \
          <https://supportops.example.com/reviews|open reviews>"]
    );
    let listed = outbox(dir.path());
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["state"], "sent");
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["event"], "flagged_response");

    // Nothing new filed: nothing new said.
    let again = run(dir.path(), &chat.url(), &["review"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(chat.texts().len(), 1);
    assert_eq!(*chat.posts.lock().unwrap(), 1);
}

#[test]
fn a_chat_that_fails_once_gets_the_message_on_the_retry() {
    let chat = Receiver::start(&[500]);
    let dir = workdir();
    let out = run(dir.path(), &chat.url(), &["review"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(chat.texts().len(), 1);
    assert_eq!(*chat.posts.lock().unwrap(), 2);
    let listed = outbox(dir.path());
    assert_eq!(listed[0]["state"], "sent");
    assert_eq!(listed[0]["attempts"], 2);
}

#[test]
fn a_chat_that_is_down_fails_the_message_not_the_review() {
    // A port nobody listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = workdir();
    let out = run(
        dir.path(),
        &format!("http://127.0.0.1:{port}/hooks/chat"),
        &["review"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Created 2 issues"), "{}", out.stdout);
    assert!(
        out.stderr.contains(
            "warning: 1 chat message(s) could not be sent; `supportops notify list` shows why"
        ),
        "{}",
        out.stderr
    );
    let listed = outbox(dir.path());
    assert_eq!(listed[0]["state"], "failed");
    assert_eq!(listed[0]["attempts"], 3);
    assert_eq!(
        listed[0]["last_error"],
        "cannot connect to the chat webhook"
    );
    // The URL is the secret: never shown.
    assert!(!out.stderr.contains(&port.to_string()), "{}", out.stderr);
}

#[test]
fn the_weekly_digest_lists_neglected_reviews_and_is_sent_once_a_week() {
    let chat = Receiver::start(&[]);
    let dir = workdir();
    assert_eq!(run(dir.path(), &chat.url(), &["review"]).code, 0);

    // A month on (the review issues are stamped by the tracker's clock), nobody wrote a plan.
    let later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(30 * 24))
        .unwrap();
    let week = {
        let w = later
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
            .iso_week_date();
        format!("{}-W{:02}", w.year(), w.week())
    };
    let later = later.to_string();
    let digest = |args: &[&str]| run_at(dir.path(), &chat.url(), &later, args);

    let preview = digest(&["notify", "digest", "--dry-run"]);
    assert_eq!(preview.code, 0, "{}", preview.stderr);
    assert!(
        preview
            .stdout
            .starts_with(&format!("Would send the digest for {week}:")),
        "{}",
        preview.stdout
    );
    assert_eq!(chat.texts().len(), 1, "a dry run sends nothing");

    let sent = digest(&["notify", "digest", "--format", "json"]);
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    let json: Value = serde_json::from_str(&sent.stdout).unwrap();
    assert_eq!(json["status"], "queued");
    assert_eq!(json["delivery"]["state"], "sent");
    let neglected: Vec<u64> = json["digest"]["neglected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["iid"].as_u64().unwrap())
        .collect();
    assert_eq!(neglected, [1, 2]);
    let texts = chat.texts();
    assert_eq!(texts.len(), 2);
    assert!(
        texts[1].starts_with(&format!(
            ":calendar: *Support Ops weekly digest* ({week}): 2 reviews without an action plan \
             after 14 days, 0 overdue shadowing sessions\n• \
             <https://supportops.example.com/reviews/1|#1> "
        )),
        "{}",
        texts[1]
    );

    let again = digest(&["notify", "digest"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stdout
            .starts_with("This week's digest was queued before"),
        "{}",
        again.stdout
    );
    assert_eq!(chat.texts().len(), 2);
}

#[test]
fn notify_digest_without_notify_set_up_says_which_key_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("supportops")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("SUPPORTOPS_CONFIG")
        .env("NO_COLOR", "1")
        .args(["notify", "digest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`notify.chat_webhook_env`"), "{stderr}");
}

#[test]
fn a_session_scheduled_without_an_engineer_asks_the_regions_managers_in_chat() {
    let chat = Receiver::start(&[]);
    let dir = workdir();
    let config = format!(
        "{CONFIG}\n[[team.members]]\nusername = \"bruno\"\ntimezone = \"Europe/Madrid\"\n\
         hours = \"08:30-16:30\"\n\n[shadowing.regions.EMEA]\n\
         managers = [\"emea-manager\", \"emea-lead\"]\ntimezone = \"Europe/London\"\n"
    );
    std::fs::write(dir.path().join("supportops.toml"), config).unwrap();
    let now = "2026-11-20T10:00:00Z";
    let plan = run_at(
        dir.path(),
        &chat.url(),
        now,
        &[
            "shadow", "plan", "--month", "2026-12", "--apply", "--format", "json",
        ],
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let plan: Value = serde_json::from_str(&plan.stdout).unwrap();
    let id = plan["sessions"][0]["id"].to_string();

    let scheduled = run_at(
        dir.path(),
        &chat.url(),
        now,
        &["shadow", "schedule", &id, "--at", "2026-12-03 10:00"],
    );
    assert_eq!(scheduled.code, 0, "{}", scheduled.stderr);
    assert_eq!(
        chat.texts(),
        [format!(
            ":busts_in_silhouette: *Shadowing session {id} needs an engineer*: bruno shadows EMEA \
             on Thu 3 Dec 2026, 09:00–10:00 GMT (Thu 3 Dec 2026, 10:00–11:00 CET). @emea-manager \
             @emea-lead: please find an engineer · \
             <https://supportops.example.com/shadowing|shadowing>"
        )]
    );
}
