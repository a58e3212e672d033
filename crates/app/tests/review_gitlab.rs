//! The Feedback Review scenarios against the GitLab tracker, talking HTTP to the fake GitLab on
//! loopback; plus what only a real network shows: a create that GitLab accepts but never
//! answers, and rate limits met in the middle of a run.

mod rows;
mod scenarios;

use std::sync::Arc;
use std::time::Duration;

use supportops_app::review::review;
use supportops_domain::Band;
use supportops_ports::store::ReviewStore as _;
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
/// between). The client does not send it again; the run settles it at once by the issue's
/// marker, records it, and goes on: no duplicate, no failure.
#[tokio::test]
async fn a_create_left_unanswered_is_settled_by_its_marker_within_the_run() {
    let fake = Arc::new(seeded().await);
    fake.fail(Match::post("/issues"), Fault::AcceptThenHang, 1);
    let h = harness(Arc::new(Served::new(
        fake.clone(),
        Duration::from_millis(500),
    )))
    .await;
    let rows = vec![scenarios::row(2, MACROS, 1, Band::Red)];

    let report = h.run(&rows).await;

    assert!(report.failures.is_empty(), "{report:#?}");
    assert_eq!(report.actions.len(), 1);
    assert_eq!(
        fake.requests_to("POST", "/issues").len(),
        1,
        "never sent twice"
    );
    assert_eq!(fake.issues(PROJECT).len(), 1, "GitLab made the issue");
    let recorded = h.store.review_issues().await.expect("the store reads");
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].issue.iid, fake.issues(PROJECT)[0].iid);
    assert!(h.run(&rows).await.nothing_new());
    assert_eq!(fake.issues(PROJECT).len(), 1);
}

/// GitLab answers 500 to a create without making it: the run finds no marker, sends it again
/// after a backoff, and files it once.
#[tokio::test]
async fn a_500_before_commit_is_sent_again_and_filed_once() {
    let fake = Arc::new(seeded().await);
    fake.fail(Match::post("/issues"), Fault::Status(500), 1);
    let h = harness(Arc::new(Served::new(fake.clone(), Duration::from_secs(5)))).await;
    let rows = vec![scenarios::row(2, MACROS, 1, Band::Red)];

    let report = h.run(&rows).await;

    assert!(report.failures.is_empty(), "{report:#?}");
    assert_eq!(fake.requests_to("POST", "/issues").len(), 2);
    assert_eq!(fake.issues(PROJECT).len(), 1);
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

const FORMS: &str = "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/30";
const VIEWS: &str = "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/9";

/// A row with this comment.
fn commented(n: u64, subject: &str, comment: &str) -> supportops_domain::ScoredResponse {
    let mut row = scenarios::row(n, subject, 1, Band::Red);
    row.response.cells[4] = comment.to_owned();
    row
}

/// Every response key the issue's description and notes list in GitLab.
fn listed(fake: &FakeGitLab, iid: u64) -> Vec<String> {
    let Some(issue) = fake.issue(PROJECT, iid) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = supportops_domain::review::covered_keys_in(&issue.description)
        .into_iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    for note in fake.comments(PROJECT, iid) {
        keys.extend(
            supportops_domain::review::covered_keys_in(&note.body)
                .into_iter()
                .map(|k| k.as_str().to_owned()),
        );
    }
    keys.sort();
    keys
}

/// GitLab refuses one subject (a 400); the run files the others, lists the failure, and the
/// next run files the failed subject after a new one.
#[tokio::test]
async fn one_refused_subject_does_not_stop_the_others_and_goes_last_next_time() {
    let fake = Arc::new(seeded().await);
    fake.fail(
        Match::post("/issues").with_body("zendesk#12"),
        Fault::Status(400),
        1,
    );
    let h = harness(Arc::new(Served::new(fake.clone(), Duration::from_secs(5)))).await;
    let mut rows = vec![
        scenarios::row(2, MACROS, 1, Band::Red),
        scenarios::row(3, FORMS, 1, Band::Red),
    ];

    let report = h.run(&rows).await;

    assert_eq!(report.actions.len(), 1, "{report:#?}");
    assert_eq!(report.failures.len(), 1);
    let failure = &report.failures[0];
    assert_eq!(failure.subject.as_str(), MACROS);
    assert_eq!((failure.code, failure.status), ("rejected", Some(400)));
    assert!(!failure.pending);
    assert_eq!(fake.issues(PROJECT).len(), 1);

    rows.push(scenarios::row(4, VIEWS, 1, Band::Red));
    let report = h.run(&rows).await;

    assert!(report.failures.is_empty(), "{report:#?}");
    let titles: Vec<String> = report
        .actions
        .iter()
        .filter_map(|a| a.title.clone())
        .collect();
    assert_eq!(
        titles,
        [
            "Feedback Review: gitlab-com/support/support-ops/zendesk!9",
            "Feedback Review: gitlab-com/support/support-ops/zendesk#12",
        ],
        "the subject that failed before goes last"
    );
    assert_eq!(fake.issues(PROJECT).len(), 3);
}

/// One create meets a 500 after GitLab committed it, another a 500 before: the run settles
/// the first by its marker and sends the second again; every subject is filed once.
#[tokio::test]
async fn a_500_after_commit_and_a_500_before_file_every_subject_once() {
    let fake = Arc::new(seeded().await);
    fake.fail(
        Match::post("/issues").with_body("zendesk#12"),
        Fault::CommitThenStatus(500),
        1,
    );
    fake.fail(
        Match::post("/issues").with_body("zendesk#30"),
        Fault::Status(500),
        1,
    );
    let h = harness(Arc::new(Served::new(fake.clone(), Duration::from_secs(5)))).await;
    let rows = vec![
        scenarios::row(2, MACROS, 1, Band::Red),
        scenarios::row(3, FORMS, 1, Band::Red),
        scenarios::row(4, VIEWS, 1, Band::Red),
    ];

    let report = h.run(&rows).await;

    assert!(report.failures.is_empty(), "{report:#?}");
    assert_eq!(report.actions.len(), 3);
    let issues = fake.issues(PROJECT);
    let mut titles: Vec<&str> = issues.iter().map(|i| i.title.as_str()).collect();
    titles.sort_unstable();
    titles.dedup();
    assert_eq!(titles.len(), 3, "no duplicate");
    assert_eq!(issues.len(), 3);
    assert_eq!(fake.requests_to("POST", "/issues").len(), 4);
    assert!(h.run(&rows).await.nothing_new());
}

/// GitLab answers 500 to one subject, every time: that subject fails (its filing left pending,
/// checked first by the next run), every other subject is filed.
#[tokio::test]
async fn a_subject_gitlab_always_fails_is_that_subject_s_failure() {
    let fake = Arc::new(seeded().await);
    fake.fail(
        Match::post("/issues").with_body("zendesk#12"),
        Fault::Status(500),
        1000,
    );
    let h = harness(Arc::new(Served::new(fake.clone(), Duration::from_secs(5)))).await;
    let rows = vec![
        scenarios::row(2, MACROS, 1, Band::Red),
        scenarios::row(3, FORMS, 1, Band::Red),
        scenarios::row(4, VIEWS, 1, Band::Red),
    ];

    let report = h.run(&rows).await;

    assert_eq!(report.actions.len(), 2, "{report:#?}");
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].code, "outcome_unknown");
    assert!(report.failures[0].pending);
    assert_eq!(fake.issues(PROJECT).len(), 2);
    // The first send and the policy's resends, no more.
    let sent = fake
        .requests_to("POST", "/issues")
        .iter()
        .filter(|r| {
            r.body
                .as_ref()
                .is_some_and(|b| b.to_string().contains("zendesk#12"))
        })
        .count();
    assert_eq!(sent, 1 + scenarios::quick_settle().resends as usize);
}

/// A comment of 2 MB is cut visibly; a table too long for one issue continues in notes; no
/// body GitLab receives exceeds its limit, and every response is listed once.
#[tokio::test]
async fn long_cells_are_cut_and_a_long_table_continues_in_notes() {
    let fake = Arc::new(seeded().await);
    let h = harness(Arc::new(Served::new(fake.clone(), Duration::from_secs(30)))).await;
    // One 2 MB comment, and enough long ones that the table passes GitLab's limit.
    let huge = "all work and no play ".repeat(100_000);
    let long = "x".repeat(12_000);
    let rows: Vec<_> = (2..115)
        .map(|n| commented(n, MACROS, if n == 2 { &huge } else { &long }))
        .collect();

    let report = h.run(&rows).await;

    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let issues = fake.issues(PROJECT);
    assert_eq!(issues.len(), 1);
    let notes = fake.comments(PROJECT, issues[0].iid);
    assert!(!notes.is_empty(), "the rest of the table is in notes");
    for r in fake.requests_to("POST", "/issues") {
        let body = r.body.unwrap_or_default();
        for field in ["description", "body"] {
            let len = body[field].as_str().map_or(0, |t| t.chars().count());
            assert!(len <= 1_048_576, "{field} of {len} characters");
        }
    }
    assert!(issues[0].description.contains("… (cut, "), "a visible cut");
    let mut expected: Vec<String> = rows
        .iter()
        .map(|r| r.response.key.as_str().to_owned())
        .collect();
    expected.sort();
    assert_eq!(listed(&fake, issues[0].iid), expected);
    assert!(h.run(&rows).await.nothing_new());
}

/// Respondents write quick actions and mentions; GitLab (the fake runs quick actions in
/// descriptions and notes, and records mentions) acts on none of them.
#[tokio::test]
async fn respondents_cannot_command_gitlab_in_issues_notes_or_titles() {
    let fake = Arc::new(seeded().await);
    fake.add_user("mallory", "Mallory");
    fake.add_group("gitlab-com/support", &["mallory"]);
    let h = harness(Arc::new(Served::new(fake.clone(), Duration::from_secs(5)))).await;
    let evil = "/close\n/assign @mallory\n/label ~urgent\n/title pwned\nping @all and \
                @gitlab-com/support and @mallory";
    let mut first = commented(2, MACROS, evil);
    first.response.cells[3] = "/close".into();
    let mut rows = vec![first, commented(3, "@all", evil)];

    let report = h.run(&rows).await;
    rows.push(commented(4, MACROS, evil));
    let again = h.run(&rows).await;

    assert_eq!(report.actions.len(), 1);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].code, "not_an_issue_link");
    assert_eq!(again.actions.len(), 1, "a note");
    let issues = fake.issues(PROJECT);
    assert_eq!(issues.len(), 1);
    let issue = &issues[0];
    assert_eq!(issue.state, "opened");
    assert_eq!(issue.labels, ["Feedback Review", "needs action plan"]);
    let mut assignees = issue.assignees.clone();
    assignees.sort();
    assert_eq!(assignees, ASSIGNEES);
    assert_eq!(
        issue.title,
        "Feedback Review: gitlab-com/support/support-ops/zendesk#12"
    );
    assert_eq!(fake.comments(PROJECT, issue.iid).len(), 1);
    assert_eq!(fake.mentions(), []);
}

/// Two machines (two stores) file into one GitLab at the same time: both find no issue and
/// both create one. They converge: exactly one open review per subject, every response
/// listed on it, the newer closed as a duplicate.
#[tokio::test]
async fn two_stores_racing_on_one_gitlab_converge() {
    let fake = Arc::new(seeded().await);
    fake.set_latency(Duration::from_millis(20));
    let served = Arc::new(Served::new(fake.clone(), Duration::from_secs(5)));
    let a = harness(served.clone()).await;
    let b = harness(served.clone()).await;
    let rows = vec![
        scenarios::row(2, MACROS, 1, Band::Red),
        scenarios::row(3, FORMS, 1, Band::Red),
        scenarios::row(4, VIEWS, 1, Band::Yellow),
    ];

    let (ra, rb) = tokio::join!(a.run(&rows), b.run(&rows));

    assert!(ra.failures.is_empty() && rb.failures.is_empty());
    let converged = ra.converged.len() + rb.converged.len();
    let closes = fake
        .requests_to("PUT", "/issues/")
        .iter()
        .filter(|r| r.body.as_ref().is_some_and(|b| b["state_event"] == "close"))
        .count();
    assert_eq!(closes, converged);
    let issues = fake.issues(PROJECT);
    assert!(issues.len() > 3, "both created (a race): {}", issues.len());
    assert_eq!(issues.len() - 3, converged, "each duplicate closed once");
    let open: Vec<_> = issues.iter().filter(|i| i.state == "opened").collect();
    assert_eq!(open.len(), 3, "one open review per subject");
    let mut expected: Vec<String> = rows
        .iter()
        .map(|r| r.response.key.as_str().to_owned())
        .collect();
    expected.sort();
    let mut covered: Vec<String> = open.iter().flat_map(|i| listed(&fake, i.iid)).collect();
    covered.sort();
    assert_eq!(covered, expected, "every response on an open review, once");

    // A later response on each machine goes on the open review, never a new issue.
    let mut more = rows.clone();
    more.push(scenarios::row(5, MACROS, 1, Band::Red));
    a.run(&more).await;
    b.run(&more).await;
    let open = fake
        .issues(PROJECT)
        .into_iter()
        .filter(|i| i.state == "opened")
        .count();
    assert_eq!(open, 3);
    assert_eq!(fake.issues(PROJECT).len(), issues.len());
}

/// A store that knows none of 25 review issues already in GitLab (a CI job without cache):
/// they are found with one listing, not one search per subject, and recorded before anything
/// is filed, so a run that fails later (here: the template cannot be read) still made progress.
#[tokio::test]
async fn a_new_store_finds_many_issues_with_one_listing_and_records_them_at_once() {
    let fake = Arc::new(seeded().await);
    let served = Arc::new(Served::new(fake.clone(), Duration::from_secs(5)));
    let subject = |n: u64| format!("https://gitlab.com/g/p/-/issues/{n}");
    let mut rows: Vec<_> = (1..=25)
        .map(|n| scenarios::row(n + 1, &subject(n), 1, Band::Red))
        .collect();
    let first = harness(served.clone()).await;
    first.run(&rows).await;
    assert_eq!(fake.issues(PROJECT).len(), 25);

    let fresh = harness(served.clone()).await;
    rows.push(scenarios::row(40, &subject(1), 1, Band::Red));
    let listings_before = fake.requests_to("GET", "/issues").len();
    fake.fail(Match::get("/repository/files"), Fault::Status(500), 100);
    let failed = review(
        &fresh.store,
        served.as_ref(),
        &rows,
        &scenarios::options(),
        &scenarios::lock(),
        "2026-03-02T11:00:00Z".parse().expect("a timestamp"),
    )
    .await;

    assert!(failed.is_err(), "the template cannot be read");
    let listings: Vec<_> = fake.requests_to("GET", "/issues")[listings_before..]
        .iter()
        .filter(|r| !r.path.contains("/notes") && r.path.ends_with("/issues"))
        .cloned()
        .collect();
    assert_eq!(listings.len(), 1, "one listing: {listings:?}");
    let recorded = fresh.store.review_issues().await.expect("the store reads");
    assert_eq!(
        recorded.len(),
        25,
        "found issues recorded before the failure"
    );
    assert_eq!(fake.issues(PROJECT).len(), 25, "nothing filed twice");
}
