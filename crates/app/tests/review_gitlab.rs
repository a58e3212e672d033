//! The Feedback Review scenarios against the GitLab tracker, talking HTTP to the fake GitLab on
//! loopback; plus what only a real network shows: a create that GitLab accepts but never
//! answers, and rate limits met in the middle of a run.

mod rows;
mod scenarios;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use supportops_app::review::{ReviewError, review};
use supportops_domain::Band;
use supportops_ports::tracker::{
    Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User,
};
use supportops_store::SqliteStore;
use supportops_test_support::FakeGitLab;
use supportops_test_support::gitlab::{Fault, Match};
use supportops_tracker::{GitLab, GitLabOptions};

use scenarios::{ASSIGNEES, PROJECT};

/// The project's issue template, as a team would write it: Markdown, a template variable and a
/// quick action.
const TEMPLATE: &str = "\
## Summary

Support Ops received feedback about {{ reference }} that needs a review.

## Action plan

<!-- Agree on it at the monthly sync. -->

/label ~\"needs action plan\"
";

/// A fake GitLab with the review project, its template and the team.
async fn seeded() -> FakeGitLab {
    let fake = FakeGitLab::start().await;
    fake.add_project(PROJECT);
    for user in ASSIGNEES {
        fake.add_user(user, user);
    }
    fake.add_template(PROJECT, "Feedback Review", TEMPLATE);
    fake
}

/// The GitLab client and the fake it talks to, kept alive together.
struct Served {
    _fake: Arc<FakeGitLab>,
    gitlab: GitLab,
}

impl Served {
    fn new(fake: Arc<FakeGitLab>, timeout: Duration) -> Served {
        let gitlab = GitLab::new(GitLabOptions {
            base_url: fake.base_url().to_owned(),
            token: fake.token().to_owned().into(),
            token_env: "GITLAB_TOKEN".to_owned(),
            timeout,
            max_retries: 3,
        })
        .expect("the client builds")
        .with_backoff(Duration::from_millis(10), Duration::from_millis(40));
        Served {
            _fake: fake,
            gitlab,
        }
    }
}

#[async_trait::async_trait]
impl Tracker for Served {
    fn describe(&self) -> String {
        self.gitlab.describe()
    }
    async fn read_template(&self, p: &str, n: &str) -> Result<Option<String>, TrackerError> {
        self.gitlab.read_template(p, n).await
    }
    async fn resolve_users(&self, u: &[String]) -> Result<Vec<User>, TrackerError> {
        self.gitlab.resolve_users(u).await
    }
    async fn group_members(&self, g: &str) -> Result<Vec<User>, TrackerError> {
        self.gitlab.group_members(g).await
    }
    async fn create_issue(&self, p: &str, i: &NewIssue) -> Result<Issue, TrackerError> {
        self.gitlab.create_issue(p, i).await
    }
    async fn issue(&self, p: &str, iid: u64) -> Result<Issue, TrackerError> {
        self.gitlab.issue(p, iid).await
    }
    async fn list_issues(&self, p: &str, q: &IssueQuery) -> Result<Vec<Issue>, TrackerError> {
        self.gitlab.list_issues(p, q).await
    }
    async fn add_note(&self, p: &str, iid: u64, b: &str) -> Result<Note, TrackerError> {
        self.gitlab.add_note(p, iid, b).await
    }
    async fn notes(&self, p: &str, iid: u64) -> Result<Vec<Note>, TrackerError> {
        self.gitlab.notes(p, iid).await
    }
    async fn update_labels(
        &self,
        p: &str,
        iid: u64,
        a: &[String],
        r: &[String],
    ) -> Result<Issue, TrackerError> {
        self.gitlab.update_labels(p, iid, a, r).await
    }
    async fn set_state(&self, p: &str, iid: u64, s: IssueState) -> Result<Issue, TrackerError> {
        self.gitlab.set_state(p, iid, s).await
    }
}

/// A fresh fake GitLab per scenario, with small pages so listings cross page boundaries.
async fn gitlab(_store: SqliteStore) -> Arc<dyn Tracker> {
    let fake = seeded().await;
    fake.set_max_per_page(1);
    Arc::new(Served::new(Arc::new(fake), Duration::from_secs(5)))
}

scenarios::every_scenario!(gitlab);

const MACROS: &str = "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12";

fn at(s: &str) -> Timestamp {
    s.parse().expect("a timestamp")
}

/// A harness whose tracker is `served`, kept for inspection.
async fn harness(served: Arc<Served>) -> scenarios::Harness {
    let make = move |_store: SqliteStore| {
        let tracker: Arc<dyn Tracker> = served.clone();
        async move { tracker }
    };
    scenarios::Harness::new(&make).await
}

/// The whole issue as GitLab receives it: the project's template filled in, its quick action
/// applied by GitLab (the label added, the line gone), then the generated section.
#[tokio::test]
async fn gitlab_review_issue_body() {
    let fake = Arc::new(seeded().await);
    let h = harness(Arc::new(Served::new(fake.clone(), Duration::from_secs(5)))).await;
    let rows = vec![
        scenarios::row(2, MACROS, 1, Band::Red),
        scenarios::row(6, &format!("{MACROS}#note_3"), 1, Band::Error),
    ];

    h.run(&rows).await;

    let issues = fake.issues(PROJECT);
    assert_eq!(issues.len(), 1);
    let issue = &issues[0];
    assert_eq!(issue.labels, ["Feedback Review", "needs action plan"]);
    insta::assert_snapshot!(format!("# {}\n\n{}", issue.title, issue.description), @r"
    # Feedback Review: gitlab-com/support/support-ops/zendesk#12

    ## Summary

    Support Ops received feedback about gitlab-com/support/support-ops/zendesk#12 that needs a review.

    ## Action plan

    <!-- Agree on it at the monthly sync. -->


    ## Feedback responses

    Subject: https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12

    | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
    | --- | --- | --- | --- | --- | --- | --- | --- |
    | 2 | 2/2/2026 9:02:00 | 1 | It was not solved | Collaboration | comment 2 | -1 | Red (Bad) |
    | 6 | 2/6/2026 9:06:00 | 1 | It was not solved | Collaboration | comment 6 | #VALUE! | Error |

    <!-- supportops:subject=https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12 -->
    <!-- supportops:responses=h:4f571ca52c6ace29841a8661,h:d256431b7bc3ebd37a1c428d -->
    ");
}

/// GitLab accepts the create, then the answer never comes (the network or the server dies in
/// between). The client does not send it again; the run stops with the outcome unknown; the
/// rerun finds the issue by its marker and files nothing twice.
#[tokio::test]
async fn a_create_left_unanswered_is_found_by_its_marker_on_rerun() {
    let fake = Arc::new(seeded().await);
    fake.fail(Match::post("/issues"), Fault::AcceptThenHang, 1);
    let h = harness(Arc::new(Served::new(
        fake.clone(),
        Duration::from_millis(500),
    )))
    .await;
    let rows = vec![scenarios::row(2, MACROS, 1, Band::Red)];

    let err = review(
        &h.store,
        h.tracker.as_ref(),
        &rows,
        &scenarios::options(),
        &scenarios::lock(),
        at("2026-03-02T10:00:00Z"),
    )
    .await
    .expect_err("the run cannot know whether the issue was made");
    match &err {
        ReviewError::Filing(f) => {
            assert!(
                matches!(f.source, TrackerError::OutcomeUnknown { .. }),
                "{:?}",
                f.source
            );
        }
        other => panic!("expected a filing error, got {other:?}"),
    }
    assert_eq!(fake.requests_to("POST", "/issues").len(), 1);
    assert_eq!(fake.issues(PROJECT).len(), 1, "GitLab made the issue");

    let report = h.run(&rows).await;

    assert!(report.actions.is_empty(), "{report:#?}");
    assert_eq!(report.recovered.len(), 1);
    assert!(report.recovered[0].found);
    assert_eq!(fake.requests_to("POST", "/issues").len(), 1);
    assert_eq!(fake.issues(PROJECT).len(), 1);
    assert!(h.run(&rows).await.nothing_new());
}

/// Rate limits and server errors met during a run are waited out; the run files each issue
/// once.
#[tokio::test]
async fn rate_limits_and_server_errors_during_a_run_are_waited_out() {
    let fake = Arc::new(seeded().await);
    fake.fail(
        Match::get("/issues"),
        Fault::TooManyRequests(Some("0".into())),
        2,
    );
    fake.fail(
        Match::post("/issues"),
        Fault::TooManyRequests(Some("0".into())),
        1,
    );
    fake.fail(Match::get("/users"), Fault::Status(502), 1);
    let h = harness(Arc::new(Served::new(fake.clone(), Duration::from_secs(5)))).await;
    let rows = vec![
        scenarios::row(2, MACROS, 1, Band::Red),
        scenarios::row(
            3,
            "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7",
            2,
            Band::Red,
        ),
    ];

    let report = h.run(&rows).await;

    assert_eq!(report.actions.len(), 2, "{report:#?}");
    assert_eq!(fake.issues(PROJECT).len(), 2);
    let refused = fake
        .requests()
        .iter()
        .filter(|r| r.status == 429 || r.status == 502)
        .count();
    assert_eq!(refused, 4, "every injected fault was met");
}
