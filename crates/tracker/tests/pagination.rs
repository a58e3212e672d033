//! Listing follows GitLab's pagination to the last page, and sends the query's filters.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use std::time::Duration;

use common::{GROUP, PROJECT, client, fake};
use jiff::Timestamp;
use supportops_ports::{IssueQuery, IssueState, Tracker};
use supportops_test_support::gitlab::{PaginationHeaders, SeedIssue};

fn seed(fake: &supportops_test_support::FakeGitLab, n: usize) {
    for i in 1..=n {
        fake.seed_issue(
            PROJECT,
            SeedIssue {
                title: format!("Feedback Review {i}"),
                labels: vec!["Feedback Review".to_owned()],
                ..SeedIssue::default()
            },
        );
    }
}

fn titles(issues: &[supportops_ports::Issue]) -> Vec<String> {
    issues.iter().map(|i| i.title.clone()).collect()
}

#[tokio::test]
async fn list_reads_every_page_through_x_next_page() {
    let fake = fake().await;
    fake.set_max_per_page(3);
    seed(&fake, 7);

    let issues = client(&fake)
        .list_issues(PROJECT, &IssueQuery::default())
        .await
        .unwrap();

    assert_eq!(
        titles(&issues),
        (1..=7)
            .map(|i| format!("Feedback Review {i}"))
            .collect::<Vec<_>>()
    );
    let pages: Vec<Option<String>> = fake
        .requests_to("GET", "/issues")
        .iter()
        .map(|r| r.param("page"))
        .collect();
    assert_eq!(pages, [None, Some("2".to_owned()), Some("3".to_owned())]);
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.param("per_page").as_deref() == Some("100"))
    );
}

#[tokio::test]
async fn list_reads_every_page_through_the_link_header_alone() {
    let fake = fake().await;
    fake.set_max_per_page(2);
    fake.set_pagination_headers(PaginationHeaders::LinkOnly);
    seed(&fake, 5);

    let issues = client(&fake)
        .list_issues(PROJECT, &IssueQuery::default())
        .await
        .unwrap();

    assert_eq!(issues.len(), 5);
    assert_eq!(fake.requests_to("GET", "/issues").len(), 3);
}

#[tokio::test]
async fn group_members_span_pages() {
    let fake = fake().await;
    fake.set_max_per_page(1);

    let members = client(&fake).group_members(GROUP).await.unwrap();

    assert_eq!(members.len(), 3);
    assert_eq!(fake.requests_to("GET", "/members/all").len(), 3);
}

#[tokio::test]
async fn filters_are_sent_as_gitlab_parameters() {
    let fake = fake().await;
    let since: Timestamp = "2024-04-01T00:00:00Z".parse().unwrap();
    let query = IssueQuery {
        state: Some(IssueState::Opened),
        labels: vec!["Feedback Review".to_owned(), "bucket::red".to_owned()],
        search: Some("ticket forms".to_owned()),
        created_after: Some(since),
        updated_after: Some(since),
        iids: vec![3, 12],
    };

    client(&fake).list_issues(PROJECT, &query).await.unwrap();

    let sent = &fake.requests_to("GET", "/issues")[0];
    assert_eq!(sent.param("state").as_deref(), Some("opened"));
    assert_eq!(
        sent.param("labels").as_deref(),
        Some("Feedback Review,bucket::red")
    );
    assert_eq!(sent.param("search").as_deref(), Some("ticket forms"));
    assert_eq!(
        sent.param("created_after").as_deref(),
        Some("2024-04-01T00:00:00Z")
    );
    assert_eq!(
        sent.param("updated_after").as_deref(),
        Some("2024-04-01T00:00:00Z")
    );
    // GitLab's array parameter: `iids[]` once per number.
    assert_eq!(sent.params("iids[]"), ["3", "12"]);
}

#[tokio::test]
async fn filters_select_the_matching_issues() {
    let fake = fake().await;
    fake.set_clock(
        "2024-03-01T00:00:00Z".parse().unwrap(),
        Duration::from_secs(86_400),
    );
    let marker = "<!-- supportops:subject=https://gitlab.com/a/b/-/issues/7 -->";
    let old = fake.seed_issue(
        PROJECT,
        SeedIssue {
            title: "old".into(),
            description: marker.into(),
            ..Default::default()
        },
    );
    let new = fake.seed_issue(
        PROJECT,
        SeedIssue {
            title: "new".into(),
            description: marker.into(),
            ..Default::default()
        },
    );
    fake.seed_issue(
        PROJECT,
        SeedIssue {
            title: "other".into(),
            description: "<!-- supportops:subject=https://gitlab.com/a/b/-/issues/70 -->".into(),
            ..Default::default()
        },
    );
    fake.close_issue(PROJECT, new);
    let gitlab = client(&fake);

    // The marker's text, not merely its words: issue 70 shares every word with issue 7.
    let by_marker = IssueQuery {
        search: Some(marker.to_owned()),
        ..Default::default()
    };
    let found = gitlab.list_issues(PROJECT, &by_marker).await.unwrap();
    assert_eq!(titles(&found), ["old", "new"]);

    let open = IssueQuery {
        state: Some(IssueState::Opened),
        ..by_marker.clone()
    };
    assert_eq!(
        titles(&gitlab.list_issues(PROJECT, &open).await.unwrap()),
        ["old"]
    );

    let created = fake.issue(PROJECT, old).unwrap().created_at;
    let later = IssueQuery {
        created_after: Some(
            created
                .checked_add(jiff::SignedDuration::from_secs(1))
                .unwrap(),
        ),
        ..Default::default()
    };
    assert_eq!(
        titles(&gitlab.list_issues(PROJECT, &later).await.unwrap()),
        ["new", "other"]
    );

    // A page of the Reviews list asks for its issues by number, in one request.
    let by_number = IssueQuery {
        iids: vec![old, 3],
        ..Default::default()
    };
    assert_eq!(
        titles(&gitlab.list_issues(PROJECT, &by_number).await.unwrap()),
        ["old", "other"]
    );
}
