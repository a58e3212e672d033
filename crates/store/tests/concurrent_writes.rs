//! Two processes writing to one store file: a write that reads first waits for the other
//! writer (up to the busy timeout) instead of failing with "database is locked".

use std::str::FromStr as _;
use std::time::Duration;

use jiff::Timestamp;
use sqlx::Connection as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use supportops_domain::review::IssueRef;
use supportops_domain::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_formula::Value;
use supportops_ports::store::review::{FilingKind, FilingOutcome, NewFiling};
use supportops_ports::store::{ResponseStore, ReviewStore};
use supportops_ports::tracker::{NewIssue, Tracker, TrackerError};
use supportops_store::{LocalTracker, SqliteStore};

#[macro_use]
mod common;
use common::{File, at};

fn response(row: u64, subject: &str) -> ScoredResponse {
    let timestamp = format!("1/{row}/2026 10:00:00");
    let submitter = format!("user{row}@example.com");
    ScoredResponse {
        response: Response {
            row,
            key: ResponseKey::derive(&timestamp, subject, &submitter),
            submitted_at: None,
            timestamp: timestamp.clone(),
            subject_raw: subject.to_owned(),
            subject: SubjectUrl::parse(subject),
            submitter: Some(submitter.clone()),
            cells: vec![timestamp, subject.to_owned(), "1".into(), submitter],
        },
        score: Value::Number(-1.0),
        band: Band::Red,
        stored_score: None,
    }
}

fn sheet(rows: std::ops::Range<u64>) -> Vec<ScoredResponse> {
    rows.map(|n| response(n, &format!("https://gitlab.com/a/b/-/issues/{}", n % 7)))
        .collect()
}

impl File {
    /// Another process's connection, in the middle of a write: it holds the write lock until
    /// [`Writer::commit`].
    async fn writer(&self) -> Writer {
        let options = SqliteConnectOptions::from_str(&self.url).expect("a store URL");
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .expect("a second connection");
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .expect("the other writer starts");
        sqlx::query(
            "INSERT INTO subjects (subject, first_seen_at) VALUES ('elsewhere', '2026-01-01T00:00:00Z')",
        )
        .execute(&mut conn)
        .await
        .expect("the other writer writes");
        Writer { conn }
    }
}

struct Writer {
    conn: SqliteConnection,
}

impl Writer {
    /// Lets the write run into the lock, then commits.
    async fn commit_soon(mut self) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        sqlx::query("COMMIT")
            .execute(&mut self.conn)
            .await
            .expect("the other writer commits");
    }
}

#[tokio::test]
async fn an_import_waits_for_another_process_writing_the_same_file() {
    let file = File::new();
    let store = file.open().await;
    let writer = file.writer().await;

    let rows = sheet(2..30);
    let import = tokio::spawn({
        let store = store.clone();
        let rows = rows.clone();
        async move {
            store
                .import_responses(&rows, at("2026-03-01T10:00:00Z"))
                .await
        }
    });
    writer.commit_soon().await;

    let counts = import
        .await
        .expect("the import task ends")
        .expect("the import waits for the lock instead of failing");
    assert_eq!(counts.inserted, rows.len());
}

#[tokio::test]
async fn recording_a_filing_waits_for_another_process_writing_the_same_file() {
    let file = File::new();
    let store = file.open().await;
    let rows = sheet(2..4);
    store
        .import_responses(&rows, at("2026-03-01T10:00:00Z"))
        .await
        .expect("import");
    let subject = rows[0].response.subject.clone();
    let filing = store
        .begin_filing(&NewFiling {
            kind: FilingKind::Create,
            tracker: "local tracker".into(),
            project: "fr".into(),
            subject: subject.clone(),
            issue: None,
            keys: vec![rows[0].response.key.clone()],
            at: at("2026-03-01T10:00:00Z"),
        })
        .await
        .expect("begin filing");
    let writer = file.writer().await;

    let finish = tokio::spawn({
        let store = store.clone();
        async move {
            let issue = IssueRef {
                project: "fr".into(),
                iid: 1,
                web_url: "local://fr/-/issues/1".into(),
            };
            store
                .finish_filing(
                    filing.id,
                    &FilingOutcome::Created { issue },
                    at("2026-03-01T10:00:01Z"),
                )
                .await
        }
    });
    writer.commit_soon().await;

    finish
        .await
        .expect("the task ends")
        .expect("recording the filing waits for the lock instead of failing");
    assert!(store.pending_filings().await.expect("pending").is_empty());
    assert_eq!(
        store
            .latest_review_issue(&subject)
            .await
            .expect("read")
            .map(|r| r.issue.iid),
        Some(1)
    );
}

contract! {
    /// Two stores on one file (two processes running `supportops review` at once), each importing
    /// its own sheet many times over: every import succeeds and nothing is lost.
    async fn two_processes_importing_at_once_both_succeed(file: File) {
        let first = file.open().await;
        let second = file.open().await;
        let a = sheet(2..40);
        let b = sheet(100..140);

        let run = |store: SqliteStore, rows: Vec<ScoredResponse>| {
            tokio::spawn(async move {
                for n in 0..10 {
                    let at = Timestamp::from_second(1_780_000_000 + n).expect("a timestamp");
                    let mut rows = rows.clone();
                    // A changed cell makes each import rewrite every row.
                    for r in &mut rows {
                        r.response.cells[2] = n.to_string();
                    }
                    store.import_responses(&rows, at).await?;
                }
                Ok::<_, supportops_ports::StoreError>(())
            })
        };
        let one = run(first.clone(), a.clone());
        let two = run(second.clone(), b.clone());
        one.await
            .expect("the first task ends")
            .expect("every import of the first process succeeds");
        two.await
            .expect("the second task ends")
            .expect("every import of the second process succeeds");

        let stored = first
            .responses(&Default::default())
            .await
            .expect("list responses");
        assert_eq!(stored.len(), a.len() + b.len());
    }
}

contract! {
    /// Two processes changing one issue of the local tracker at once (labels, and a note whose
    /// quick action adds a label): every change is kept.
    async fn two_processes_changing_one_local_issue_lose_no_change(file: File) {
        let first = LocalTracker::new(file.open().await);
        let second = LocalTracker::new(file.open().await);
        let issue = first
            .create_issue(
                "fr",
                &NewIssue {
                    title: "Feedback Review: a/b#1".into(),
                    description: String::new(),
                    labels: Vec::new(),
                    assignees: Vec::new(),
                },
            )
            .await
            .expect("create");

        let labels = |tracker: LocalTracker, prefix: &'static str| {
            tokio::spawn(async move {
                for n in 0..15 {
                    let label = format!("{prefix}{n}");
                    if n % 2 == 0 {
                        tracker
                            .update_labels("fr", issue.iid, &[label], &[])
                            .await?;
                    } else {
                        tracker
                            .add_note("fr", issue.iid, &format!("Seen.\n/label ~{label}\n"))
                            .await?;
                    }
                }
                Ok::<_, TrackerError>(())
            })
        };
        let one = labels(first.clone(), "a");
        let two = labels(second, "b");
        one.await.expect("ends").expect("every change of the first");
        two.await
            .expect("ends")
            .expect("every change of the second");

        let read = first.issue("fr", issue.iid).await.expect("read");
        assert_eq!(read.labels.len(), 30, "{:?}", read.labels);
        assert_eq!(first.notes("fr", issue.iid).await.expect("notes").len(), 14);
    }
}

/// Two processes opening a new store file at once: each applies the migrations or waits for
/// the other to, and both open it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_opening_a_new_file_at_once_both_open_it() {
    for _ in 0..5 {
        let file = File::new();
        let (a, b) = tokio::join!(SqliteStore::open(&file.url), SqliteStore::open(&file.url));
        let a = a.expect("the first store opens");
        let b = b.expect("the second store opens");
        a.import_responses(&sheet(0..3), at("2026-01-05T09:00:00Z"))
            .await
            .expect("the first store writes");
        assert_eq!(
            b.responses(&Default::default())
                .await
                .expect("the second store reads")
                .len(),
            3
        );
    }
}

/// Two replicas starting at once on a new PostgreSQL database: one applies the migrations while
/// the other waits (sqlx's migration lock), and both open it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_opening_a_new_postgres_database_at_once_both_open_it() {
    let Some(file) = File::on(supportops_store::Backend::Postgres).await else {
        return;
    };
    let (a, b) = tokio::join!(SqliteStore::open(&file.url), SqliteStore::open(&file.url));
    let a = a.expect("the first store opens");
    let b = b.expect("the second store opens");
    a.import_responses(&sheet(0..3), at("2026-01-05T09:00:00Z"))
        .await
        .expect("the first store writes");
    assert_eq!(
        b.responses(&Default::default())
            .await
            .expect("the second store reads")
            .len(),
        3
    );
}
