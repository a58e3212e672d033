//! The monthly sync's agenda, meeting record and outcomes, as a team lives them over two months,
//! written once and run against the local tracker and against the fake GitLab.
//!
//! Review issues are filed by the real `review` use case (so the agenda reads what supportops
//! writes), one is filed by hand with its action plan, one is closed and given an outcome, and a
//! meeting leaves an item undiscussed.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::date;
use supportops_app::review::{
    LockOptions, Pace, ReviewOptions, SettlePolicy, TemplateSource, review,
};
use supportops_app::sync::{self, SyncAppError, SyncSettings};
use supportops_config::Config;
use supportops_domain::review::{RenderOptions, ReviewColumns};
use supportops_domain::sync::{self as sync_domain, AgendaTotals, Outcome, SinceKind};
use supportops_domain::{Band, ScoredResponse};
use supportops_ports::store::PageQueries;
use supportops_ports::store::pages::SeenState;
use supportops_ports::tracker::{IssueQuery, IssueState, NewIssue, Tracker};
use supportops_store::{LocalTracker, SqliteStore};
use supportops_test_support::FakeGitLab;
use supportops_tracker::{GitLab, GitLabOptions};

mod rows;
use rows::row;

const PROJECT: &str = "gitlab-com/support/support-ops/feedback-review";
const MACROS: &str = "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12";
const FORMS: &str = "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7";
const VIEWS: &str = "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/40";

/// A tracker whose clock the scenario sets.
trait World: Send + Sync {
    fn tracker(&self) -> &dyn Tracker;
    fn set_time(&self, at: Timestamp);
    /// Replaces what differs between runs (the fake's port) so snapshots compare.
    fn normalise(&self, text: &str) -> String;
    /// The requests the tracker answered so far, `(method, path)`, when it is reached over HTTP.
    fn requests(&self) -> Option<Vec<(String, String)>> {
        None
    }
}

struct Local {
    tracker: LocalTracker,
    clock: Arc<Mutex<Timestamp>>,
}

impl World for Local {
    fn tracker(&self) -> &dyn Tracker {
        &self.tracker
    }
    fn set_time(&self, at: Timestamp) {
        *self.clock.lock().unwrap() = at;
    }
    fn normalise(&self, text: &str) -> String {
        text.to_owned()
    }
}

struct Lab {
    fake: FakeGitLab,
    tracker: GitLab,
}

impl World for Lab {
    fn tracker(&self) -> &dyn Tracker {
        &self.tracker
    }
    fn set_time(&self, at: Timestamp) {
        self.fake.set_clock(at, Duration::ZERO);
    }
    fn normalise(&self, text: &str) -> String {
        text.replace(self.fake.base_url(), "https://gitlab.example")
    }
    fn requests(&self) -> Option<Vec<(String, String)>> {
        Some(
            self.fake
                .requests()
                .into_iter()
                .map(|r| (r.method, r.path))
                .collect(),
        )
    }
}

async fn local(store: &SqliteStore) -> Box<dyn World> {
    let clock = Arc::new(Mutex::new(ts("2026-10-01T00:00:00Z")));
    let read = clock.clone();
    let tracker =
        LocalTracker::new(store.clone()).with_clock(Arc::new(move || *read.lock().unwrap()));
    Box::new(Local { tracker, clock })
}

async fn gitlab(_store: &SqliteStore) -> Box<dyn World> {
    let fake = FakeGitLab::start().await;
    fake.add_project(PROJECT);
    let tracker = GitLab::new(GitLabOptions {
        base_url: fake.base_url().to_owned(),
        token: fake.token().to_owned().into(),
        token_env: "GITLAB_TOKEN".into(),
        timeout: Duration::from_secs(5),
        max_retries: 0,
    })
    .unwrap();
    Box::new(Lab { fake, tracker })
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn settings() -> SyncSettings {
    SyncSettings::from_config(&Config::default()).unwrap()
}

fn review_options() -> ReviewOptions {
    ReviewOptions {
        project: PROJECT.into(),
        template: TemplateSource::Tracker {
            name: "Feedback Review".into(),
        },
        assignees: Vec::new(),
        assignee_group: None,
        labels: vec!["Feedback Review".into()],
        render: RenderOptions {
            columns: ReviewColumns {
                resolution: Some(2),
                comment: Some(4),
                rating: Some(5),
                values: None,
            },
            include_submitter: false,
        },
        dry_run: false,
        settle: SettlePolicy::default(),
    }
}

async fn open_store(dir: &tempfile::TempDir) -> SqliteStore {
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    SqliteStore::open(&url).await.unwrap()
}

/// The review lock's clock, stopped at the run's instant: runs here never wait for each other.
struct At(Timestamp);

#[async_trait::async_trait]
impl Pace for At {
    fn now(&self) -> Timestamp {
        self.0
    }
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Files the flagged rows of `sheet` as the team's `review` run at `at` would.
async fn run_review(store: &SqliteStore, world: &dyn World, sheet: &[ScoredResponse], at: &str) {
    world.set_time(ts(at));
    let lock = LockOptions::new("the team's review", Arc::new(At(ts(at))));
    review(
        store,
        world.tracker(),
        sheet,
        &review_options(),
        &lock,
        ts(at),
    )
    .await
    .unwrap();
}

async fn two_months_of_reviews(make: impl AsyncFn(&SqliteStore) -> Box<dyn World>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir).await;
    let world = make(&store).await;
    let tracker = world.tracker();
    let s = settings();

    // October: two subjects get flagged feedback.
    let mut sheet = vec![
        row(2, MACROS, 1, Band::Red),
        row(3, MACROS, 1, Band::Yellow),
    ];
    run_review(&store, world.as_ref(), &sheet, "2026-10-05T09:00:00Z").await; // #1
    sheet.push(row(4, FORMS, 1, Band::Red));
    run_review(&store, world.as_ref(), &sheet, "2026-10-20T09:00:00Z").await; // #2

    // The November sync (first Tuesday, 2026-11-03) runs out of time for #2.
    let now = ts("2026-11-03T16:00:00Z");
    let first = sync::agenda(&s, &store, tracker, Some(date(2026, 11, 3)), now)
        .await
        .unwrap();
    assert_eq!(first.since.kind, SinceKind::Scheduled);
    assert_eq!(first.since.date, date(2026, 10, 6));
    let held = sync::held(&s, &store, tracker, None, &[2], now)
        .await
        .unwrap();
    assert_eq!(held.meeting.date, date(2026, 11, 3));
    assert_eq!(held.meeting.held_at, ts("2026-11-03T15:00:00Z"));

    // After it: a later response about the macro becomes a note on #1; #1 is fixed and closed
    // with its outcome; a new subject is flagged; someone files #4 by hand with a plan.
    sheet.push(row(5, MACROS, 1, Band::Error));
    run_review(&store, world.as_ref(), &sheet, "2026-11-12T09:00:00Z").await;
    world.set_time(ts("2026-11-20T10:00:00Z"));
    tracker
        .set_state(PROJECT, 1, IssueState::Closed)
        .await
        .unwrap();
    let recorded = sync::outcome(
        &s,
        &store,
        tracker,
        1,
        Outcome::NotResolved,
        ts("2026-11-20T10:00:00Z"),
    )
    .await
    .unwrap();
    assert!(
        recorded
            .labels
            .contains(&"review-outcome::not-resolved".to_owned())
    );
    // Changing one's mind replaces the scoped label.
    let recorded = sync::outcome(
        &s,
        &store,
        tracker,
        1,
        Outcome::Resolved,
        ts("2026-11-20T10:05:00Z"),
    )
    .await
    .unwrap();
    assert!(
        recorded
            .labels
            .contains(&"review-outcome::resolved".to_owned())
    );
    assert!(
        !recorded
            .labels
            .contains(&"review-outcome::not-resolved".to_owned())
    );
    sheet.push(row(6, VIEWS, 1, Band::Yellow));
    run_review(&store, world.as_ref(), &sheet, "2026-11-25T09:00:00Z").await; // #3
    world.set_time(ts("2026-11-26T09:00:00Z"));
    tracker
        .create_issue(
            PROJECT,
            &NewIssue {
                title: "Feedback Review: ticket views".into(),
                description: "## Action plan\n\n- [ ] Rename the views\n- [ ] Tell the team\n"
                    .into(),
                labels: vec!["Feedback Review".into()],
                assignees: Vec::new(),
            },
        )
        .await
        .unwrap(); // #4

    // The December agenda.
    let now = ts("2026-11-30T12:00:00Z");
    let agenda = sync::agenda(&s, &store, tracker, None, now).await.unwrap();
    assert_eq!(agenda.date, date(2026, 12, 1));
    assert_eq!(agenda.since.kind, SinceKind::Held);
    // #1 gathers the two responses of its description and the one of its note.
    let first = &agenda.past_issues[0];
    assert_eq!((first.iid, first.responses), (1, 3));
    assert_eq!(first.bands.to_string(), "1 error, 1 red, 1 yellow");
    let filed = sync::file_agenda(&s, tracker, &agenda).await.unwrap();
    assert!(filed.created);
    let again = sync::file_agenda(&s, tracker, &agenda).await.unwrap();
    assert_eq!((again.iid, again.created), (filed.iid, false));
    let issue = tracker.issue(PROJECT, filed.iid).await.unwrap();
    assert_eq!(issue.labels, ["Monthly Sync"]);
    // The agenda, then the hidden marker it is found by (not its title, which people edit).
    assert_eq!(
        issue.description.trim_end(),
        format!(
            "{}\n<!-- supportops:agenda=2026-12-01 -->",
            agenda.to_markdown()
        )
    );

    // The agenda issue is not a review: it gets no outcome.
    let err = sync::outcome(&s, &store, tracker, filed.iid, Outcome::Resolved, now)
        .await
        .unwrap_err();
    assert!(matches!(err, SyncAppError::NotAReview { .. }), "{err}");
    assert!(err.is_bad_input());
    // Nor does an issue that does not exist.
    let err = sync::outcome(&s, &store, tracker, 99, Outcome::Resolved, now)
        .await
        .unwrap_err();
    assert!(err.is_bad_input(), "{err}");
    // Only reviews are listed as such: the agenda issue never appears on an agenda.
    let reviews = tracker
        .list_issues(
            PROJECT,
            &IssueQuery {
                labels: vec!["Feedback Review".into()],
                ..IssueQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(reviews.len(), 4);

    world.normalise(&agenda.to_markdown())
}

#[tokio::test]
async fn the_agenda_over_two_months_with_the_local_tracker() {
    let md = two_months_of_reviews(local).await;
    let md = md.replace(&format!("local://{PROJECT}/-/issues"), "URL");
    insta::assert_snapshot!("december_agenda", md);
}

#[tokio::test]
async fn the_agenda_over_two_months_with_gitlab() {
    let md = two_months_of_reviews(gitlab).await;
    let md = md.replace(&format!("https://gitlab.example/{PROJECT}/-/issues"), "URL");
    // The same agenda, word for word, as with the local tracker.
    insta::assert_snapshot!("december_agenda", md);
}

#[tokio::test]
async fn only_items_on_the_agenda_can_be_left_undiscussed() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir).await;
    let world = local(&store).await;
    let s = settings();
    run_review(
        &store,
        world.as_ref(),
        &[row(2, MACROS, 1, Band::Red)],
        "2026-10-20T09:00:00Z",
    )
    .await;
    let now = ts("2026-11-03T16:00:00Z");
    let err = sync::held(&s, &store, world.tracker(), None, &[7], now)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "issue(s) #7 were not on the agenda of the monthly sync of `2026-11-03`; its items are: #1"
    );
    assert!(err.is_bad_input());
    let err = sync::held(
        &s,
        &store,
        world.tracker(),
        Some(date(2026, 12, 1)),
        &[],
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot record the monthly sync of `2026-12-01` as held: that date is still to come"
    );
    // Nothing was recorded by the refused commands.
    let agenda = sync::agenda(&s, &store, world.tracker(), Some(date(2026, 12, 1)), now)
        .await
        .unwrap();
    assert_eq!(agenda.since.kind, SinceKind::Scheduled);
}

#[tokio::test]
async fn a_filed_agenda_is_never_an_item_of_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir).await;
    let world = local(&store).await;
    // Even when no label tells review issues apart.
    let mut s = settings();
    s.review_labels.clear();
    run_review(
        &store,
        world.as_ref(),
        &[row(2, MACROS, 1, Band::Red)],
        "2026-10-20T09:00:00Z",
    )
    .await;
    let now = ts("2026-11-02T09:00:00Z");
    world.set_time(now);
    let november = sync::agenda(&s, &store, world.tracker(), None, now)
        .await
        .unwrap();
    let filed = sync::file_agenda(&s, world.tracker(), &november)
        .await
        .unwrap();
    assert_eq!(filed.iid, 2);
    let december = sync::agenda(&s, &store, world.tracker(), Some(date(2026, 12, 1)), now)
        .await
        .unwrap();
    let items: Vec<u64> = december.items().into_iter().map(|(iid, _)| iid).collect();
    assert_eq!(items, [1]);
}

/// Review issues #1–#55 filed in October (#2 closed before the November sync, #20 after it),
/// #56–#115 in November (#110 since closed), when a later response about #1's subject became a
/// note on it.
async fn a_busy_autumn(store: &SqliteStore, world: &dyn World) {
    let subject =
        |n: u64| format!("https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/{n}");
    let mut sheet: Vec<ScoredResponse> = (1..=55)
        .map(|n| row(n + 1, &subject(n), 1, Band::Red))
        .collect();
    run_review(store, world, &sheet, "2026-10-20T09:00:00Z").await;
    world.set_time(ts("2026-10-25T09:00:00Z"));
    world
        .tracker()
        .set_state(PROJECT, 2, IssueState::Closed)
        .await
        .unwrap();
    sheet.extend((56..=115).map(|n| row(n + 1, &subject(n), 1, Band::Yellow)));
    sheet.push(row(200, &subject(1), 1, Band::Error));
    run_review(store, world, &sheet, "2026-11-12T09:00:00Z").await;
    // #20 is closed after the November sync, and the Reviews page sees it closed.
    world.set_time(ts("2026-11-20T09:00:00Z"));
    world
        .tracker()
        .set_state(PROJECT, 20, IssueState::Closed)
        .await
        .unwrap();
    let seen = SeenState {
        project: PROJECT.into(),
        iid: 20,
        state: "closed".into(),
        outcome: None,
    };
    store.note_review_states(&[seen]).await.unwrap();
    // #110, new and beyond the first fifty, is closed too: counted once, not listed.
    world
        .tracker()
        .set_state(PROJECT, 110, IssueState::Closed)
        .await
        .unwrap();
}

async fn many_review_issues(make: impl AsyncFn(&SqliteStore) -> Box<dyn World>) {
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir).await;
    let world = make(&store).await;
    let s = settings();
    a_busy_autumn(&store, world.as_ref()).await;
    let now = ts("2026-11-30T12:00:00Z");
    let before = world.requests().map_or(0, |r| r.len());
    let agenda = sync::agenda(&s, &store, world.tracker(), None, now)
        .await
        .unwrap();
    if let Some(requests) = world.requests() {
        // Two listings: the issues closed since the last sync, and the listed issues by
        // number. No issue is read alone, no note is read.
        let asked: Vec<&(String, String)> = requests[before..].iter().collect();
        assert_eq!(asked.len(), 2, "{asked:?}");
        assert!(
            asked.iter().all(|(_, path)| path.ends_with("/issues")),
            "{asked:?}"
        );
    }
    let iids =
        |items: &[sync_domain::AgendaItem]| -> Vec<u64> { items.iter().map(|i| i.iid).collect() };
    assert_eq!(agenda.since.kind, SinceKind::Scheduled);
    assert_eq!(iids(&agenda.new_issues), (56..=105).collect::<Vec<u64>>());
    // The store took #2 for open; the tracker says it was closed before the period. #20,
    // closed since, is there to say whether its plan worked.
    let past: Vec<u64> = [1].into_iter().chain(3..=50).collect();
    assert_eq!(iids(&agenda.past_issues), past);
    let twenty = agenda.past_issues.iter().find(|i| i.iid == 20).unwrap();
    assert_eq!(twenty.closed_at, Some(ts("2026-11-20T09:00:00Z")));
    assert_eq!(
        agenda.totals,
        AgendaTotals {
            new_issues: 60,
            past_issues: 54,
            // Every open issue read is 14 days old or more.
            neglected: 98,
            // #51–#55 and #106–#115 were not read.
            unchecked: 15,
        }
    );
    assert_eq!(agenda.neglected.len(), 50);
    // #1 counts the response of its description and the one its note added, from the store.
    let first = &agenda.past_issues[0];
    assert_eq!((first.iid, first.responses), (1, 2));
    assert_eq!(first.bands.to_string(), "1 error, 1 red");
    assert_eq!(agenda.new_issues[0].bands.to_string(), "1 yellow");
    let md = agenda.to_markdown();
    assert!(md.contains("_10 more new issues are not listed here (this list shows the first 50 by number): see the Reviews page of supportops (`/reviews?state=opened`)._"), "{md}");
    assert!(
        md.contains(
            "_5 more past issues are not listed here (this list shows the first 49 by number)"
        ),
        "{md}"
    );
    assert!(md.contains("- _and 48 more, opened more recently_"), "{md}");

    // The state read was kept: the next agenda lists #51 in #2's place.
    let again = sync::agenda(&s, &store, world.tracker(), None, now)
        .await
        .unwrap();
    assert_eq!(
        iids(&again.past_issues),
        past.iter().copied().chain([51]).collect::<Vec<u64>>()
    );
    assert_eq!(again.totals.past_issues, 54);

    // Filed, it says as much: the same lists, and how many more there are.
    let filed = sync::file_agenda(&s, world.tracker(), &again)
        .await
        .unwrap();
    let issue = world.tracker().issue(PROJECT, filed.iid).await.unwrap();
    assert!(issue.description.starts_with(&again.to_markdown()));
    assert_eq!(issue.description.matches("| [#").count(), 100);
}

#[tokio::test]
async fn a_busy_month_lists_the_first_fifty_of_each_part_with_the_local_tracker() {
    many_review_issues(local).await;
}

#[tokio::test]
async fn a_busy_month_lists_the_first_fifty_of_each_part_with_gitlab() {
    many_review_issues(gitlab).await;
}
