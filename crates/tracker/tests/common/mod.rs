//! Shared set-up for the GitLab adapter's tests: a fake GitLab with the handbook's review
//! project and team, and a client pointed at it.

#![allow(dead_code, reason = "each test file uses a part of this module")]
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use std::time::Duration;

use supportops_test_support::FakeGitLab;
use supportops_tracker::{GitLab, GitLabOptions};

pub const PROJECT: &str = "gitlab-com/support/support-ops/feedback-review";
pub const GROUP: &str = "gitlab-com/support/support-ops";

/// A fake GitLab with the review project, three team members and their group.
pub async fn fake() -> FakeGitLab {
    let fake = FakeGitLab::start().await;
    fake.add_project(PROJECT);
    fake.add_user("alice", "Alice Archer");
    fake.add_user("bob", "Bob Baker");
    fake.add_group(GROUP, &["alice", "bob", "carol"]);
    fake
}

/// A client for `fake` that retries quickly: 3 retries, backoff from 10 ms.
pub fn client(fake: &FakeGitLab) -> GitLab {
    client_with(fake, fake.token(), Duration::from_secs(5), 3)
}

/// A client with the given token, timeout and retries.
pub fn client_with(fake: &FakeGitLab, token: &str, timeout: Duration, max_retries: u32) -> GitLab {
    GitLab::new(GitLabOptions {
        base_url: fake.base_url().to_owned(),
        token: token.to_owned().into(),
        token_env: "GITLAB_TOKEN".to_owned(),
        timeout,
        max_retries,
    })
    .unwrap()
    .with_backoff(Duration::from_millis(10), Duration::from_millis(40))
}
