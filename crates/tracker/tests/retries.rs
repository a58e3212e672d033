//! Rate limits, server errors, timeouts and refusals: what is retried, what fails at once,
//! and what is never sent twice.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use std::time::{Duration, Instant};

use common::{PROJECT, client, client_with, fake};
use supportops_ports::{IssueQuery, NewIssue, Tracker, TrackerError};
use supportops_test_support::gitlab::{Fault, Match, SeedIssue};

fn new_issue() -> NewIssue {
    NewIssue {
        title: "Feedback Review: ticket forms".to_owned(),
        description: "<!-- supportops:subject=https://gitlab.com/a/b/-/issues/1 -->".to_owned(),
        ..NewIssue::default()
    }
}

/// One open issue titled `title` in the project.
fn seed(fake: &supportops_test_support::FakeGitLab, title: &str) {
    fake.seed_issue(
        PROJECT,
        SeedIssue {
            title: title.to_owned(),
            ..SeedIssue::default()
        },
    );
}

#[tokio::test]
async fn rate_limit_is_waited_out_as_retry_after_asks() {
    let fake = fake().await;
    fake.fail(
        Match::get("/issues"),
        Fault::TooManyRequests(Some("1".into())),
        2,
    );
    let started = Instant::now();

    let issues = client(&fake)
        .list_issues(PROJECT, &IssueQuery::default())
        .await
        .unwrap();

    assert!(issues.is_empty());
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 200]);
    // Two waits of one second each, as asked (the backoff alone would be 10 ms + 20 ms).
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn rate_limit_with_an_http_date_is_honoured() {
    let fake = fake().await;
    let at = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(2))
        .unwrap();
    let date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&at)
        .unwrap();
    fake.fail(Match::get("/issues"), Fault::TooManyRequests(Some(date)), 1);
    let started = Instant::now();

    client(&fake)
        .list_issues(PROJECT, &IssueQuery::default())
        .await
        .unwrap();

    // The date has whole seconds: at least one second is left of the two.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn rate_limit_asking_for_too_long_fails_at_once() {
    let fake = fake().await;
    fake.fail(
        Match::get("/issues"),
        Fault::TooManyRequests(Some("3600".into())),
        1,
    );

    let err = client(&fake)
        .list_issues(PROJECT, &IssueQuery::default())
        .await
        .unwrap_err();

    insta::assert_snapshot!(err, @"the tracker is unavailable for listing the issues of `gitlab-com/support/support-ops/feedback-review` after 1 attempts: rate limited (429): GitLab asks to wait 3600 s, longer than the 120 s this client waits; try again later");
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let fake = fake().await;
    seed(&fake, "Feedback Review: ticket forms");
    fake.fail(Match::get("/issues"), Fault::Status(500), 2);
    fake.fail(Match::get("/issues"), Fault::Status(502), 1);

    let issues = client(&fake)
        .list_issues(PROJECT, &IssueQuery::default())
        .await
        .unwrap();

    let titles: Vec<&str> = issues.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Feedback Review: ticket forms"]);
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 500, 502, 200]);
}

#[tokio::test]
async fn server_errors_beyond_the_retries_fail_with_the_last_one() {
    let fake = fake().await;
    fake.fail(Match::any(), Fault::Status(503), 10);

    let err = client(&fake).issue(PROJECT, 1).await.unwrap_err();

    assert!(
        matches!(err, TrackerError::Unavailable { attempts: 4, .. }),
        "{err:?}"
    );
    insta::assert_snapshot!(err, @"the tracker is unavailable for reading the issue #1 of `gitlab-com/support/support-ops/feedback-review` after 4 attempts: GitLab answered 503 Service Unavailable: 503 Service Unavailable");
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn slow_reads_time_out_and_are_retried() {
    let fake = fake().await;
    fake.fail(
        Match::get("/issues"),
        Fault::Slow(Duration::from_secs(3)),
        1,
    );
    seed(&fake, "Feedback Review: ticket forms");
    let gitlab = client_with(&fake, fake.token(), Duration::from_millis(300), 2);

    let issues = gitlab
        .list_issues(PROJECT, &IssueQuery::default())
        .await
        .unwrap();

    let titles: Vec<&str> = issues.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Feedback Review: ticket forms"]);
    assert_eq!(fake.requests_to("GET", "/issues").len(), 2);
}

#[tokio::test]
async fn wrong_token_fails_at_once_naming_the_variable() {
    let fake = fake().await;
    let gitlab = client_with(&fake, "glpat-wrong", Duration::from_secs(5), 3);

    let err = gitlab
        .read_template(PROJECT, "Feedback Review")
        .await
        .unwrap_err();

    assert!(matches!(err, TrackerError::Unauthorized { .. }));
    insta::assert_snapshot!(err, @"the tracker refused the token (401) for reading the issue template `Feedback Review` of `gitlab-com/support/support-ops/feedback-review`; check the token in `GITLAB_TOKEN`");
    assert_eq!(fake.requests().len(), 1);
    assert!(fake.requests()[0].token_sent);
}

#[tokio::test]
async fn create_that_is_rate_limited_is_retried_and_made_once() {
    let fake = fake().await;
    fake.fail(
        Match::post("/issues"),
        Fault::TooManyRequests(Some("0".into())),
        2,
    );

    client(&fake)
        .create_issue(PROJECT, &new_issue())
        .await
        .unwrap();

    assert_eq!(fake.requests_to("POST", "/issues").len(), 3);
    assert_eq!(fake.issues(PROJECT).len(), 1);
}

#[tokio::test]
async fn create_that_gets_no_answer_is_not_sent_again() {
    let fake = fake().await;
    fake.fail(Match::post("/issues"), Fault::AcceptThenHang, 1);
    let gitlab = client_with(&fake, fake.token(), Duration::from_millis(500), 3);

    let err = gitlab
        .create_issue(PROJECT, &new_issue())
        .await
        .unwrap_err();

    assert!(
        matches!(err, TrackerError::OutcomeUnknown { .. }),
        "{err:?}"
    );
    insta::assert_snapshot!(err, @"creating the issue `Feedback Review: ticket forms` in `gitlab-com/support/support-ops/feedback-review` may or may not have happened: no answer within 0.5 s (config key `tracker.timeout_seconds`)");
    assert_eq!(fake.requests_to("POST", "/issues").len(), 1);
    // GitLab did create it: the caller finds it by its marker.
    assert_eq!(fake.issues(PROJECT).len(), 1);
    let found = gitlab
        .list_issues(
            PROJECT,
            &IssueQuery {
                search: Some("supportops:subject=https://gitlab.com/a/b/-/issues/1".into()),
                ..IssueQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn create_that_meets_a_server_error_is_not_sent_again() {
    let fake = fake().await;
    fake.fail(Match::post("/issues"), Fault::Status(500), 1);

    let err = client(&fake)
        .create_issue(PROJECT, &new_issue())
        .await
        .unwrap_err();

    assert!(
        matches!(err, TrackerError::OutcomeUnknown { .. }),
        "{err:?}"
    );
    assert_eq!(fake.requests_to("POST", "/issues").len(), 1);
}

#[tokio::test]
async fn unreachable_gitlab_is_a_network_error() {
    let fake = fake().await;
    let url = fake.base_url().to_owned();
    drop(fake);
    let shown = url.clone();
    // Give the aborted server a moment to release its port.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let gitlab = supportops_tracker::GitLab::new(supportops_tracker::GitLabOptions {
        base_url: url,
        token: "t".to_owned().into(),
        token_env: "GITLAB_TOKEN".into(),
        timeout: Duration::from_secs(2),
        max_retries: 1,
    })
    .unwrap()
    .with_backoff(Duration::from_millis(10), Duration::from_millis(10));

    let err = gitlab.issue(PROJECT, 1).await.unwrap_err();

    assert!(matches!(err, TrackerError::Network { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot reach the tracker for reading the issue #1 of `{PROJECT}`: cannot connect to `{shown}` ("
        )),
        "{text}"
    );
    assert!(
        text.ends_with("; check `tracker.url` (after 2 attempts)"),
        "{text}"
    );
    assert!(
        !text.contains("/api/v4"),
        "no request URL in the message: {text}"
    );
}

#[tokio::test]
async fn the_token_never_shows_in_debug_output() {
    let fake = fake().await;
    let gitlab = client(&fake);

    let debug = format!("{gitlab:?}");

    assert!(!debug.contains(fake.token()), "{debug}");
}

#[tokio::test]
async fn empty_token_or_bad_url_are_refused_when_building() {
    let options = |url: &str, token: &str| supportops_tracker::GitLabOptions {
        base_url: url.to_owned(),
        token: token.to_owned().into(),
        token_env: "GITLAB_TOKEN".into(),
        timeout: Duration::from_secs(1),
        max_retries: 0,
    };

    let err = supportops_tracker::GitLab::new(options("https://gitlab.com", "  ")).unwrap_err();
    insta::assert_snapshot!(err, @"invalid setting `GITLAB_TOKEN` (`(hidden)`): the GitLab token is empty; set it to a personal, project or group access token with the `api` scope");

    let err = supportops_tracker::GitLab::new(options("gitlab.example.com", "t")).unwrap_err();
    assert!(matches!(err, TrackerError::InvalidSetting { ref key, .. } if key == "tracker.url"));
}
