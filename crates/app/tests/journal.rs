//! Journaled tracker writes: for each write (create an issue, add a note, change labels, close
//! or reopen), the intent is in the store while the tracker is called, and the result after;
//! a refusal marks the intent failed; an answer that never came leaves it pending until the
//! command runs again.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use supportops_app::journal::{Journaled, Settle, create_marked};
use supportops_ports::store::ActionLog;
use supportops_ports::{
    Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User,
};
use supportops_store::{LocalTracker, SqliteStore};

const PROJECT: &str = "support/feedback-review";

/// The local tracker, noting how many intents were pending in the store at each write, and
/// failing the next write as told.
struct Watching {
    inner: LocalTracker,
    store: SqliteStore,
    pending_at_call: Mutex<Vec<usize>>,
    fail_next: Mutex<Option<TrackerError>>,
    /// Writes made, whose answer is then lost, still to come.
    lose_answers: Mutex<u32>,
    /// Writes whose answer is lost before they are made, still to come.
    unknown_before: Mutex<u32>,
}

fn lost() -> TrackerError {
    TrackerError::OutcomeUnknown {
        what: "writing".into(),
        message: "GitLab answered 500 Internal Server Error".into(),
    }
}

impl Watching {
    async fn enter(&self) -> Result<(), TrackerError> {
        let pending = self.store.pending_actions().await?.len();
        self.pending_at_call.lock().unwrap().push(pending);
        {
            let mut before = self.unknown_before.lock().unwrap();
            if *before > 0 {
                *before -= 1;
                return Err(lost());
            }
        }
        match self.fail_next.lock().unwrap().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The answer of a write made: returned, or lost as told.
    fn answer<T>(&self, made: T) -> Result<T, TrackerError> {
        let mut lose = self.lose_answers.lock().unwrap();
        if *lose > 0 {
            *lose -= 1;
            return Err(lost());
        }
        Ok(made)
    }
}

#[async_trait::async_trait]
impl Tracker for Watching {
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
        self.enter().await?;
        let made = self.inner.create_issue(p, i).await?;
        self.answer(made)
    }
    async fn issue(&self, p: &str, iid: u64) -> Result<Issue, TrackerError> {
        self.inner.issue(p, iid).await
    }
    async fn list_issues(&self, p: &str, q: &IssueQuery) -> Result<Vec<Issue>, TrackerError> {
        self.inner.list_issues(p, q).await
    }
    async fn add_note(&self, p: &str, iid: u64, b: &str) -> Result<Note, TrackerError> {
        self.enter().await?;
        let made = self.inner.add_note(p, iid, b).await?;
        self.answer(made)
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
        self.enter().await?;
        let made = self.inner.update_labels(p, iid, a, r).await?;
        self.answer(made)
    }
    async fn set_state(&self, p: &str, iid: u64, s: IssueState) -> Result<Issue, TrackerError> {
        self.enter().await?;
        let made = self.inner.set_state(p, iid, s).await?;
        self.answer(made)
    }
}

async fn setup() -> (tempfile::TempDir, SqliteStore, Arc<Watching>, Journaled) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let store = SqliteStore::open(&url).await.expect("the store opens");
    let watching = Arc::new(Watching {
        inner: LocalTracker::new(store.clone()),
        store: store.clone(),
        pending_at_call: Mutex::new(Vec::new()),
        fail_next: Mutex::new(None),
        lose_answers: Mutex::new(0),
        unknown_before: Mutex::new(0),
    });
    let at: Timestamp = "2026-12-01T09:00:00Z".parse().expect("a timestamp");
    let journaled = Journaled::new(
        watching.clone(),
        Arc::new(store.clone()),
        Arc::new(move || at),
    )
    .with_settle(Settle {
        resends: 2,
        first_backoff: Duration::ZERO,
        max_backoff: Duration::ZERO,
    });
    (dir, store, watching, journaled)
}

#[tokio::test]
async fn every_write_sits_between_its_intent_and_its_result() {
    let (_dir, store, watching, tracker) = setup().await;

    let issue = tracker
        .create_issue(
            PROJECT,
            &NewIssue {
                title: "Support Shadowing: AMER".into(),
                description: "<!-- supportops:shadow=1 -->".into(),
                ..NewIssue::default()
            },
        )
        .await
        .expect("created");
    tracker
        .add_note(PROJECT, issue.iid, "Session done.")
        .await
        .expect("noted");
    tracker
        .update_labels(
            PROJECT,
            issue.iid,
            &["review-outcome::resolved".into()],
            &[],
        )
        .await
        .expect("labelled");
    tracker
        .set_state(PROJECT, issue.iid, IssueState::Closed)
        .await
        .expect("closed");

    // While each write was made, its intent (and only it) was recorded and pending.
    assert_eq!(*watching.pending_at_call.lock().unwrap(), [1, 1, 1, 1]);
    assert!(store.pending_actions().await.unwrap().is_empty());
    let log: Vec<String> = store
        .actions()
        .await
        .unwrap()
        .into_iter()
        .map(|a| {
            format!(
                "{} #{:?} {}",
                a.action.action, a.action.iid, a.action.summary
            )
        })
        .collect();
    assert_eq!(
        log,
        [
            "create_issue #Some(1) Support Shadowing: AMER",
            "add_note #Some(1) Session done.",
            "update_labels #Some(1) labels +review-outcome::resolved -",
            "set_state #Some(1) close",
        ]
    );
}

#[tokio::test]
async fn a_refusal_fails_the_intent_and_an_answer_lost_past_the_resends_waits_for_the_rerun() {
    let (_dir, store, watching, tracker) = setup().await;
    let issue = tracker
        .create_issue(
            PROJECT,
            &NewIssue {
                title: "t".into(),
                ..NewIssue::default()
            },
        )
        .await
        .expect("created");

    *watching.fail_next.lock().unwrap() = Some(TrackerError::Rejected {
        what: "closing".into(),
        status: 422,
        message: "no".into(),
    });
    let refused = tracker
        .set_state(PROJECT, issue.iid, IssueState::Closed)
        .await;
    assert!(
        matches!(&refused, Err(TrackerError::Rejected { status: 422, .. })),
        "{refused:?}"
    );
    assert!(store.pending_actions().await.unwrap().is_empty());

    // Lost before it was made, each time it is sent (once and twice again): left pending.
    *watching.unknown_before.lock().unwrap() = 3;
    let lost = tracker
        .set_state(PROJECT, issue.iid, IssueState::Closed)
        .await;
    assert!(
        matches!(&lost, Err(TrackerError::OutcomeUnknown { .. })),
        "{lost:?}"
    );
    assert_eq!(
        *watching.unknown_before.lock().unwrap(),
        0,
        "sent three times"
    );
    assert_eq!(
        store.pending_actions().await.unwrap().len(),
        1,
        "left for the rerun"
    );

    // The command run again makes the same change: both intents are finished.
    tracker
        .set_state(PROJECT, issue.iid, IssueState::Closed)
        .await
        .expect("closed");
    assert!(store.pending_actions().await.unwrap().is_empty());
    let closes = store
        .actions()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action.action == "set_state")
        .count();
    assert_eq!(closes, 1, "one change, logged once");
}

/// A marked create whose answer is lost after it was made is found, not made twice; one lost
/// before it was made is sent again, once.
#[tokio::test]
async fn a_marked_create_with_a_lost_answer_is_settled_in_the_run() {
    let (_dir, _store, watching, tracker) = setup().await;
    let new = |n: u32| NewIssue {
        title: format!("Support Shadowing {n}"),
        description: format!("text\n<!-- supportops:shadow={n} -->\n"),
        ..NewIssue::default()
    };
    let since = Some("2026-01-01T00:00:00Z".parse().expect("a timestamp"));

    *watching.lose_answers.lock().unwrap() = 1;
    let made = create_marked(
        &tracker,
        PROJECT,
        &new(1),
        "supportops:shadow=1",
        "<!-- supportops:shadow=1 -->",
        since,
    )
    .await
    .expect("settled");
    *watching.fail_next.lock().unwrap() = Some(TrackerError::OutcomeUnknown {
        what: "creating".into(),
        message: "connection reset".into(),
    });
    let sent_again = create_marked(
        &tracker,
        PROJECT,
        &new(2),
        "supportops:shadow=2",
        "<!-- supportops:shadow=2 -->",
        since,
    )
    .await
    .expect("sent again");

    let all = tracker
        .list_issues(PROJECT, &IssueQuery::default())
        .await
        .expect("listed");
    assert_eq!(all.len(), 2, "one issue each: {all:#?}");
    assert_eq!((made.iid, sent_again.iid), (1, 2));
}

/// Every journaled write whose answer is lost after it was made is found in the run (the
/// issue by its marker, the note by its text, the labels and the state already applied) and
/// its result recorded: no intent stays pending, nothing is made twice.
#[tokio::test]
async fn a_write_whose_answer_is_lost_is_settled_in_the_run_and_its_intent_finished() {
    let (_dir, store, watching, tracker) = setup().await;

    *watching.lose_answers.lock().unwrap() = 1;
    let issue = tracker
        .create_issue(
            PROJECT,
            &NewIssue {
                title: "Support Shadowing: AMER".into(),
                description: "text\n<!-- supportops:shadowing-session=1/a/AMER -->\n".into(),
                ..NewIssue::default()
            },
        )
        .await
        .expect("found by its marker");
    *watching.lose_answers.lock().unwrap() = 1;
    tracker
        .add_note(PROJECT, issue.iid, "**Done.** Notes.")
        .await
        .expect("found among the notes");
    *watching.lose_answers.lock().unwrap() = 1;
    tracker
        .update_labels(
            PROJECT,
            issue.iid,
            &["review-outcome::resolved".into()],
            &["review-outcome::not-resolved".into()],
        )
        .await
        .expect("the labels are applied");
    *watching.lose_answers.lock().unwrap() = 1;
    let closed = tracker
        .set_state(PROJECT, issue.iid, IssueState::Closed)
        .await
        .expect("the issue is closed");
    assert_eq!(closed.state, IssueState::Closed);

    assert!(
        store.pending_actions().await.unwrap().is_empty(),
        "every settled write is finished"
    );
    let all = tracker
        .list_issues(PROJECT, &IssueQuery::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "made once: {all:#?}");
    assert_eq!(tracker.notes(PROJECT, issue.iid).await.unwrap().len(), 1);
    let log: Vec<String> = store
        .actions()
        .await
        .unwrap()
        .into_iter()
        .map(|a| format!("{} #{:?}", a.action.action, a.action.iid))
        .collect();
    assert_eq!(
        log,
        [
            "create_issue #Some(1)",
            "add_note #Some(1)",
            "update_labels #Some(1)",
            "set_state #Some(1)",
        ]
    );
}

/// A note whose answer was lost before it was made is found nowhere and sent again, once.
#[tokio::test]
async fn a_note_lost_before_it_was_made_is_sent_again_once() {
    let (_dir, store, watching, tracker) = setup().await;
    let issue = tracker
        .create_issue(
            PROJECT,
            &NewIssue {
                title: "t".into(),
                ..NewIssue::default()
            },
        )
        .await
        .expect("created");
    *watching.unknown_before.lock().unwrap() = 1;
    tracker
        .add_note(PROJECT, issue.iid, "**Cancelled.** No time.")
        .await
        .expect("sent again");
    let notes = tracker.notes(PROJECT, issue.iid).await.unwrap();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(store.pending_actions().await.unwrap().is_empty());
}
