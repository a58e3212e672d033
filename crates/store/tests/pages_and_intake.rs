//! The bounded queries pages read (a filtered, ordered page with its total; aggregates grouped
//! in SQL) and the intake queue a webhook delivery fills.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use supportops_domain::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_formula::{ErrorKind, Value};
use supportops_ports::store::pages::{PageRequest, ResponseFilter, ResponseOrder};
use supportops_ports::store::{IntakeQueue, PageQueries, ResponseStore};

mod common;
use common::{File, at};

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

#[tokio::test]
async fn pages_follow_each_other_newest_first_and_a_filter_narrows() {
    let file = File::new();
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

#[tokio::test]
async fn totals_count_every_band_including_errors_without_a_score() {
    let file = File::new();
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

#[tokio::test]
async fn a_delivery_queues_only_a_new_or_changed_flagged_response_until_it_is_filed() {
    let file = File::new();
    let store = file.open().await;
    let now = at("2026-02-01T00:00:00Z");
    let red = response(1, "https://gitlab.com/a/b/-/issues/1", Band::Red);
    let green = response(2, "https://gitlab.com/a/b/-/issues/2", Band::Green);
    assert_eq!(store.accept_response(&red, now).await.unwrap().inserted, 1);
    assert_eq!(
        store.accept_response(&green, now).await.unwrap().inserted,
        1
    );
    assert_eq!(store.accept_response(&red, now).await.unwrap().unchanged, 1);
    let claimed = store.claim_intake(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].key, red.response.key);
    // Claimed but not finished: still queued (a kill before filing loses nothing).
    assert_eq!(file.open().await.intake_len().await.unwrap(), 1);
    store.finish_intake(&[claimed[0].id]).await.unwrap();
    assert_eq!(store.intake_len().await.unwrap(), 0);
}
