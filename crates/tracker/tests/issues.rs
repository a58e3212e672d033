//! Creating, reading and changing issues: assignee ids, labels, notes, state.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::{GROUP, PROJECT, client, fake};
use supportops_ports::{IssueState, NewIssue, Tracker, TrackerError};

fn review(title: &str) -> NewIssue {
    NewIssue {
        title: title.to_owned(),
        description: "Responses about ticket forms.\n\n<!-- supportops:subject=https://gitlab.com/a/b/-/issues/1 -->".to_owned(),
        labels: vec!["Feedback Review".to_owned(), "bucket::red".to_owned()],
        assignees: vec!["alice".to_owned(), "@bob".to_owned()],
    }
}

#[tokio::test]
async fn created_issue_is_assigned_by_user_id_and_labelled() {
    let fake = fake().await;
    let gitlab = client(&fake);

    let issue = gitlab
        .create_issue(PROJECT, &review("Feedback Review: ticket forms"))
        .await
        .unwrap();

    let alice = fake
        .users()
        .into_iter()
        .find(|u| u.username == "alice")
        .unwrap();
    let bob = fake
        .users()
        .into_iter()
        .find(|u| u.username == "bob")
        .unwrap();
    let create = fake.requests_to("POST", "/issues");
    assert_eq!(create.len(), 1);
    let body = create[0].body.clone().unwrap();
    assert_eq!(body["assignee_ids"], serde_json::json!([alice.id, bob.id]));
    assert_eq!(body["labels"], "Feedback Review,bucket::red");

    let stored = fake.issue(PROJECT, issue.iid).unwrap();
    assert_eq!(stored.assignees, ["alice", "bob"]);
    assert_eq!(stored.labels, ["bucket::red", "Feedback Review"]);
    assert_eq!(issue.assignees, ["alice", "bob"]);
    assert_eq!(issue.state, IssueState::Opened);
    assert_eq!(issue.project, PROJECT);
    assert_eq!(
        issue.web_url,
        format!("{}/{PROJECT}/-/issues/{}", fake.base_url(), issue.iid)
    );
    assert!(issue.description.contains("<!-- supportops:subject="));
}

#[tokio::test]
async fn each_assignee_is_looked_up_once_per_client() {
    let fake = fake().await;
    let gitlab = client(&fake);

    gitlab.create_issue(PROJECT, &review("one")).await.unwrap();
    gitlab.create_issue(PROJECT, &review("two")).await.unwrap();

    assert_eq!(fake.requests_to("GET", "/users").len(), 2);
    assert_eq!(fake.issues(PROJECT).len(), 2);
}

#[tokio::test]
async fn quick_actions_in_the_description_keep_working() {
    let fake = fake().await;
    let mut new = review("with quick actions");
    new.description = "Template text\n/label ~\"needs action plan\"\n".to_owned();
    new.assignees.clear();

    let issue = client(&fake).create_issue(PROJECT, &new).await.unwrap();

    assert_eq!(
        issue.labels,
        ["bucket::red", "Feedback Review", "needs action plan"]
    );
    assert_eq!(issue.description, "Template text");
}

#[tokio::test]
async fn unknown_assignee_stops_before_anything_is_created() {
    let fake = fake().await;
    let mut new = review("x");
    new.assignees = vec!["alice".to_owned(), "mallory".to_owned()];

    let err = client(&fake).create_issue(PROJECT, &new).await.unwrap_err();

    insta::assert_snapshot!(err, @"not found: user `mallory` (check the username in `review.assignees`)");
    assert!(fake.issues(PROJECT).is_empty());
}

#[tokio::test]
async fn group_members_include_parent_groups_and_skip_blocked_users() {
    let fake = fake().await;
    fake.add_group("gitlab-com", &["dave"]);
    fake.block_user("carol");

    let members = client(&fake).group_members(GROUP).await.unwrap();

    let names: Vec<_> = members.iter().map(|m| m.username.as_str()).collect();
    assert_eq!(names, ["alice", "bob", "dave"]);
}

#[tokio::test]
async fn notes_are_added_and_listed_oldest_first_without_system_notes() {
    let fake = fake().await;
    let gitlab = client(&fake);
    let issue = gitlab.create_issue(PROJECT, &review("n")).await.unwrap();

    gitlab.add_note(PROJECT, issue.iid, "first").await.unwrap();
    gitlab
        .update_labels(
            PROJECT,
            issue.iid,
            &["review-outcome::resolved".to_owned()],
            &[],
        )
        .await
        .unwrap();
    let second = gitlab.add_note(PROJECT, issue.iid, "second").await.unwrap();

    assert_eq!(second.body, "second");
    assert_eq!(second.author, "supportops-bot");
    let notes = gitlab.notes(PROJECT, issue.iid).await.unwrap();
    let bodies: Vec<_> = notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(bodies, ["first", "second"]);
}

#[tokio::test]
async fn labels_are_added_and_removed_and_state_changes() {
    let fake = fake().await;
    let gitlab = client(&fake);
    let issue = gitlab.create_issue(PROJECT, &review("l")).await.unwrap();

    let changed = gitlab
        .update_labels(
            PROJECT,
            issue.iid,
            &["review-outcome::resolved".to_owned()],
            &["bucket::red".to_owned()],
        )
        .await
        .unwrap();
    assert_eq!(
        changed.labels,
        ["Feedback Review", "review-outcome::resolved"]
    );
    let put = fake.requests_to("PUT", "/issues/");
    assert_eq!(
        put[0].body.as_ref().unwrap()["add_labels"],
        "review-outcome::resolved"
    );
    assert_eq!(
        put[0].body.as_ref().unwrap()["remove_labels"],
        "bucket::red"
    );

    let closed = gitlab
        .set_state(PROJECT, issue.iid, IssueState::Closed)
        .await
        .unwrap();
    assert_eq!(closed.state, IssueState::Closed);
    assert!(closed.closed_at.is_some());
    assert_eq!(fake.issue(PROJECT, issue.iid).unwrap().state, "closed");

    let reopened = gitlab
        .set_state(PROJECT, issue.iid, IssueState::Opened)
        .await
        .unwrap();
    assert_eq!(reopened.state, IssueState::Opened);
    assert_eq!(
        gitlab.issue(PROJECT, issue.iid).await.unwrap().closed_at,
        None
    );
}

#[tokio::test]
async fn missing_issue_is_not_found_naming_it() {
    let fake = fake().await;

    let err = client(&fake).issue(PROJECT, 42).await.unwrap_err();

    assert!(matches!(err, TrackerError::NotFound { .. }));
    insta::assert_snapshot!(err, @"not found: issue #42 of `gitlab-com/support/support-ops/feedback-review` (GitLab answered `404 Issue Not Found`)");
}

#[tokio::test]
async fn read_only_project_refuses_writes_with_403() {
    let fake = fake().await;
    fake.make_read_only(PROJECT);

    let err = client(&fake)
        .create_issue(PROJECT, &review("x"))
        .await
        .unwrap_err();

    assert!(matches!(err, TrackerError::Forbidden { .. }));
    insta::assert_snapshot!(err, @"the tracker forbade creating the issue `x` in `gitlab-com/support/support-ops/feedback-review` (403); the token needs the `api` scope and access to the project");
    assert_eq!(fake.requests_to("POST", "/issues").len(), 1);
}

#[tokio::test]
async fn changing_no_label_sends_no_edit() {
    let fake = fake().await;
    let gitlab = client(&fake);
    let issue = gitlab.create_issue(PROJECT, &review("x")).await.unwrap();

    let same = gitlab
        .update_labels(PROJECT, issue.iid, &[], &[])
        .await
        .unwrap();

    assert_eq!(same.labels, issue.labels);
    assert!(fake.requests_to("PUT", "/issues/").is_empty());
}
