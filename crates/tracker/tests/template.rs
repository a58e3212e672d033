//! Reading the Feedback Review issue template through the repository files API.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::{PROJECT, client, fake};
use supportops_ports::{Tracker, TrackerError};

const TEMPLATE: &str = "## Feedback Review\n\n- [ ] Read the responses\n- [ ] Write an action plan\n\n/label ~\"Feedback Review\"\n";

#[tokio::test]
async fn template_is_read_from_the_project_repository() {
    let fake = fake().await;
    fake.add_template(PROJECT, "Feedback Review", TEMPLATE);

    let text = client(&fake)
        .read_template(PROJECT, "Feedback Review")
        .await
        .unwrap();

    assert_eq!(text.as_deref(), Some(TEMPLATE));
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    // The project path and the file path are each one URL-encoded path segment.
    assert_eq!(
        requests[0].path,
        "/api/v4/projects/gitlab-com%2Fsupport%2Fsupport-ops%2Ffeedback-review/repository/files/.gitlab%2Fissue_templates%2FFeedback%20Review.md/raw"
    );
    assert_eq!(requests[0].param("ref").as_deref(), Some("HEAD"));
}

#[tokio::test]
async fn missing_template_is_none_not_an_error() {
    let fake = fake().await;
    fake.add_template(PROJECT, "Something Else", "x");

    let text = client(&fake)
        .read_template(PROJECT, "Feedback Review")
        .await
        .unwrap();

    assert_eq!(text, None);
}

#[tokio::test]
async fn missing_project_is_an_error_naming_it() {
    let fake = fake().await;

    let err = client(&fake)
        .read_template("gitlab-com/support/nope", "Feedback Review")
        .await
        .unwrap_err();

    assert!(matches!(err, TrackerError::NotFound { .. }), "{err:?}");
    insta::assert_snapshot!(err, @"not found: project `gitlab-com/support/nope` (GitLab answered `404 Project Not Found`; check the project path and that the token's user can see the project)");
}
