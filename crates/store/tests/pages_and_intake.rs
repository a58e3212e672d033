//! The bounded queries pages read (a filtered, ordered page with its total; aggregates grouped
//! in SQL) and the intake queue a webhook delivery fills.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use std::time::Duration;

use supportops_domain::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_formula::{ErrorKind, Value};
use supportops_ports::store::intake::{Accepted, IntakeClaim};
use supportops_ports::store::pages::{PageRequest, ResponseFilter, ResponseOrder};
use supportops_ports::store::{IntakeQueue, PageQueries, ResponseStore};

#[macro_use]
mod common;
use common::at;

fn response(day: u64, subject: &str, band: Band) -> ScoredResponse {
    let timestamp = format!("2026-01-{day:02}T10:00:00Z");
    let score = match band {
        Band::Green => Value::Number(2.0),
        Band::Yellow => Value::Number(1.0),
        Band::Red => Value::Number(-1.0),
        Band::Error => Value::Error(ErrorKind::Value),
    };
    ScoredResponse {
        response: Response {
            row: day + 1,
            key: ResponseKey::derive(&timestamp, subject, "someone"),
            submitted_at: Some(at(&timestamp)),
            timestamp: timestamp.clone(),
            subject_raw: subject.to_owned(),
            subject: SubjectUrl::parse(subject),
            submitter: None,
            cells: vec![timestamp, subject.to_owned(), format!("comment {day}")],
        },
        score,
        band,
        stored_score: None,
    }
}

fn sheet() -> Vec<ScoredResponse> {
    (1..=20)
        .map(|day| {
            let band = match day % 4 {
                0 => Band::Red,
                1 => Band::Error,
                2 => Band::Yellow,
                _ => Band::Green,
            };
            response(
                day,
                &format!("https://gitlab.com/a/b/-/issues/{}", day % 3),
                band,
            )
        })
        .collect()
}

contract! {
    async fn pages_follow_each_other_newest_first_and_a_filter_narrows(file: File) {
        let store = file.open().await;
        store
            .import_responses(&sheet(), at("2026-02-01T00:00:00Z"))
            .await
            .unwrap();
        let page = |offset| PageRequest { offset, limit: 3 };
        let all = ResponseFilter::default();
        let first = store
            .response_page(&all, ResponseOrder::Newest, page(0))
            .await
            .unwrap();
        let second = store
            .response_page(&all, ResponseOrder::Newest, page(3))
            .await
            .unwrap();
        assert_eq!(first.total, 20);
        let days = |p: &[supportops_ports::store::responses::StoredResponse]| -> Vec<u64> {
            p.iter().map(|r| r.scored.response.row - 1).collect()
        };
        assert_eq!(days(&first.items), [20, 19, 18]);
        assert_eq!(days(&second.items), [17, 16, 15]);
        let red = ResponseFilter {
            band: Some(Band::Red),
            ..ResponseFilter::default()
        };
        let reds = store
            .response_page(&red, ResponseOrder::Oldest, page(0))
            .await
            .unwrap();
        assert_eq!(reds.total, 5);
        assert_eq!(days(&reds.items), [4, 8, 12]);
        let feb = ResponseFilter {
            month: Some("2026-02".into()),
            ..ResponseFilter::default()
        };
        let none = store
            .response_page(&feb, ResponseOrder::Newest, page(0))
            .await
            .unwrap();
        assert_eq!((none.total, none.items.len()), (0, 0));
        assert_eq!(store.response_months().await.unwrap(), ["2026-01"]);
    }
}

contract! {
    async fn totals_count_every_band_including_errors_without_a_score(file: File) {
        let store = file.open().await;
        store
            .import_responses(&sheet(), at("2026-02-01T00:00:00Z"))
            .await
            .unwrap();
        let totals = store.response_totals().await.unwrap();
        assert_eq!(
            (
                totals.bands.green,
                totals.bands.yellow,
                totals.bands.red,
                totals.bands.error
            ),
            (5, 5, 5, 5)
        );
        assert_eq!(totals.scored, 15);
        assert_eq!(totals.score_sum, 5.0 * 2.0 + 5.0 * 1.0 - 5.0);
        assert_eq!(totals.scores, [(-1.0, 5), (1.0, 5), (2.0, 5)]);
        assert_eq!(totals.subjects, 3);
        let months = store.month_totals("2026-01", "2026-01").await.unwrap();
        assert_eq!(months.len(), 1);
        assert_eq!(months[0].bands.error, 5);
    }
}

fn claim(holder: &str, now: jiff::Timestamp, limit: usize) -> IntakeClaim<'_> {
    IntakeClaim {
        holder,
        now,
        lease: Duration::from_secs(60),
        limit,
    }
}

contract! {
    /// A webhook delivery queues its response only when it is flagged and new or changed, and
    /// it stays queued until its subject is filed.
    async fn a_delivery_queues_only_a_new_or_changed_flagged_response_until_it_is_filed(file: File) {
        let store = file.open().await;
        let now = at("2026-02-01T00:00:00Z");
        let red = response(1, "https://gitlab.com/a/b/-/issues/1", Band::Red);
        let green = response(2, "https://gitlab.com/a/b/-/issues/2", Band::Green);
        assert_eq!(store.accept_response(&red, now).await.unwrap().inserted, 1);
        assert_eq!(store.accept_response(&green, now).await.unwrap().inserted, 1);
        assert_eq!(store.accept_response(&red, now).await.unwrap().unchanged, 1);
        let claimed = store.claim_intake(&claim("filer", now, 10)).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].key, red.response.key);
        // Claimed but not finished: still queued (a kill before filing loses nothing).
        assert_eq!(file.open().await.intake_len().await.unwrap(), 1);
        store.finish_intake(&[claimed[0].id]).await.unwrap();
        assert_eq!(store.intake_len().await.unwrap(), 0);
    }
}

contract! {
    /// Many deliveries are stored in one commit, each answered for itself; a key delivered
    /// twice in one batch counts the second against the first.
    async fn deliveries_stored_together_are_each_answered(file: File) {
        let store = file.open().await;
        let now = at("2026-02-01T00:00:00Z");
        let a = response(1, "https://gitlab.com/a/b/-/issues/1", Band::Red);
        let b = response(2, "https://gitlab.com/a/b/-/issues/2", Band::Green);
        let mut a_changed = a.clone();
        a_changed.response.cells[2] = "comment changed".into();
        let got = store
            .accept_responses(&[a.clone(), b.clone(), a.clone(), a_changed], now)
            .await
            .unwrap();
        assert_eq!(
            got,
            [
                Accepted::Inserted,
                Accepted::Inserted,
                Accepted::Unchanged,
                Accepted::Updated
            ]
        );
        assert_eq!(store.response_totals().await.unwrap().bands.red, 1);
        let stored = store.responses_by_key(std::slice::from_ref(&a.response.key)).await.unwrap();
        assert_eq!(stored[0].scored.response.cells[2], "comment changed");
        // One queue row for the red response, however often it came.
        assert_eq!(store.intake_len().await.unwrap(), 1);
    }
}

contract! {
    /// Two filers (two replicas) claim different queued responses; a filer that died leaves
    /// its rows to the next once its lease ends; released rows are claimable at once.
    async fn filers_claim_different_rows_and_take_over_a_dead_ones(file: File) {
        let store = file.open().await;
        let now = at("2026-02-01T00:00:00Z");
        let flagged: Vec<_> = (1..=6)
            .map(|d| response(d, &format!("https://gitlab.com/a/b/-/issues/{d}"), Band::Red))
            .collect();
        store.accept_responses(&flagged, now).await.unwrap();
        let first = store.claim_intake(&claim("replica-a", now, 4)).await.unwrap();
        let second = store.claim_intake(&claim("replica-b", now, 4)).await.unwrap();
        assert_eq!(first.len(), 4);
        assert_eq!(second.len(), 2, "only the rows replica-a does not hold");
        assert!(first.iter().all(|e| second.iter().all(|f| f.id != e.id)));
        assert!(store.claim_intake(&claim("replica-c", now, 4)).await.unwrap().is_empty());

        // replica-b fails to file one and gives it back; replica-a dies holding its four.
        store.release_intake(&[second[0].id]).await.unwrap();
        store.finish_intake(&[second[1].id]).await.unwrap();
        let again = store.claim_intake(&claim("replica-c", now, 10)).await.unwrap();
        assert_eq!(again.iter().map(|e| e.id).collect::<Vec<_>>(), [second[0].id]);
        let later = now + jiff::SignedDuration::from_secs(61);
        let taken_over = store.claim_intake(&claim("replica-c", later, 10)).await.unwrap();
        let mut ids: Vec<_> = taken_over.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        let mut dead: Vec<_> = first.iter().map(|e| e.id).collect();
        dead.sort_unstable();
        // The lease of replica-c's own earlier claim ended too, so that row comes back as well.
        dead.push(second[0].id);
        dead.sort_unstable();
        assert_eq!(ids, dead);
        assert_eq!(store.intake_len().await.unwrap(), 5);
    }
}

contract! {
    /// An import of two full batches whose error rows (no number) fall in different places:
    /// the second is stored like the first (on PostgreSQL a statement prepared for the first
    /// refused the second's numbers).
    async fn imports_with_errors_in_different_rows_are_all_stored(file: File) {
        let store = file.open().await;
        let now = at("2026-02-01T00:00:00Z");
        let batch = |offset: u64, error_every: u64| -> Vec<ScoredResponse> {
            (0..500)
                .map(|i| {
                    let n = offset + i;
                    let band = if i % error_every == 0 { Band::Error } else { Band::Yellow };
                    let mut r = response(1, &format!("https://gitlab.com/a/b/-/issues/{n}"), band);
                    r.response.key = ResponseKey::derive(&format!("t{n}"), "s", "someone");
                    r
                })
                .collect()
        };
        // One import, so one connection: the second batch reuses the first one's statement.
        let mut sheet = batch(0, 2);
        sheet.extend(batch(500, 3));
        store.import_responses(&sheet, now).await.unwrap();
        let totals = store.response_totals().await.unwrap();
        assert_eq!(totals.bands.error, 250 + 167);
        assert_eq!(totals.bands.yellow, 250 + 333);
    }
}
