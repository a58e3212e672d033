//! The chat outbox: a message is queued once per key, claimed by one sender at a time, and
//! its tries are kept (attempts, last error) across a reopen of the store.

// A failed call here is a failing test, which is what we want.
#![allow(clippy::unwrap_used)]

use supportops_ports::store::NotifyStore;
use supportops_ports::store::notify::{AttemptResult, DeliveryState, NewDelivery};

mod common;
use common::{File, at};

fn message(key: &str) -> NewDelivery {
    NewDelivery {
        event: "weekly_digest".into(),
        dedupe_key: key.into(),
        text: format!("digest {key}"),
        created_at: at("2026-12-07T09:00:00Z"),
    }
}

#[tokio::test]
async fn a_key_is_queued_once_and_a_claimed_message_is_not_handed_out_twice() {
    let file = File::new();
    let store = file.open().await;
    let first = store
        .enqueue_delivery(&message("digest:2026-W50"))
        .await
        .unwrap();
    assert!(first.is_some());
    assert_eq!(
        store
            .enqueue_delivery(&message("digest:2026-W50"))
            .await
            .unwrap(),
        None
    );

    let now = at("2026-12-07T09:00:01Z");
    let lease = at("2026-12-07T09:01:01Z");
    let claimed = store.claim_delivery(now, lease).await.unwrap().unwrap();
    assert_eq!(Some(claimed.id), first);
    // A second process sharing the file finds nothing to send while the claim holds.
    let other = file.open().await;
    assert_eq!(other.claim_delivery(now, lease).await.unwrap(), None);
    // A claim whose holder died lapses.
    let later = at("2026-12-07T09:02:00Z");
    assert!(
        other
            .claim_delivery(later, at("2026-12-07T09:03:00Z"))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn tries_are_recorded_and_survive_a_reopen() {
    let file = File::new();
    let store = file.open().await;
    let id = store
        .enqueue_delivery(&message("a"))
        .await
        .unwrap()
        .unwrap();
    let t0 = at("2026-12-07T09:00:00Z");
    let retry_at = at("2026-12-07T09:00:02.5Z");
    store
        .record_attempt(
            id,
            &AttemptResult::Retry {
                error: "the chat answered 500".into(),
                next_attempt_at: retry_at,
            },
            t0,
        )
        .await
        .unwrap();
    // Not due before its retry time, due after.
    assert_eq!(
        store
            .claim_delivery(at("2026-12-07T09:00:02Z"), at("2026-12-07T09:01:00Z"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.next_due().await.unwrap(), Some(retry_at));

    let reopened = file.open().await;
    let d = reopened
        .claim_delivery(at("2026-12-07T09:00:03Z"), at("2026-12-07T09:01:00Z"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (d.attempts, d.last_error.as_deref()),
        (1, Some("the chat answered 500"))
    );
    reopened
        .record_attempt(id, &AttemptResult::Sent, at("2026-12-07T09:00:04Z"))
        .await
        .unwrap();
    let b = reopened
        .enqueue_delivery(&message("b"))
        .await
        .unwrap()
        .unwrap();
    reopened
        .record_attempt(
            b,
            &AttemptResult::Failed {
                error: "404".into(),
            },
            t0,
        )
        .await
        .unwrap();

    let listed = file.open().await.deliveries(10).await.unwrap();
    let summary: Vec<(&str, DeliveryState, u32, Option<&str>)> = listed
        .iter()
        .map(|d| {
            (
                d.dedupe_key.as_str(),
                d.state,
                d.attempts,
                d.last_error.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("b", DeliveryState::Failed, 1, Some("404")),
            ("a", DeliveryState::Sent, 2, None),
        ]
    );
    assert_eq!(listed[1].sent_at, Some(at("2026-12-07T09:00:04Z")));
    assert_eq!(reopened.next_due().await.unwrap(), None);
    assert_eq!(
        reopened.delivery_by_key("a").await.unwrap().map(|d| d.id),
        Some(id)
    );
}
