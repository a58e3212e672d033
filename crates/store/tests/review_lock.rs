//! The review lock: one run files at a time; a lease its holder stopped renewing lapses and is
//! taken over; two stores on one file never both hold it.

use std::time::Duration;

use supportops_ports::store::ReviewStore;
use supportops_ports::store::review::{LockAttempt, ReviewLease};
use supportops_store::SqliteStore;

#[macro_use]
mod common;
use common::at;

const TTL: Duration = Duration::from_secs(60);

async fn acquire(store: &SqliteStore, holder: &str, now: &str) -> LockAttempt {
    store
        .acquire_review_lock(holder, at(now), TTL)
        .await
        .expect("the lock can be asked for")
}

fn lease(holder: &str, acquired: &str, renewed: &str, expires: &str) -> ReviewLease {
    ReviewLease {
        holder: holder.to_owned(),
        acquired_at: at(acquired),
        renewed_at: at(renewed),
        expires_at: at(expires),
    }
}

contract! {
    async fn a_held_lock_is_refused_to_another_run_until_released(file: File) {
        let store = file.open().await;
        assert_eq!(store.review_lock().await.expect("read"), None);

        assert_eq!(
            acquire(&store, "cron", "2026-03-02T10:00:00Z").await,
            LockAttempt::Acquired { took_over: None }
        );
        let held = lease(
            "cron",
            "2026-03-02T10:00:00Z",
            "2026-03-02T10:00:00Z",
            "2026-03-02T10:01:00Z",
        );
        assert_eq!(
            acquire(&store, "serve", "2026-03-02T10:00:30Z").await,
            LockAttempt::Held(held.clone())
        );
        assert_eq!(store.review_lock().await.expect("read"), Some(held));

        assert!(
            !store.release_review_lock("serve").await.expect("release"),
            "only the holder releases"
        );
        assert!(store.release_review_lock("cron").await.expect("release"));
        assert_eq!(store.review_lock().await.expect("read"), None);
        assert_eq!(
            acquire(&store, "serve", "2026-03-02T10:00:31Z").await,
            LockAttempt::Acquired { took_over: None }
        );
    }
}

contract! {
    async fn renewing_keeps_the_lease_alive_past_its_first_expiry(file: File) {
        let store = file.open().await;
        acquire(&store, "cron", "2026-03-02T10:00:00Z").await;
        assert!(
            store
                .renew_review_lock("cron", at("2026-03-02T10:00:50Z"), TTL)
                .await
                .expect("renew")
        );
        assert!(
            !store
                .renew_review_lock("serve", at("2026-03-02T10:00:50Z"), TTL)
                .await
                .expect("renew"),
            "a run that does not hold the lock cannot renew it"
        );
        // Past the first expiry (10:01:00), before the renewed one (10:01:50).
        assert_eq!(
            acquire(&store, "serve", "2026-03-02T10:01:30Z").await,
            LockAttempt::Held(lease(
                "cron",
                "2026-03-02T10:00:00Z",
                "2026-03-02T10:00:50Z",
                "2026-03-02T10:01:50Z"
            ))
        );
        // The holder asking again keeps its lease and when it took it.
        assert_eq!(
            acquire(&store, "cron", "2026-03-02T10:01:40Z").await,
            LockAttempt::Acquired { took_over: None }
        );
        assert_eq!(
            store.review_lock().await.expect("read"),
            Some(lease(
                "cron",
                "2026-03-02T10:00:00Z",
                "2026-03-02T10:01:40Z",
                "2026-03-02T10:02:40Z"
            ))
        );
    }
}

contract! {
    async fn the_lapsed_lease_of_a_crashed_run_is_taken_over(file: File) {
        let crashed = file.open().await;
        acquire(&crashed, "crashed", "2026-03-02T10:00:00Z").await;
        drop(crashed);

        let store = file.open().await;
        assert_eq!(
            acquire(&store, "next", "2026-03-02T10:01:00Z").await,
            LockAttempt::Acquired {
                took_over: Some(lease(
                    "crashed",
                    "2026-03-02T10:00:00Z",
                    "2026-03-02T10:00:00Z",
                    "2026-03-02T10:01:00Z"
                ))
            }
        );
        // Should the stopped run come back, it has lost the lock and cannot free it.
        assert!(
            !store
                .renew_review_lock("crashed", at("2026-03-02T10:01:01Z"), TTL)
                .await
                .expect("renew")
        );
        assert!(!store.release_review_lock("crashed").await.expect("release"));
        assert_eq!(
            store.review_lock().await.expect("read").map(|l| l.holder),
            Some("next".to_owned())
        );
    }
}

contract! {
    async fn a_lapsed_lease_no_one_took_over_can_still_be_renewed(file: File) {
        let store = file.open().await;
        acquire(&store, "slow", "2026-03-02T10:00:00Z").await;
        assert!(
            store
                .renew_review_lock("slow", at("2026-03-02T10:05:00Z"), TTL)
                .await
                .expect("renew")
        );
        assert!(matches!(
            acquire(&store, "other", "2026-03-02T10:05:30Z").await,
            LockAttempt::Held(_)
        ));
    }
}

contract! {
    /// Many runs asking at the same instant, through two stores on one file (as two processes
    /// would): exactly one gets the lock.
    async fn of_runs_asking_at_once_through_two_stores_exactly_one_wins(file: File) {
        let stores = [file.open().await, file.open().await];
        let mut asks = Vec::new();
        for n in 0..12 {
            let store = stores[n % 2].clone();
            asks.push(tokio::spawn(async move {
                store
                    .acquire_review_lock(&format!("run {n}"), at("2026-03-02T10:00:00Z"), TTL)
                    .await
                    .expect("the lock can be asked for")
            }));
        }
        let mut won = 0;
        for ask in asks {
            if let LockAttempt::Acquired { took_over } = ask.await.expect("the task ends") {
                assert_eq!(took_over, None);
                won += 1;
            }
        }
        assert_eq!(won, 1);
    }
}
