//! Runs the fake GitLab on loopback, seeded with the handbook's review project, its
//! `Feedback Review` template and a small team, so `supportops review` can be tried against
//! GitLab without an account:
//!
//! ```text
//! cargo run -p supportops-test-support --example fake_gitlab
//! ```
//!
//! It prints the URL and token to use, then serves until Ctrl-C, printing each request.

use std::time::Duration;

use supportops_test_support::FakeGitLab;

const PROJECT: &str = "gitlab-com/support/support-ops/feedback-review";

const TEMPLATE: &str = "\
## Summary

Support Ops received feedback about {{ reference }} that needs a review.

## Action plan

<!-- Agree on it at the monthly sync. -->

/label ~\"needs action plan\"
";

#[tokio::main]
async fn main() {
    let gitlab = FakeGitLab::start().await;
    gitlab.add_project(PROJECT);
    gitlab.add_template(PROJECT, "Feedback Review", TEMPLATE);
    gitlab.add_group(
        "gitlab-com/support/support-ops",
        &["alice", "bob", "carol", "dan"],
    );
    println!("fake GitLab at {}", gitlab.base_url());
    println!("  export SUPPORTOPS__TRACKER__KIND=gitlab");
    println!("  export SUPPORTOPS__TRACKER__URL={}", gitlab.base_url());
    println!("  export GITLAB_TOKEN={}", gitlab.token());
    println!("project `{PROJECT}`, users alice, bob, carol, dan; Ctrl-C stops");

    let mut seen = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = tick.tick() => {
                let requests = gitlab.requests();
                for r in requests.iter().skip(seen) {
                    let query = if r.query.is_empty() { String::new() } else { format!("?{}", r.query) };
                    println!("{} {} {}{}", r.status, r.method, r.path, query);
                }
                seen = requests.len();
            }
        }
    }
    let issues = gitlab.issues(PROJECT);
    println!("{} issue(s) in `{PROJECT}`", issues.len());
}
