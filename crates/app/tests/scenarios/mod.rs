//! Feedback Review scenarios, written once against any [`Tracker`].
//!
//! Each scenario is an `async fn` taking a [`MakeTracker`]: given the store a run uses, it
//! returns the tracker to file into. A test file instantiates every scenario for one tracker
//! with [`every_scenario!`] (`review_scenarios.rs` for the local tracker, `review_gitlab.rs` for
//! GitLab). The tracker must accept issues in [`PROJECT`] and know the users [`ASSIGNEES`]; it
//! may have a `Feedback Review` template there. Whatever must stay alive for the tracker (e.g. a
//! fake server) should be owned by it. The sheet rows come from the `rows` module, which a test
//! file declares next to this one (`mod rows; mod scenarios;`).
//!
//! A new scenario goes into the list of [`every_scenario!`], the one list both trackers run;
//! one left out of it is dead code, which the lints refuse.

/// Instantiates every scenario as a test running against the tracker `$make` builds (a
/// [`MakeTracker`]).
macro_rules! every_scenario {
    ($make:path) => {
        $crate::scenarios::every_scenario!(@tests $make:
            combines_responses_per_subject,
            fills_the_template_and_assigns,
            fills_a_text_template,
            a_rerun_files_nothing_new,
            a_later_response_becomes_a_note_on_the_open_issue,
            a_closed_review_gets_a_new_linked_issue,
            a_dry_run_changes_nothing,
            a_crash_after_create_is_recovered_by_the_marker,
            a_crash_after_create_is_found_by_search,
            a_search_that_misses_the_marker_still_finds_the_interrupted_issue,
            a_crash_before_create_files_once_on_rerun,
            a_crash_after_note_adds_no_second_note,
            a_new_store_finds_existing_issues_by_marker,
            skipped_rows_are_reported,
            no_assignees_is_a_warning,
            references_in_comments_notify_no_one,
            two_runs_at_once_file_each_subject_once,
            a_stale_lock_of_a_crashed_run_is_taken_over,
            a_run_waits_for_the_lock_then_gives_up_filing_nothing,
            a_failed_run_releases_the_lock,
            a_run_that_lost_the_lock_stops_before_filing_more,
        );
    };
    (@tests $make:path: $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                $crate::scenarios::$name(&$make).await;
            }
        )*
    };
}
pub(crate) use every_scenario;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use supportops_app::review::{
    ActionStatus, LockOptions, LockPolicy, Pace, ReviewError, ReviewOptions, ReviewReport,
    SettlePolicy, TemplateSource, review,
};
use supportops_domain::review::{self as domain, RenderOptions, ReviewColumns};
use supportops_domain::{Band, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_ports::store::review::FilingKind;
use supportops_ports::store::{ActionLog, ReviewStore};
use supportops_ports::tracker::{
    Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User,
};
use supportops_store::SqliteStore;
use tokio::sync::Notify;

pub use crate::rows::row;

/// The review project every scenario files into.
pub const PROJECT: &str = "gitlab-com/support/support-ops/feedback-review";

/// The usernames every scenario assigns.
pub const ASSIGNEES: [&str; 2] = ["alice", "bob"];

/// Builds the tracker under test for a store.
pub trait MakeTracker {
    /// The tracker a run with `store` files into.
    fn make(&self, store: SqliteStore) -> Pin<Box<dyn Future<Output = Arc<dyn Tracker>> + Send>>;
}

impl<F, Fut> MakeTracker for F
where
    F: Fn(SqliteStore) -> Fut,
    Fut: Future<Output = Arc<dyn Tracker>> + Send + 'static,
{
    fn make(&self, store: SqliteStore) -> Pin<Box<dyn Future<Output = Arc<dyn Tracker>> + Send>> {
        Box::pin(self(store))
    }
}

/// A store in a temporary directory and the tracker under test.
pub struct Harness {
    /// The store runs record into.
    pub store: SqliteStore,
    /// The tracker runs file into.
    pub tracker: Arc<dyn Tracker>,
    dir: tempfile::TempDir,
}

impl Harness {
    /// A fresh store and a tracker for it.
    pub async fn new(make: &dyn MakeTracker) -> Harness {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = open_store(&dir, "store.db").await;
        let tracker = make.make(store.clone()).await;
        Harness {
            store,
            tracker,
            dir,
        }
    }

    /// Runs `review` over `rows` with the scenario options.
    pub async fn run(&self, rows: &[ScoredResponse]) -> ReviewReport {
        self.run_with(self.tracker.as_ref(), rows, &options()).await
    }

    /// Runs `review` with another tracker or options.
    pub async fn run_with(
        &self,
        tracker: &dyn Tracker,
        rows: &[ScoredResponse],
        options: &ReviewOptions,
    ) -> ReviewReport {
        match review(&self.store, tracker, rows, options, &lock(), now()).await {
            Ok(report) => report,
            Err(e) => panic!("review failed: {e}: {:?}", std::error::Error::source(&e)),
        }
    }

    /// Every issue in the review project, by iid.
    pub async fn issues(&self) -> Vec<Issue> {
        self.tracker
            .list_issues(PROJECT, &IssueQuery::default())
            .await
            .expect("the tracker lists issues")
    }
}

async fn open_store(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
    let url = format!("sqlite://{}", dir.path().join(name).display());
    SqliteStore::open(&url).await.expect("the store opens")
}

fn now() -> Timestamp {
    "2026-03-02T10:00:00Z".parse().expect("a timestamp")
}

/// Real time: runs that wait for each other wait for real.
struct SystemPace;

#[async_trait::async_trait]
impl Pace for SystemPace {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// The review lock as a new run (a new process) takes it: its own name, and a short lease, so
/// that a rerun after a crash takes the crashed run's lock over quickly.
pub fn lock() -> LockOptions {
    lock_with(LockPolicy {
        ttl: Duration::from_millis(300),
        renew_every: Duration::from_millis(50),
        wait: Duration::from_secs(10),
        poll_every: Duration::from_millis(10),
    })
}

fn lock_with(policy: LockPolicy) -> LockOptions {
    static RUNS: AtomicU64 = AtomicU64::new(1);
    LockOptions {
        holder: format!("run {}", RUNS.fetch_add(1, Ordering::Relaxed)),
        policy,
        pace: Arc::new(SystemPace),
        on_wait: None,
    }
}

/// The handbook's columns: C resolution, D values, E comment, F rating.
pub const COLUMNS: ReviewColumns = ReviewColumns {
    resolution: Some(2),
    values: Some(3),
    comment: Some(4),
    rating: Some(5),
};

/// Settling on test time: short waits.
pub fn quick_settle() -> SettlePolicy {
    SettlePolicy {
        searches: 2,
        search_wait: Duration::from_millis(10),
        resends: 2,
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
    }
}

/// The options scenarios run with.
pub fn options() -> ReviewOptions {
    ReviewOptions {
        project: PROJECT.into(),
        template: TemplateSource::Tracker {
            name: "Feedback Review".into(),
        },
        assignees: ASSIGNEES.map(String::from).to_vec(),
        assignee_group: None,
        labels: vec!["Feedback Review".into()],
        render: RenderOptions {
            columns: COLUMNS,
            include_submitter: false,
        },
        dry_run: false,
        settle: quick_settle(),
    }
}

const MACROS: &str = "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12";
const FORMS: &str = "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7";

fn sheet() -> Vec<ScoredResponse> {
    vec![
        row(2, MACROS, 1, Band::Red),
        row(3, FORMS, 5, Band::Green),
        row(
            4,
            "https://GitLab.com/gitlab-com/support/support-ops/zendesk/issues/12/#note_4",
            3,
            Band::Yellow,
        ),
        row(5, FORMS, 2, Band::Red),
        row(6, &format!("{MACROS}?view=1"), 1, Band::Error),
    ]
}

/// Flagged responses about one issue, written three ways, become one issue covering all three;
/// the MR gets its own; the Green response gets nothing.
pub async fn combines_responses_per_subject(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let report = h.run(&sheet()).await;
    assert_eq!(report.flagged, 4);
    let created: Vec<(String, Vec<u64>)> = report
        .actions
        .iter()
        .map(|a| {
            assert_eq!(a.kind, FilingKind::Create);
            assert_eq!(a.status, ActionStatus::Done);
            (
                a.subject.to_string(),
                a.responses.iter().map(|r| r.row).collect(),
            )
        })
        .collect();
    assert_eq!(
        created,
        vec![
            (MACROS.to_owned(), vec![2, 4, 6]),
            (FORMS.to_owned(), vec![5])
        ]
    );
    let issues = h.issues().await;
    assert_eq!(issues.len(), 2);
    let macros = issues
        .iter()
        .find(|i| i.title == "Feedback Review: gitlab-com/support/support-ops/zendesk#12")
        .expect("the issue's review");
    for n in ["| 2 |", "| 4 |", "| 6 |"] {
        assert!(
            macros.description.contains(n),
            "row {n} missing:\n{}",
            macros.description
        );
    }
    assert!(
        !macros.description.contains("example.com"),
        "submitters stay out"
    );
    assert!(
        macros
            .description
            .contains(&format!("<!-- supportops:subject={MACROS} -->")),
        "{}",
        macros.description
    );
}

/// The issue starts with the project's template, then carries the assignees and labels asked for.
pub async fn fills_the_template_and_assigns(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let template = h
        .tracker
        .read_template(PROJECT, "Feedback Review")
        .await
        .expect("the template can be read");
    h.run(&sheet()[..1]).await;
    let issues = h.issues().await;
    assert_eq!(issues.len(), 1);
    let issue = &issues[0];
    if let Some(template) = template {
        let first = template
            .lines()
            .find(|l| !l.trim().is_empty() && !l.contains("{{") && !l.starts_with('/'))
            .expect("a plain line in the template");
        assert!(
            issue.description.starts_with(first),
            "the description should start with the template:\n{}",
            issue.description
        );
    }
    let mut assignees = issue.assignees.clone();
    assignees.sort();
    assert_eq!(assignees, ASSIGNEES);
    assert!(
        issue.labels.contains(&"Feedback Review".to_owned()),
        "{:?}",
        issue.labels
    );
    assert_eq!(issue.state, IssueState::Opened);
}

/// A text template is filled with the subject's variables.
pub async fn fills_a_text_template(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let mut opts = options();
    opts.template = TemplateSource::Text {
        origin: "`templates/review.md`".into(),
        text: "Review of {{ reference }}: {{ responses | length }} responses, worst {{ worst_band }}.\n"
            .into(),
    };
    h.run_with(h.tracker.as_ref(), &sheet()[..1], &opts).await;
    let issues = h.issues().await;
    assert!(
        issues[0].description.starts_with(
            "Review of gitlab-com/support/support-ops/zendesk#12: 1 responses, worst red.\n"
        ),
        "{}",
        issues[0].description
    );
}

/// Running again files nothing and says so.
pub async fn a_rerun_files_nothing_new(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let first = h.run(&sheet()).await;
    assert_eq!(first.actions.len(), 2);
    let second = h.run(&sheet()).await;
    assert!(second.nothing_new(), "{second:#?}");
    assert_eq!(second.already_covered, 4);
    assert_eq!(h.issues().await.len(), 2);
}

/// A new flagged response about a subject whose review is open becomes a note on it.
pub async fn a_later_response_becomes_a_note_on_the_open_issue(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    h.run(&sheet()).await;
    let mut rows = sheet();
    rows.push(row(9, MACROS, 2, Band::Red));
    let report = h.run(&rows).await;
    assert_eq!(report.actions.len(), 1, "{report:#?}");
    let note = &report.actions[0];
    assert_eq!(note.kind, FilingKind::Note);
    assert_eq!(
        note.responses.iter().map(|r| r.row).collect::<Vec<_>>(),
        [9]
    );
    let issue = note.issue.clone().expect("the open issue");
    let notes = h
        .tracker
        .notes(&issue.project, issue.iid)
        .await
        .expect("notes");
    let ours: Vec<&Note> = notes
        .iter()
        .filter(|n| n.body.contains("supportops:responses="))
        .collect();
    assert_eq!(ours.len(), 1);
    assert!(ours[0].body.contains("| 9 |"), "{}", ours[0].body);
    assert_eq!(h.issues().await.len(), 2);
    assert!(h.run(&rows).await.nothing_new());
}

/// A new flagged response about a subject whose review is closed opens a new issue linking it.
pub async fn a_closed_review_gets_a_new_linked_issue(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let first = h.run(&sheet()).await;
    let old = first.actions[0].issue.clone().expect("the first issue");
    h.tracker
        .set_state(&old.project, old.iid, IssueState::Closed)
        .await
        .expect("close");
    let mut rows = sheet();
    rows.push(row(9, MACROS, 2, Band::Red));
    let report = h.run(&rows).await;
    assert_eq!(report.actions.len(), 1, "{report:#?}");
    let action = &report.actions[0];
    assert_eq!(action.kind, FilingKind::Create);
    assert_eq!(action.previous_issue.as_ref(), Some(&old));
    let new = action.issue.clone().expect("a new issue");
    assert_ne!(new.iid, old.iid);
    let issue = h.tracker.issue(&new.project, new.iid).await.expect("read");
    assert!(
        issue.description.contains(&old.web_url),
        "{}",
        issue.description
    );
    assert!(h.run(&rows).await.nothing_new());
}

/// A dry run reports exactly what a real run then does, and writes nothing anywhere.
pub async fn a_dry_run_changes_nothing(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let mut dry = options();
    dry.dry_run = true;
    let planned = h.run_with(h.tracker.as_ref(), &sheet(), &dry).await;
    assert_eq!(planned.actions.len(), 2);
    assert!(
        planned
            .actions
            .iter()
            .all(|a| a.status == ActionStatus::Planned)
    );
    assert!(planned.imported.is_none());
    assert!(h.issues().await.is_empty());
    assert!(h.store.covered_keys().await.expect("covered").is_empty());
    assert!(h.store.actions().await.expect("log").is_empty());

    let done = h.run(&sheet()).await;
    let shape = |r: &ReviewReport| {
        r.actions
            .iter()
            .map(|a| {
                (
                    a.kind,
                    a.title.clone(),
                    a.body.clone(),
                    a.assignees.clone(),
                    a.labels.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&planned), shape(&done));
}

/// Tracker wrapper that stops the run dead (drops it mid-call, as a killed process would) at
/// a chosen point.
struct Crash {
    inner: Arc<dyn Tracker>,
    point: CrashPoint,
    crashed: Arc<Notify>,
    /// After each create, another run takes the review lock over through this store, as if
    /// this run had stalled past its lease.
    thief: Option<SqliteStore>,
}

impl Crash {
    fn new(inner: Arc<dyn Tracker>, point: CrashPoint) -> Crash {
        Crash {
            inner,
            point,
            crashed: Arc::new(Notify::new()),
            thief: None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CrashPoint {
    BeforeCreate,
    AfterCreate,
    AfterNote,
    /// No crash; the tracker's search finds nothing, as a search engine that tokenises the
    /// marker differently would.
    BlindSearch,
    /// No crash; every create and note takes this long, as over a slow network.
    Slow(std::time::Duration),
}

impl Crash {
    async fn die(&self) -> ! {
        self.crashed.notify_one();
        std::future::pending().await
    }
}

#[async_trait::async_trait]
impl Tracker for Crash {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn read_template(&self, p: &str, n: &str) -> Result<Option<String>, TrackerError> {
        self.inner.read_template(p, n).await
    }
    async fn resolve_users(&self, u: &[String]) -> Result<Vec<User>, TrackerError> {
        self.inner.resolve_users(u).await
    }
    async fn group_members(&self, g: &str) -> Result<Vec<User>, TrackerError> {
        self.inner.group_members(g).await
    }
    async fn create_issue(&self, p: &str, i: &NewIssue) -> Result<Issue, TrackerError> {
        if self.point == CrashPoint::BeforeCreate {
            self.die().await;
        }
        if let CrashPoint::Slow(latency) = self.point {
            tokio::time::sleep(latency).await;
        }
        let issue = self.inner.create_issue(p, i).await?;
        if self.point == CrashPoint::AfterCreate {
            self.die().await;
        }
        if let Some(thief) = &self.thief {
            let later = Timestamp::now() + jiff::SignedDuration::from_hours(1);
            thief
                .acquire_review_lock(THIEF, later, Duration::from_secs(60))
                .await
                .expect("the lock can be asked for");
        }
        Ok(issue)
    }
    async fn issue(&self, p: &str, iid: u64) -> Result<Issue, TrackerError> {
        self.inner.issue(p, iid).await
    }
    async fn list_issues(&self, p: &str, q: &IssueQuery) -> Result<Vec<Issue>, TrackerError> {
        if self.point == CrashPoint::BlindSearch && q.search.is_some() {
            return Ok(Vec::new());
        }
        self.inner.list_issues(p, q).await
    }
    async fn add_note(&self, p: &str, iid: u64, b: &str) -> Result<Note, TrackerError> {
        if let CrashPoint::Slow(latency) = self.point {
            tokio::time::sleep(latency).await;
        }
        let note = self.inner.add_note(p, iid, b).await?;
        if self.point == CrashPoint::AfterNote {
            self.die().await;
        }
        Ok(note)
    }
    async fn notes(&self, p: &str, iid: u64) -> Result<Vec<Note>, TrackerError> {
        self.inner.notes(p, iid).await
    }
    async fn update_labels(
        &self,
        p: &str,
        iid: u64,
        a: &[String],
        r: &[String],
    ) -> Result<Issue, TrackerError> {
        self.inner.update_labels(p, iid, a, r).await
    }
    async fn set_state(&self, p: &str, iid: u64, s: IssueState) -> Result<Issue, TrackerError> {
        self.inner.set_state(p, iid, s).await
    }
}

/// Runs review with a tracker that dies at `point`; returns once the run is dead.
async fn run_until_crash(h: &Harness, rows: &[ScoredResponse], point: CrashPoint) {
    let crashing = Crash::new(h.tracker.clone(), point);
    let crashed = crashing.crashed.clone();
    let opts = options();
    let lock = lock();
    tokio::select! {
        result = review(&h.store, &crashing, rows, &opts, &lock, now()) => {
            panic!("the run should have died, but ended: {:?}", result.map(|r| r.actions.len()));
        }
        () = crashed.notified() => {}
    }
}

/// Killed after the tracker created the issue but before the store recorded it: the rerun finds
/// the issue by its marker, records it, and files nothing twice.
pub async fn a_crash_after_create_is_recovered_by_the_marker(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let rows = &sheet()[..1];
    run_until_crash(&h, rows, CrashPoint::AfterCreate).await;
    assert_eq!(h.issues().await.len(), 1);
    assert_eq!(h.store.pending_filings().await.expect("pending").len(), 1);

    let report = h.run(rows).await;
    assert!(report.actions.is_empty(), "{report:#?}");
    assert_eq!(report.recovered.len(), 1);
    assert!(report.recovered[0].found);
    assert_eq!(h.issues().await.len(), 1);
    assert_eq!(
        h.store.covered_keys().await.expect("covered"),
        [rows[0].response.key.clone()].into_iter().collect()
    );
    assert!(h.run(rows).await.nothing_new());
}

/// The same, for a subject that is new while the store knows other reviews: the rerun asks
/// the tracker's search for the marker.
pub async fn a_crash_after_create_is_found_by_search(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let all = sheet();
    h.run(&all[..1]).await;
    run_until_crash(&h, &all, CrashPoint::AfterCreate).await;
    assert_eq!(h.issues().await.len(), 2);

    let report = h.run(&all).await;
    assert!(report.actions.is_empty(), "{report:#?}");
    assert!(report.recovered[0].found);
    assert_eq!(h.issues().await.len(), 2);
    assert!(h.run(&all).await.nothing_new());
}

/// When the tracker's search misses the marker, the issues created since the interrupted run
/// began are checked one by one: still no duplicate.
pub async fn a_search_that_misses_the_marker_still_finds_the_interrupted_issue(
    make: &dyn MakeTracker,
) {
    let h = Harness::new(make).await;
    let all = sheet();
    h.run(&all[..1]).await;
    run_until_crash(&h, &all, CrashPoint::AfterCreate).await;

    let blind = Crash::new(h.tracker.clone(), CrashPoint::BlindSearch);
    let report = h.run_with(&blind, &all, &options()).await;
    assert!(report.actions.is_empty(), "{report:#?}");
    assert!(report.recovered[0].found);
    assert_eq!(h.issues().await.len(), 2);
}

/// Killed after recording the intent but before the tracker heard of it: the rerun finds
/// nothing, abandons the intent and files the issue once.
pub async fn a_crash_before_create_files_once_on_rerun(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let rows = &sheet()[..1];
    run_until_crash(&h, rows, CrashPoint::BeforeCreate).await;
    assert!(h.issues().await.is_empty());

    let report = h.run(rows).await;
    assert_eq!(report.recovered.len(), 1);
    assert!(!report.recovered[0].found);
    assert_eq!(report.actions.len(), 1);
    assert_eq!(h.issues().await.len(), 1);
    assert!(h.store.pending_filings().await.expect("pending").is_empty());
}

/// Killed after the tracker added a note but before the store recorded it: the rerun finds the
/// note by the responses it lists and adds no second note.
pub async fn a_crash_after_note_adds_no_second_note(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    h.run(&sheet()[..1]).await;
    let mut rows = sheet()[..1].to_vec();
    rows.push(row(9, MACROS, 2, Band::Red));
    run_until_crash(&h, &rows, CrashPoint::AfterNote).await;

    let report = h.run(&rows).await;
    assert!(report.actions.is_empty(), "{report:#?}");
    assert!(report.recovered[0].found);
    let issue = &h.issues().await[0];
    let notes = h.tracker.notes(PROJECT, issue.iid).await.expect("notes");
    let ours = notes
        .iter()
        .filter(|n| n.body.contains("supportops:responses="))
        .count();
    assert_eq!(ours, 1);
}

/// With a new, empty store (a CI job without cache) the tracker's markers tell which subjects
/// already have review issues and which responses they cover: nothing is filed twice.
pub async fn a_new_store_finds_existing_issues_by_marker(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    h.run(&sheet()).await;
    let mut rows = sheet();
    rows.push(row(9, MACROS, 2, Band::Red));

    let fresh = open_store(&h.dir, "fresh.db").await;
    let report = review(
        &fresh,
        h.tracker.as_ref(),
        &rows,
        &options(),
        &lock(),
        now(),
    )
    .await
    .map_err(|e: ReviewError| e.to_string())
    .expect("review with a fresh store");
    assert_eq!(report.found.len(), 2, "{report:#?}");
    assert_eq!(report.already_covered, 4);
    assert_eq!(report.actions.len(), 1);
    assert_eq!(report.actions[0].kind, FilingKind::Note);
    assert_eq!(h.issues().await.len(), 2);
}

/// Rows without a subject and repeated rows are reported as skipped, with reasons.
pub async fn skipped_rows_are_reported(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let mut rows = sheet();
    rows.push(row(7, "", 1, Band::Red));
    let mut repeat = rows[0].clone();
    repeat.response.row = 8;
    rows.push(repeat);
    let report = h.run(&rows).await;
    let skipped: Vec<(u64, &str)> = report.skipped.iter().map(|s| (s.row, s.code)).collect();
    assert_eq!(skipped, [(7, "no_subject"), (8, "duplicate")]);
    assert_eq!(report.actions.len(), 2);
}

/// With no assignees configured, issues are filed unassigned and the report warns.
pub async fn no_assignees_is_a_warning(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let mut opts = options();
    opts.assignees.clear();
    let report = h.run_with(h.tracker.as_ref(), &sheet()[..1], &opts).await;
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("no assignees")),
        "{:?}",
        report.warnings
    );
    assert!(h.issues().await[0].assignees.is_empty());
}

/// A respondent's mentions, references and quick actions, quoted by the template and shown in
/// the table, change nothing in the tracker: no quick action runs, and every reference is in a
/// code span, where GitLab finds none.
pub async fn references_in_comments_notify_no_one(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let mut opts = options();
    opts.template = TemplateSource::Text {
        origin: "`templates/review.md`".into(),
        text: "Comments:\n\n{% for r in responses %}{{ r.comment }}\n{% endfor %}".into(),
    };
    let mut response = row(2, MACROS, 1, Band::Red);
    response.response.cells[4] = "/close\n/label ~spam\nThanks @carol, see #12 and !7".into();

    h.run_with(h.tracker.as_ref(), &[response], &opts).await;

    let issue = &h.issues().await[0];
    assert_eq!(issue.state, IssueState::Opened);
    assert!(
        !issue.labels.contains(&"spam".to_owned()),
        "{:?}",
        issue.labels
    );
    let shown = "\\/close<br>/label `~spam`<br>Thanks `@carol`, see `#12` and `!7`";
    assert_eq!(
        issue.description.matches(shown).count(),
        2,
        "once quoted by the template, once in the table:\n{}",
        issue.description
    );
    assert!(
        !issue.description.replace("`@carol`", "").contains("@carol"),
        "{}",
        issue.description
    );
}

/// Two runs at once on one store file, each with its own connection (the service's filing job
/// and a scheduled `supportops review`, say), over sheets that overlap: every subject gets one
/// review issue, every flagged response is listed in exactly one issue or note, and nothing is
/// left pending.
pub async fn two_runs_at_once_file_each_subject_once(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let other = open_store(&h.dir, "store.db").await;
    let slow = Crash::new(
        h.tracker.clone(),
        CrashPoint::Slow(Duration::from_millis(20)),
    );
    let subject = |n: u64| format!("https://gitlab.com/g/p/-/issues/{}", n % 5);
    let first: Vec<ScoredResponse> = (2..14).map(|n| row(n, &subject(n), 1, Band::Red)).collect();
    let second: Vec<ScoredResponse> = (8..20).map(|n| row(n, &subject(n), 1, Band::Red)).collect();

    // A lease far longer than the runs: neither may take the other's over.
    let patient = LockPolicy {
        ttl: Duration::from_secs(30),
        renew_every: Duration::from_secs(1),
        wait: Duration::from_secs(30),
        poll_every: Duration::from_millis(5),
    };
    let opts = options();
    let (lock_a, lock_b) = (lock_with(patient), lock_with(patient));
    let (a, b) = tokio::join!(
        review(&h.store, &slow, &first, &opts, &lock_a, now()),
        review(&other, &slow, &second, &opts, &lock_b, now()),
    );
    for result in [a, b] {
        if let Err(e) = result {
            panic!("review failed: {e}: {:?}", std::error::Error::source(&e));
        }
    }

    let issues = h.issues().await;
    let mut markers: Vec<String> = issues
        .iter()
        .flat_map(|i| {
            domain::markers_in(&i.description)
                .into_iter()
                .map(str::to_owned)
        })
        .collect();
    markers.sort();
    let mut expected: Vec<String> = (0..5)
        .map(|n| domain::marker(&SubjectUrl::parse(&subject(n))))
        .collect();
    expected.sort();
    assert_eq!(markers, expected, "one review issue per subject");

    let mut listed: Vec<ResponseKey> = Vec::new();
    for issue in &issues {
        listed.extend(domain::covered_keys_in(&issue.description));
        let notes = h.tracker.notes(PROJECT, issue.iid).await.expect("notes");
        for note in notes {
            listed.extend(domain::covered_keys_in(&note.body));
        }
    }
    listed.sort();
    let mut every: Vec<ResponseKey> = (2..20)
        .map(|n| row(n, &subject(n), 1, Band::Red).response.key)
        .collect();
    every.sort();
    assert_eq!(listed, every, "each response listed once");
    assert_eq!(
        h.store.covered_keys().await.expect("covered"),
        every.iter().cloned().collect()
    );
    assert!(h.store.pending_filings().await.expect("pending").is_empty());
}

/// The name the lock of a run that stopped (or another live run) is held under in scenarios.
const THIEF: &str = "supportops serve (pid 7)";

/// A run finds the lock of a run that crashed without releasing it: once the lease lapsed it
/// takes it over, says so, files as usual and releases the lock.
pub async fn a_stale_lock_of_a_crashed_run_is_taken_over(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let crashed_at = Timestamp::now() - jiff::SignedDuration::from_mins(5);
    h.store
        .acquire_review_lock("crashed run", crashed_at, Duration::from_secs(45))
        .await
        .expect("the crashed run took the lock");

    let report = h.run(&sheet()).await;

    assert_eq!(report.actions.len(), 2, "{report:#?}");
    assert!(
        report.warnings[0].starts_with("took over the review lock of `crashed run` (held since "),
        "{:?}",
        report.warnings
    );
    assert_eq!(h.store.review_lock().await.expect("read"), None);
    assert_eq!(h.issues().await.len(), 2);
}

/// While another run holds the lock, a run waits, then fails saying who holds it, having
/// changed nothing; a dry run needs no lock and plans as usual.
pub async fn a_run_waits_for_the_lock_then_gives_up_filing_nothing(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let since: Timestamp = "2026-03-02T09:58:07.25Z".parse().expect("a timestamp");
    h.store
        .acquire_review_lock(THIEF, since, Duration::from_secs(3600 * 24 * 365 * 100))
        .await
        .expect("the other run takes the lock");
    let impatient = lock_with(LockPolicy {
        wait: Duration::from_millis(60),
        poll_every: Duration::from_millis(20),
        ..LockPolicy::default()
    });

    let err = review(
        &h.store,
        h.tracker.as_ref(),
        &sheet(),
        &options(),
        &impatient,
        now(),
    )
    .await
    .expect_err("the lock is held");

    assert!(matches!(err, ReviewError::Busy { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "another review is running on this store (`supportops serve (pid 7)`, since \
         2026-03-02T09:58:07Z) and did not end within 60ms; try again later"
    );
    assert!(h.issues().await.is_empty());
    assert!(h.store.covered_keys().await.expect("covered").is_empty());
    assert_eq!(
        h.store.review_lock().await.expect("read").map(|l| l.holder),
        Some(THIEF.to_owned()),
        "the other run keeps its lock"
    );

    let mut dry = options();
    dry.dry_run = true;
    let planned = h.run_with(h.tracker.as_ref(), &sheet(), &dry).await;
    assert_eq!(planned.actions.len(), 2);
}

/// A run that fails after taking the lock (here: a broken template) releases it.
pub async fn a_failed_run_releases_the_lock(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let mut broken = options();
    broken.template = TemplateSource::Text {
        origin: "`templates/review.md`".into(),
        text: "{% if %}".into(),
    };
    let err = review(
        &h.store,
        h.tracker.as_ref(),
        &sheet(),
        &broken,
        &lock(),
        now(),
    )
    .await
    .expect_err("the template is broken");
    assert!(matches!(err, ReviewError::Template { .. }), "{err:?}");
    assert_eq!(h.store.review_lock().await.expect("read"), None);
}

/// A run that stalled past its lease finds another run holds the lock: it stops before its
/// next filing. What it filed is recorded; nothing is left pending.
pub async fn a_run_that_lost_the_lock_stops_before_filing_more(make: &dyn MakeTracker) {
    let h = Harness::new(make).await;
    let mut stalling = Crash::new(h.tracker.clone(), CrashPoint::Slow(Duration::ZERO));
    stalling.thief = Some(open_store(&h.dir, "store.db").await);

    let err = review(&h.store, &stalling, &sheet(), &options(), &lock(), now())
        .await
        .expect_err("the lock was taken over");

    match &err {
        ReviewError::LockLost { taken_by, .. } => assert_eq!(taken_by.as_deref(), Some(THIEF)),
        other => panic!("expected a lost lock, got {other:?}"),
    }
    assert!(
        err.to_string()
            .contains("lost the review lock to `supportops serve (pid 7)`"),
        "{err}"
    );
    assert_eq!(h.issues().await.len(), 1, "the second subject is not filed");
    assert_eq!(h.store.covered_keys().await.expect("covered").len(), 3);
    assert!(h.store.pending_filings().await.expect("pending").is_empty());
    assert_eq!(
        h.store.review_lock().await.expect("read").map(|l| l.holder),
        Some(THIEF.to_owned()),
        "the lost lock is not released by the run that lost it"
    );
}
