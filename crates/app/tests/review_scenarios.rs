//! The Feedback Review scenarios against the local tracker kept in the store.

mod rows;
mod scenarios;

use std::sync::Arc;

use jiff::Timestamp;
use supportops_app::review::review;
use supportops_domain::Band;
use supportops_ports::tracker::{
    Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User,
};
use supportops_store::{LocalTracker, SqliteStore};

async fn local(store: SqliteStore) -> Arc<dyn Tracker> {
    let start: Timestamp = "2026-03-02T10:00:00Z".parse().expect("a timestamp");
    Arc::new(LocalTracker::new(store).with_clock(Arc::new(move || start)))
}

scenarios::every_scenario!(local);

/// The whole issue as the local tracker stores it: the built-in template, then the generated
/// section.
#[tokio::test]
async fn local_review_issue_body() {
    let h = scenarios::Harness::new(&local).await;
    let rows = vec![
        scenarios::row(2, "https://gitlab.com/g/p/-/issues/12", 1, Band::Red),
        scenarios::row(
            4,
            "https://gitlab.com/g/p/issues/12#note_1",
            3,
            Band::Yellow,
        ),
    ];
    h.run(&rows).await;
    let issue = &h.issues().await[0];
    insta::assert_snapshot!(format!("# {}\n\n{}", issue.title, issue.description), @"
    # Feedback Review: g/p#12

    ## Summary

    Support Ops received feedback that needs a review about g/p#12.
    Read the responses below, then talk to the people involved where that helps.

    ## Action plan

    <!-- What will Support Ops change so this does not happen again? Agree on it at the monthly sync. -->

    ## Outcome

    <!-- At a later monthly sync: did the action plan resolve the problem? -->

    ## Feedback responses

    Subject: https://gitlab.com/g/p/-/issues/12

    | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
    | --- | --- | --- | --- | --- | --- | --- | --- |
    | 2 | 2/2/2026 9:02:00 | 1 | It was not solved | Collaboration | comment 2 | -1 | Red (Bad) |
    | 4 | 2/4/2026 9:04:00 | 3 | It was not solved | Collaboration | comment 4 | 1 | Yellow (Needs Improvement) |

    <!-- supportops:subject=https://gitlab.com/g/p/-/issues/12 -->
    <!-- supportops:responses=h:716f66955f1dff2ebc17e257,h:053803cde75449ba27a810b7 -->
    ");
}

/// The local tracker, counting the project listings and searches made through it.
struct Listings {
    inner: LocalTracker,
    lists: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl Tracker for Listings {
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
        self.inner.create_issue(p, i).await
    }
    async fn issue(&self, p: &str, iid: u64) -> Result<Issue, TrackerError> {
        self.inner.issue(p, iid).await
    }
    async fn list_issues(&self, p: &str, q: &IssueQuery) -> Result<Vec<Issue>, TrackerError> {
        self.lists.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.list_issues(p, q).await
    }
    async fn add_note(&self, p: &str, iid: u64, b: &str) -> Result<Note, TrackerError> {
        self.inner.add_note(p, iid, b).await
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
    async fn marked_issues(
        &self,
        p: &str,
        marker: &str,
    ) -> Result<Option<Vec<Issue>>, TrackerError> {
        self.inner.marked_issues(p, marker).await
    }
}

/// A store that knows none of the review issues filed into the local tracker finds every one
/// by an indexed lookup of its marker: the tracker's issues are never listed nor searched.
#[tokio::test]
async fn on_the_local_tracker_a_new_store_finds_issues_by_an_indexed_lookup() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let open = |name: &str| {
        let url = format!("sqlite://{}", dir.path().join(name).display());
        async move { SqliteStore::open(&url).await.expect("the store opens") }
    };
    let kept = open("tracker.db").await;
    let start: Timestamp = "2026-03-02T10:00:00Z".parse().expect("a timestamp");
    let tracker = Listings {
        inner: LocalTracker::new(kept.clone()).with_clock(Arc::new(move || start)),
        lists: std::sync::atomic::AtomicUsize::new(0),
    };
    // More subjects than the per-subject search budget, so a store that knew no index would
    // list the project.
    let rows: Vec<_> = (1..=12)
        .map(|n| {
            scenarios::row(
                n + 1,
                &format!("https://gitlab.com/g/p/-/issues/{n}"),
                1,
                Band::Red,
            )
        })
        .collect();
    let first = open("first.db").await;
    let filed = review(
        &first,
        &tracker,
        &rows,
        &scenarios::options(),
        &scenarios::lock(),
        start,
    )
    .await
    .expect("the first run files");
    assert_eq!(filed.actions.len(), 12);

    tracker.lists.store(0, std::sync::atomic::Ordering::SeqCst);
    let fresh = open("fresh.db").await;
    let report = review(
        &fresh,
        &tracker,
        &rows,
        &scenarios::options(),
        &scenarios::lock(),
        start,
    )
    .await
    .expect("the run with a new store");
    assert_eq!(report.found.len(), 12, "{report:#?}");
    assert!(
        report.actions.is_empty(),
        "nothing filed twice: {report:#?}"
    );
    assert_eq!(
        tracker.lists.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no listing nor search of the project"
    );
}

/// A rerun on an unchanged sheet imports nothing and files nothing; one new flagged row files
/// only for its subject.
#[tokio::test]
async fn a_rerun_on_an_unchanged_sheet_imports_and_files_nothing() {
    let h = scenarios::Harness::new(&local).await;
    // More rows than one import batch, a tenth of them flagged, over 30 subjects.
    let mut sheet: Vec<_> = (2..1_500u64)
        .map(|n| {
            let subject = format!("https://gitlab.com/g/p/-/issues/{}", n % 30);
            let band = if n % 10 == 0 { Band::Red } else { Band::Green };
            scenarios::row(n, &subject, if band == Band::Red { 1 } else { 5 }, band)
        })
        .collect();
    let first = h.run(&sheet).await;
    let imported = first.imported.expect("a run that files imports");
    assert_eq!((imported.inserted, imported.updated), (1_498, 0));
    let filed = first.actions.len();
    assert!(filed > 0, "{first:#?}");

    let again = h.run(&sheet).await;
    let imported = again.imported.expect("a run that files imports");
    assert_eq!(
        (imported.inserted, imported.updated, imported.unchanged),
        (0, 0, 1_498)
    );
    assert!(again.actions.is_empty(), "{again:#?}");
    assert_eq!(h.issues().await.len(), filed);

    sheet.push(scenarios::row(
        1_500,
        "https://gitlab.com/g/p/-/issues/999",
        1,
        Band::Red,
    ));
    let third = h.run(&sheet).await;
    let imported = third.imported.expect("a run that files imports");
    assert_eq!((imported.inserted, imported.updated), (1, 0));
    let subjects: Vec<&str> = third.actions.iter().map(|a| a.subject.as_str()).collect();
    assert_eq!(subjects, ["https://gitlab.com/g/p/-/issues/999"]);
}
