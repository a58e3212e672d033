//! The SQLite store as the review loop uses it: imports keyed by response, review issues and
//! coverage, crash-safe filing intents, and the append-only action log.

use supportops_domain::review::IssueRef;
use supportops_domain::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_formula::{ErrorKind, Value};
use supportops_ports::store::actions::TrackerAction;
use supportops_ports::store::responses::{ImportCounts, ResponseQuery};
use supportops_ports::store::review::{FilingKind, FilingOutcome, NewFiling, ReviewOrigin};
use supportops_ports::store::{ActionLog, ResponseStore, ReviewStore};
use supportops_store::SqliteStore;

#[macro_use]
mod common;
use common::{File, at};

struct Db {
    store: SqliteStore,
    file: File,
}

async fn open(file: File) -> Db {
    Db {
        store: file.open().await,
        file,
    }
}

/// A fresh store holding the imported [`sheet`], and the rows it holds.
async fn imported(file: File) -> (Db, Vec<ScoredResponse>) {
    let db = open(file).await;
    let rows = sheet();
    db.store
        .import_responses(&rows, at("2026-02-01T00:00:00Z"))
        .await
        .expect("import");
    (db, rows)
}

fn response(row: u64, subject: &str, rating: &str, score: Value, band: Band) -> ScoredResponse {
    let timestamp = format!("1/{row}/2026 10:00:00");
    let submitter = format!("user{row}@example.com");
    ScoredResponse {
        response: Response {
            row,
            key: ResponseKey::derive(&timestamp, subject, &submitter),
            submitted_at: Some(at(&format!("2026-01-{row:02}T10:00:00Z"))),
            timestamp: timestamp.clone(),
            subject_raw: subject.to_owned(),
            subject: SubjectUrl::parse(subject),
            submitter: Some(submitter.clone()),
            cells: vec![
                timestamp,
                subject.to_owned(),
                "It was not solved".into(),
                "Collaboration".into(),
                "multi\nline, \"quoted\"".into(),
                rating.to_owned(),
                submitter,
            ],
        },
        score,
        band,
        stored_score: Some(Value::Number(1.0)),
    }
}

fn sheet() -> Vec<ScoredResponse> {
    vec![
        response(
            2,
            "https://gitlab.com/a/b/-/issues/1",
            "1",
            Value::Number(-1.0),
            Band::Red,
        ),
        response(
            3,
            "https://gitlab.com/a/b/-/issues/2",
            "5",
            Value::Number(3.0),
            Band::Green,
        ),
        response(
            4,
            "https://gitlab.com/a/b/issues/1#note_3",
            "3",
            Value::Error(ErrorKind::Value),
            Band::Error,
        ),
    ]
}

contract! {
    async fn reimporting_updates_in_place_and_never_duplicates(file: File) {
        let db = open(file).await;
        let first = db
            .store
            .import_responses(&sheet(), at("2026-02-01T00:00:00Z"))
            .await
            .expect("import");
        assert_eq!(
            first,
            ImportCounts {
                inserted: 3,
                updated: 0,
                unchanged: 0
            }
        );

        let mut changed = sheet();
        changed[1].response.cells[4] = "edited comment".into();
        let second = db
            .store
            .import_responses(&changed, at("2026-02-02T00:00:00Z"))
            .await
            .expect("import");
        assert_eq!(
            second,
            ImportCounts {
                inserted: 0,
                updated: 1,
                unchanged: 2
            }
        );

        let stored = db
            .store
            .responses(&ResponseQuery::default())
            .await
            .expect("list");
        assert_eq!(stored.len(), 3);
        assert_eq!(stored[1].scored, changed[1]);
        assert_eq!(stored[1].first_seen_at, at("2026-02-01T00:00:00Z"));
        assert_eq!(stored[1].updated_at, at("2026-02-02T00:00:00Z"));
        assert_eq!(stored[0].updated_at, at("2026-02-01T00:00:00Z"));
    }
}

contract! {
    async fn stored_responses_read_back_exactly_and_filter_by_band(file: File) {
        let (db, _) = imported(file).await;
        let flagged = db
            .store
            .responses(&ResponseQuery {
                flagged_only: true,
                ..ResponseQuery::default()
            })
            .await
            .expect("list");
        let expected = sheet();
        let got: Vec<&ScoredResponse> = flagged.iter().map(|s| &s.scored).collect();
        assert_eq!(got, vec![&expected[0], &expected[2]]);

        let errors = db
            .store
            .responses(&ResponseQuery {
                band: Some(Band::Error),
                ..ResponseQuery::default()
            })
            .await
            .expect("list");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].scored.score, Value::Error(ErrorKind::Value));

        let subjects = db.store.subjects().await.expect("subjects");
        let counts: Vec<(String, u64, u64)> = subjects
            .iter()
            .map(|s| (s.subject.to_string(), s.responses, s.flagged))
            .collect();
        assert_eq!(
            counts,
            vec![
                ("https://gitlab.com/a/b/-/issues/1".to_owned(), 2, 2),
                ("https://gitlab.com/a/b/-/issues/2".to_owned(), 1, 0),
            ]
        );
    }
}

contract! {
    async fn responses_are_looked_up_by_key_only_those_asked_and_held(file: File) {
        let (db, rows) = imported(file).await;
        let missing = ResponseKey::from_id("never-imported");
        // Asked out of order, with a key twice and one the store never saw.
        let keys = vec![
            rows[2].response.key.clone(),
            missing,
            rows[0].response.key.clone(),
            rows[2].response.key.clone(),
        ];
        let found = db.store.responses_by_key(&keys).await.expect("lookup");
        let got: Vec<&ScoredResponse> = found.iter().map(|s| &s.scored).collect();
        assert_eq!(got, vec![&rows[0], &rows[2]]);
        assert!(
            db.store
                .responses_by_key(&[])
                .await
                .expect("empty lookup")
                .is_empty()
        );
        // More keys than one statement takes are looked up in batches.
        let many: Vec<ResponseKey> = (0..1_234)
            .map(|i| ResponseKey::from_id(&format!("absent-{i}")))
            .chain([rows[1].response.key.clone()])
            .collect();
        let found = db
            .store
            .responses_by_key(&many)
            .await
            .expect("batched lookup");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].scored, rows[1]);
    }
}

contract! {
    async fn the_store_survives_reopening(file: File) {
        let (db, _) = imported(file).await;
        drop(db.store);
        let again = SqliteStore::open(&db.file.url).await.expect("reopens");
        let stored = again
            .responses(&ResponseQuery::default())
            .await
            .expect("list");
        assert_eq!(stored.len(), 3);
    }
}

fn issue(iid: u64) -> IssueRef {
    IssueRef {
        project: "fr".into(),
        iid,
        web_url: format!("local://fr/-/issues/{iid}"),
    }
}

fn intent(kind: FilingKind, keys: Vec<ResponseKey>, target: Option<IssueRef>) -> NewFiling {
    NewFiling {
        kind,
        tracker: "local tracker".into(),
        project: "fr".into(),
        subject: SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1"),
        issue: target,
        keys,
        at: at("2026-02-01T00:00:00Z"),
    }
}

contract! {
    async fn a_filing_is_pending_until_finished_then_covers_its_responses(file: File) {
        let (db, rows) = imported(file).await;
        let subject = rows[0].response.subject.clone();
        let keys = vec![rows[0].response.key.clone()];

        let filing = db
            .store
            .begin_filing(&intent(FilingKind::Create, keys.clone(), None))
            .await
            .expect("begin");
        let pending = db.store.pending_filings().await.expect("pending");
        assert_eq!(pending, vec![filing.clone()]);
        assert!(db.store.covered_keys().await.expect("covered").is_empty());

        db.store
            .finish_filing(
                filing.id,
                &FilingOutcome::Created { issue: issue(1) },
                at("2026-02-01T00:01:00Z"),
            )
            .await
            .expect("finish");
        assert!(
            db.store
                .pending_filings()
                .await
                .expect("pending")
                .is_empty()
        );
        assert_eq!(
            db.store.covered_keys().await.expect("covered"),
            keys.iter().cloned().collect()
        );
        let latest = db
            .store
            .latest_review_issue(&subject)
            .await
            .expect("latest")
            .expect("a review issue");
        assert_eq!(latest.issue, issue(1));
        assert_eq!(latest.responses, 1);
        assert_eq!(latest.origin, ReviewOrigin::Filed);

        // A note on it covers the next response.
        let note_keys = vec![rows[2].response.key.clone()];
        let note = db
            .store
            .begin_filing(&intent(FilingKind::Note, note_keys, Some(issue(1))))
            .await
            .expect("begin");
        db.store
            .finish_filing(
                note.id,
                &FilingOutcome::Noted { note_id: 9 },
                at("2026-02-02T00:00:00Z"),
            )
            .await
            .expect("finish");
        assert_eq!(db.store.covered_keys().await.expect("covered").len(), 2);

        // A later issue for the same subject links the first one and becomes the latest.
        let again = db
            .store
            .begin_filing(&intent(FilingKind::Create, vec![], Some(issue(1))))
            .await
            .expect("begin");
        db.store
            .finish_filing(
                again.id,
                &FilingOutcome::Created { issue: issue(5) },
                at("2026-03-01T00:00:00Z"),
            )
            .await
            .expect("finish");
        let latest = db
            .store
            .latest_review_issue(&subject)
            .await
            .expect("latest")
            .expect("a review issue");
        assert_eq!(latest.issue, issue(5));
        assert_eq!(latest.previous, Some(issue(1)));

        let log: Vec<(String, Option<u64>, Option<u64>)> = db
            .store
            .actions()
            .await
            .expect("log")
            .into_iter()
            .map(|a| (a.action.action, a.action.iid, a.action.note_id))
            .collect();
        assert_eq!(
            log,
            vec![
                ("create_issue".to_owned(), Some(1), None),
                ("add_note".to_owned(), Some(1), Some(9)),
                ("create_issue".to_owned(), Some(5), None),
            ]
        );
    }
}

contract! {
    async fn an_abandoned_filing_covers_nothing_and_cannot_be_finished(file: File) {
        let (db, rows) = imported(file).await;
        let filing = db
            .store
            .begin_filing(&intent(
                FilingKind::Create,
                vec![rows[0].response.key.clone()],
                None,
            ))
            .await
            .expect("begin");
        db.store
            .abandon_filing(filing.id, at("2026-02-01T00:05:00Z"))
            .await
            .expect("abandon");
        assert!(
            db.store
                .pending_filings()
                .await
                .expect("pending")
                .is_empty()
        );
        assert!(db.store.covered_keys().await.expect("covered").is_empty());
        let err = db
            .store
            .finish_filing(
                filing.id,
                &FilingOutcome::Created { issue: issue(1) },
                at("2026-02-01T00:06:00Z"),
            )
            .await
            .expect_err("an abandoned filing stays abandoned");
        assert!(err.to_string().contains("pending filing"), "{err}");
    }
}

contract! {
    async fn a_found_issue_covers_only_responses_the_store_holds(file: File) {
        let (db, rows) = imported(file).await;
        let keys = vec![
            rows[0].response.key.clone(),
            ResponseKey::from_id("from another sheet"),
        ];
        let record = db
            .store
            .record_found_issue(
                &rows[0].response.subject,
                &issue(3),
                &keys,
                at("2026-02-01T00:00:00Z"),
            )
            .await
            .expect("record");
        assert_eq!(record.origin, ReviewOrigin::Found);
        assert_eq!(record.responses, 1);
        assert_eq!(db.store.review_issues().await.expect("list"), vec![record]);
    }
}

#[tokio::test]
async fn an_unreadable_origin_is_an_error_naming_it_not_a_guess() {
    let (db, rows) = imported(File::new()).await;
    db.store
        .record_found_issue(
            &rows[0].response.subject,
            &issue(3),
            &[rows[0].response.key.clone()],
            at("2026-02-01T00:00:00Z"),
        )
        .await
        .expect("record");
    let raw = sqlx::SqlitePool::connect(&db.file.url)
        .await
        .expect("connect");
    sqlx::query("UPDATE review_issues SET origin = 'imported'")
        .execute(&raw)
        .await
        .expect("update");

    let err = db
        .store
        .review_issues()
        .await
        .expect_err("an origin the store never writes");

    assert!(err.to_string().contains("stored as `imported`"), "{err}");
}

#[tokio::test]
async fn the_action_log_is_append_only() {
    let db = open(File::new()).await;
    let action = TrackerAction {
        at: at("2026-02-01T00:00:00Z"),
        tracker: "local tracker".into(),
        action: "set_state".into(),
        project: "fr".into(),
        iid: Some(1),
        note_id: None,
        web_url: None,
        summary: "closed".into(),
    };
    let id = db.store.log_action(&action).await.expect("log");
    let raw = sqlx::SqlitePool::connect(&db.file.url)
        .await
        .expect("connect");
    let update = sqlx::query("UPDATE tracker_actions SET summary = 'changed'")
        .execute(&raw)
        .await;
    let delete = sqlx::query("DELETE FROM tracker_actions")
        .execute(&raw)
        .await;
    for result in [update, delete] {
        let err = result.expect_err("the log refuses changes");
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    let log = db.store.actions().await.expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].id, id);
    assert_eq!(log[0].action, action);
}

#[tokio::test]
async fn an_in_memory_store_keeps_data_across_queries_and_leaves_no_file() {
    let store = SqliteStore::open_in_memory().await.expect("opens");
    store
        .import_responses(&sheet(), at("2026-02-01T00:00:00Z"))
        .await
        .expect("import");
    let stored = store
        .responses(&ResponseQuery::default())
        .await
        .expect("list");
    assert_eq!(stored.len(), 3);
    assert!(!SqliteStore::exists("sqlite://no/such/dir/store.db"));
    let db = open(File::new()).await;
    assert!(SqliteStore::exists(&db.file.url));
}

contract! {
    /// An import large enough to run with the larger page cache stores every row, and the
    /// same rows again change nothing; mixed null and numeric scores in one batch are fine.
    async fn a_large_import_stores_every_row_once(file: File) {
        let db = open(file).await;
        let rows: Vec<ScoredResponse> = (0..25_000u64)
            .map(|i| {
                let mut r = response(
                    i % 28 + 1,
                    &format!("https://gitlab.com/a/b/-/issues/{}", i % 700),
                    "1",
                    if i % 3 == 0 {
                        Value::Error(ErrorKind::Value)
                    } else {
                        Value::Number(-1.0)
                    },
                    if i % 3 == 0 { Band::Error } else { Band::Red },
                );
                r.response.key = ResponseKey::from_id(&format!("row-{i}"));
                r.response.row = i + 2;
                r
            })
            .collect();
        let first = db
            .store
            .import_responses(&rows, at("2026-02-01T00:00:00Z"))
            .await
            .expect("import");
        assert_eq!(first.inserted, 25_000);
        let again = db
            .store
            .import_responses(&rows, at("2026-02-02T00:00:00Z"))
            .await
            .expect("import again");
        assert_eq!(again, ImportCounts { inserted: 0, updated: 0, unchanged: 25_000 });
        let keys = [rows[0].response.key.clone(), rows[24_999].response.key.clone()];
        let found = db.store.responses_by_key(&keys).await.expect("lookup");
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].scored, rows[24_999]);
    }
}

contract! {
    /// Each sheet keeps the mark of its last clean review; saving again replaces it, and
    /// forgetting drops every sheet's.
    async fn sheet_marks_are_kept_per_source_and_forgotten(file: File) {
        use supportops_ports::store::responses::SheetMark;
        let db = open(file).await;
        assert_eq!(db.store.sheet_mark("feedback.csv").await.expect("read"), None);
        let mark = SheetMark {
            source: "feedback.csv".into(),
            context: "c1".into(),
            bytes: 5_000_000_000,
            hash: format!("{:032x}", u128::MAX - 7),
            row: 1_000_001,
            line: 1_200_000,
            responses: 999_990,
            flagged: 400_000,
            uncovered: 12,
            skipped: 15,
        };
        let other = SheetMark {
            source: "https://example.com/sheet.csv".into(),
            ..mark.clone()
        };
        let t = at("2026-02-01T00:00:00Z");
        db.store.save_sheet_mark(&mark, t).await.expect("save");
        db.store.save_sheet_mark(&other, t).await.expect("save another");
        let grown = SheetMark { bytes: 5_000_000_300, row: 1_000_002, ..mark.clone() };
        db.store.save_sheet_mark(&grown, t).await.expect("replace");
        assert_eq!(db.store.sheet_mark("feedback.csv").await.expect("read"), Some(grown));
        assert_eq!(
            db.store.sheet_mark(&other.source).await.expect("read"),
            Some(other)
        );
        db.store.forget_sheet_marks().await.expect("forget");
        assert_eq!(db.store.sheet_mark("feedback.csv").await.expect("read"), None);
    }
}
