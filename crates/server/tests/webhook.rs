//! `POST /hooks/feedback`: authentication, size limit, parsing, durable storage before `202`,
//! duplicate deliveries, and filing of flagged responses by the background review job.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use std::time::Duration;

use common::{Options, TOKEN, TestApp};
use serde_json::json;
use supportops_ports::store::{IntakeQueue, ReviewStore};
use supportops_server::WebhookAuth;

fn red_response(subject: &str) -> serde_json::Value {
    json!({
        "Timestamp": "2026-11-26T09:15:00Z",
        "Issue/MR link": subject,
        "Resolution": "It was not solved",
        "Values shown": "",
        "Comments": "The new macro broke our workflow",
        "F": 1,
        "Region": "EMEA"
    })
}

async fn error_of(r: reqwest::Response) -> (u16, serde_json::Value) {
    let status = r.status().as_u16();
    (
        status,
        r.json::<serde_json::Value>().await.unwrap()["error"].clone(),
    )
}

/// Waits until the store knows `n` review issues, or fails after 10 s.
async fn wait_for_review_issues(app: &TestApp, n: usize) -> Vec<String> {
    for _ in 0..200 {
        let issues = app.store.review_issues().await.unwrap();
        if issues.len() >= n {
            return issues
                .into_iter()
                .map(|i| i.subject.as_str().to_owned())
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {n} review issues after 10 s");
}

#[tokio::test]
async fn a_response_is_stored_before_202_and_shows_up_in_the_api() {
    let app = TestApp::spawn().await;
    let body = red_response("https://gitlab.com/a/b/-/issues/9");
    let r = app.post_feedback(body.to_string(), Some(TOKEN)).await;
    assert_eq!(r.status(), 202);
    let delivery: serde_json::Value = r.json().await.unwrap();
    assert_eq!(delivery["status"], "accepted");
    assert_eq!(delivery["band"]["band"], "red");
    assert_eq!(delivery["score"], -1);
    assert_eq!(delivery["flagged"], true);

    let page = app
        .json("/api/v1/responses?q=broke%20our%20workflow", 200)
        .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["responses"][0]["key"], delivery["key"]);
    assert_eq!(page["responses"][0]["source"], "webhook");
}

#[tokio::test]
async fn a_repeated_delivery_is_accepted_once() {
    let app = TestApp::spawn().await;
    let before = app.json("/api/v1/summary", 200).await["rows"]
        .as_u64()
        .unwrap();
    let body = red_response("https://gitlab.com/a/b/-/issues/9").to_string();
    let first = app.post_feedback(body.clone(), Some(TOKEN)).await;
    assert_eq!(first.status(), 202);
    let second = app.post_feedback(body, Some(TOKEN)).await;
    assert_eq!(second.status(), 200);
    let second: serde_json::Value = second.json().await.unwrap();
    assert_eq!(second["status"], "duplicate");
    let after = app.json("/api/v1/summary", 200).await["rows"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before + 1);
}

#[tokio::test]
async fn flagged_responses_get_a_review_issue_from_the_background_job() {
    let app = TestApp::spawn().await;
    let before = app.store.review_issues().await.unwrap().len();
    let body = red_response("https://gitlab.com/a/b/-/issues/9");
    assert_eq!(
        app.post_feedback(body.to_string(), Some(TOKEN))
            .await
            .status(),
        202
    );
    let subjects = wait_for_review_issues(&app, before + 1).await;
    assert!(
        subjects.contains(&"https://gitlab.com/a/b/-/issues/9".to_owned()),
        "{subjects:?}"
    );
}

#[tokio::test]
async fn responses_stored_but_not_filed_before_a_restart_are_filed_after_it() {
    // A server that stores but does not file, as if it stopped right after the commit.
    let app = TestApp::spawn_with(Options {
        seed: false,
        file_reviews: false,
        ..Options::default()
    })
    .await;
    let body = red_response("https://gitlab.com/a/b/-/issues/77");
    assert_eq!(
        app.post_feedback(body.to_string(), Some(TOKEN))
            .await
            .status(),
        202
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app.store.review_issues().await.unwrap().is_empty());
    let dir = app.stop().await;

    let again = TestApp::restart(dir, Options::default()).await;
    let subjects = wait_for_review_issues(&again, 1).await;
    assert_eq!(subjects, ["https://gitlab.com/a/b/-/issues/77"]);
    // A second restart files nothing twice.
    let dir = again.stop().await;
    let third = TestApp::restart(dir, Options::default()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(third.store.review_issues().await.unwrap().len(), 1);
}

#[tokio::test]
async fn missing_and_wrong_tokens_are_401() {
    let app = TestApp::spawn().await;
    let body = red_response("https://gitlab.com/a/b/-/issues/9").to_string();
    let r = app.post_feedback(body.clone(), None).await;
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let (status, err) = error_of(r).await;
    assert_eq!(status, 401);
    assert_eq!(
        err["message"],
        "send the webhook's token as `Authorization: Bearer <token>`"
    );
    let (status, err) = error_of(
        app.post_feedback(body, Some("wrong-token-0123456789"))
            .await,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        err["message"],
        "the bearer token is not the webhook's token"
    );
    let page = app
        .json("/api/v1/responses?q=broke%20our%20workflow", 200)
        .await;
    assert_eq!(page["total"], 0, "nothing is stored without the token");
}

#[tokio::test]
async fn without_a_configured_token_the_webhook_is_503_and_says_which_variable_to_set() {
    let app = TestApp::spawn_with(Options {
        webhook: WebhookAuth::Unconfigured {
            env: "SUPPORTOPS_WEBHOOK_TOKEN".into(),
        },
        ..Options::default()
    })
    .await;
    let body = red_response("https://gitlab.com/a/b/-/issues/9").to_string();
    let (status, err) = error_of(app.post_feedback(body, Some(TOKEN)).await).await;
    assert_eq!(status, 503);
    assert_eq!(
        err["message"],
        "the webhook is off: no token is set in the environment variable `SUPPORTOPS_WEBHOOK_TOKEN`"
    );
    assert!(
        err["hint"]
            .as_str()
            .unwrap()
            .contains("server.webhook_token_env")
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_whether_announced_or_streamed() {
    let mut config = supportops_config::Config::default();
    config.server.webhook_max_bytes = 300;
    let app = TestApp::spawn_with(Options {
        config,
        ..Options::default()
    })
    .await;
    let mut body = red_response("https://gitlab.com/a/b/-/issues/9");
    body["Comments"] = json!("x".repeat(1000));
    let (status, err) = error_of(app.post_feedback(body.to_string(), Some(TOKEN)).await).await;
    assert_eq!(status, 413);
    assert_eq!(err["message"], "the body is larger than 300 bytes");

    // Without Content-Length: a chunked body is cut off at the limit too.
    let answer = app
        .post_chunked("/hooks/feedback", TOKEN, &body.to_string())
        .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("the body is larger than 300 bytes"),
        "{answer}"
    );
}

#[tokio::test]
async fn bad_json_is_400_with_line_and_column() {
    let app = TestApp::spawn().await;
    let (status, err) = error_of(app.post_feedback("{\"F\": 5,\n}", Some(TOKEN)).await).await;
    assert_eq!(status, 400);
    assert_eq!(err["code"], "bad_json");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .ends_with("at line 2, column 1"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_columns_are_400_naming_the_key_and_the_known_headers() {
    let app = TestApp::spawn().await;
    let mut body = red_response("https://gitlab.com/a/b/-/issues/9");
    body["Ratng"] = json!(5);
    let (status, err) = error_of(app.post_feedback(body.to_string(), Some(TOKEN)).await).await;
    assert_eq!(status, 400);
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("`Ratng`"), "{message}");
    assert!(message.contains("Rating"), "{message}");
}

#[tokio::test]
async fn a_response_without_a_subject_or_a_time_is_400() {
    let app = TestApp::spawn().await;
    let mut body = red_response("");
    let (status, err) = error_of(app.post_feedback(body.to_string(), Some(TOKEN)).await).await;
    assert_eq!(status, 400);
    assert!(
        err["message"].as_str().unwrap().contains("no `subject`"),
        "{err}"
    );
    body["Issue/MR link"] = json!("https://gitlab.com/a/b/-/issues/9");
    body["Timestamp"] = json!("yesterday");
    let (status, err) = error_of(app.post_feedback(body.to_string(), Some(TOKEN)).await).await;
    assert_eq!(status, 400);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("`yesterday` is not a time"),
        "{err}"
    );
}

#[tokio::test]
async fn a_hostile_comment_sent_through_the_webhook_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let mut body = red_response("https://gitlab.com/a/b/-/issues/9");
    body["Comments"] = json!("<script>document.title='pwned'</script><img src=x onerror=alert(1)>");
    assert_eq!(
        app.post_feedback(body.to_string(), Some(TOKEN))
            .await
            .status(),
        202
    );
    let html = app.text("/responses?q=pwned", 200).await;
    assert!(!html.contains("<script>document"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(
        html.contains("&#60;script&#62;document.title=&#39;pwned&#39;&#60;/script&#62;"),
        "{html}"
    );
}

#[tokio::test]
async fn concurrent_deliveries_are_all_stored() {
    let app = TestApp::spawn().await;
    let before = app.json("/api/v1/summary", 200).await["rows"]
        .as_u64()
        .unwrap();
    let sends = (0..20).map(|i| {
        let mut body = red_response(&format!("https://gitlab.com/a/b/-/issues/{}", 100 + i % 4));
        body["Timestamp"] = json!(format!("2026-11-26T09:{i:02}:00Z"));
        app.client
            .post(format!("{}/hooks/feedback", app.base))
            .bearer_auth(TOKEN)
            .body(body.to_string())
            .send()
    });
    let statuses: Vec<u16> = futures_join(sends).await;
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    let after = app.json("/api/v1/summary", 200).await["rows"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before + 20);
}

#[tokio::test]
async fn one_response_delivered_many_times_at_once_is_accepted_once() {
    let app = TestApp::spawn().await;
    let before = app.json("/api/v1/summary", 200).await["rows"]
        .as_u64()
        .unwrap();
    // Retries racing each other land in the same commit: one is stored, the rest are
    // duplicates of it.
    let body = red_response("https://gitlab.com/a/b/-/issues/77").to_string();
    let sends = (0..12).map(|_| {
        app.client
            .post(format!("{}/hooks/feedback", app.base))
            .bearer_auth(TOKEN)
            .body(body.clone())
            .send()
    });
    let mut statuses: Vec<u16> = futures_join(sends).await;
    statuses.sort_unstable();
    assert_eq!(statuses[..11], [200; 11], "{statuses:?}");
    assert_eq!(statuses[11], 202, "{statuses:?}");
    let after = app.json("/api/v1/summary", 200).await["rows"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before + 1);
}

/// Runs the requests at the same time and returns their statuses.
async fn futures_join(
    sends: impl Iterator<
        Item = impl std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static,
    >,
) -> Vec<u16> {
    let handles: Vec<_> = sends.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap().unwrap().status().as_u16());
    }
    out
}

/// Waits until the intake queue is empty, or fails after 10 s.
async fn wait_for_empty_queue(app: &TestApp) {
    for _ in 0..200 {
        if app.store.intake_len().await.unwrap() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the intake queue is not empty after 10 s");
}

#[tokio::test]
async fn a_delivery_files_only_its_subject_however_many_responses_wait_unfiled() {
    use supportops_domain::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
    use supportops_ports::store::ResponseStore;

    let app = TestApp::spawn_with(Options {
        seed: false,
        ..Options::default()
    })
    .await;
    // Thousands of flagged responses imported but not filed (as a sheet whose review has not
    // run yet): a whole review pass per delivery would file all of their 40 subjects.
    let waiting: Vec<ScoredResponse> = (1..=3_000u64)
        .map(|n| {
            let subject = format!("https://gitlab.com/a/b/-/issues/{}", 1_000 + n % 40);
            let timestamp = format!("2026-10-01T09:00:{:02}Z", n % 60);
            ScoredResponse {
                response: Response {
                    row: n + 1,
                    key: ResponseKey::derive(&timestamp, &subject, &format!("r{n}")),
                    timestamp: timestamp.clone(),
                    submitted_at: timestamp.parse().ok(),
                    subject_raw: subject.clone(),
                    subject: SubjectUrl::parse(&subject),
                    submitter: None,
                    cells: vec![timestamp, subject],
                },
                score: supportops_formula::Value::Number(-1.0),
                band: Band::Red,
                stored_score: None,
            }
        })
        .collect();
    app.store
        .import_responses(&waiting, common::now())
        .await
        .unwrap();
    assert_eq!(app.store.intake_len().await.unwrap(), 0);

    let body = red_response("https://gitlab.com/a/b/-/issues/9");
    assert_eq!(
        app.post_feedback(body.to_string(), Some(TOKEN))
            .await
            .status(),
        202
    );
    let subjects = wait_for_review_issues(&app, 1).await;
    wait_for_empty_queue(&app).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(subjects, ["https://gitlab.com/a/b/-/issues/9"]);
    assert_eq!(app.store.review_issues().await.unwrap().len(), 1);
}

/// A chat that keeps what is posted to it.
#[derive(Default)]
struct Chat(std::sync::Mutex<Vec<String>>);

#[async_trait::async_trait]
impl supportops_ports::Chat for Chat {
    async fn post(&self, text: &str) -> Result<(), supportops_ports::ChatError> {
        self.0.lock().unwrap().push(text.to_owned());
        Ok(())
    }
}

#[tokio::test]
async fn a_red_response_from_the_webhook_is_told_in_chat_once_filed() {
    let chat = std::sync::Arc::new(Chat::default());
    let mut config = supportops_config::Config::default();
    config.notify.chat_webhook_env = Some("CHAT_WEBHOOK".into());
    config.server.public_url = Some("https://supportops.example.com/".into());
    let app = TestApp::spawn_with(Options {
        config,
        chat: Some(chat.clone()),
        ..Options::default()
    })
    .await;
    let before = app.store.review_issues().await.unwrap().len();
    let body = red_response("https://gitlab.com/a/b/-/issues/9");
    assert_eq!(
        app.post_feedback(body.to_string(), Some(TOKEN))
            .await
            .status(),
        202
    );
    wait_for_review_issues(&app, before + 1).await;
    let mut posted = Vec::new();
    for _ in 0..200 {
        posted = chat.0.lock().unwrap().clone();
        if !posted.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert!(
        posted[0].starts_with(
            ":red_circle: *1 Red feedback response* about \
             <https://gitlab.com/a/b/-/issues/9|https://gitlab.com/a/b/-/issues/9>: new review <"
        ),
        "{}",
        posted[0]
    );
    assert!(posted[0].ends_with("<https://supportops.example.com/reviews|open reviews>"));
    // Recorded, and listed read-only on the dashboard.
    let listed = app.json("/api/v1/notifications", 200).await;
    assert_eq!(listed["deliveries"][0]["state"], "sent");
    assert_eq!(listed["sending"], true);
    let page = app.text("/notifications", 200).await;
    assert!(page.contains("flagged_response"), "{page}");
}
