//! Claimable queues: workers on two store handles (two replicas) claiming rows at once never
//! get the same row, and a row whose lease lapsed is claimed again.

use std::collections::BTreeSet;
use std::time::Duration;

use supportops_store::{Claim, ClaimQueue, SqlStore};

#[macro_use]
mod common;
use common::at;

const JOBS: ClaimQueue = ClaimQueue {
    table: "test_jobs",
    ready: "done_at IS NULL",
};

/// A queue table of `rows` ready rows, made beside the store's own tables.
async fn queue_of(url: &str, rows: i64) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("a raw connection");
    sqlx::query(
        "CREATE TABLE test_jobs (id BIGINT PRIMARY KEY, claimed_by TEXT, \
         claimed_until BIGINT, done_at TEXT)",
    )
    .execute(&pool)
    .await
    .expect("the queue table");
    for id in 1..=rows {
        sqlx::query("INSERT INTO test_jobs (id) VALUES ($1)")
            .bind(id)
            .execute(&pool)
            .await
            .expect("a queued row");
    }
    pool.close().await;
}

async fn claim(store: &SqlStore, holder: &str, now: &str, limit: u32) -> Vec<i64> {
    store
        .claim(
            JOBS,
            &Claim {
                holder,
                now: at(now),
                lease: Duration::from_secs(60),
                limit,
            },
        )
        .await
        .expect("rows can be claimed")
}

contract! {
    /// Six workers over two handles claim three rows at a time until none is left: every row
    /// is claimed exactly once.
    async fn workers_on_two_handles_never_claim_the_same_row(file: File) {
        let stores = [file.open().await, file.open().await];
        queue_of(&file.url, 60).await;
        let mut workers = Vec::new();
        for n in 0..6 {
            let store = stores[n % 2].clone();
            workers.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = claim(&store, &format!("worker {n}"), "2026-03-02T10:00:00Z", 3).await;
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got);
                }
            }));
        }
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.expect("the worker ends"));
        }
        let distinct: BTreeSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), 60, "no row claimed twice: {all:?}");
        assert_eq!(distinct, (1..=60).collect::<BTreeSet<i64>>());
    }
}

contract! {
    /// A row held by a worker that stopped is claimed again once its lease lapses; a row
    /// marked done never is.
    async fn a_lapsed_lease_is_claimed_again_and_done_rows_never(file: File) {
        let store = file.open().await;
        queue_of(&file.url, 3).await;
        assert_eq!(claim(&store, "crashed", "2026-03-02T10:00:00Z", 2).await, [1, 2]);
        assert_eq!(claim(&store, "other", "2026-03-02T10:00:30Z", 5).await, [3]);
        assert!(claim(&store, "other", "2026-03-02T10:00:59Z", 5).await.is_empty());

        let pool = sqlx::AnyPool::connect(&file.url).await.expect("a raw connection");
        sqlx::query("UPDATE test_jobs SET done_at = 'x' WHERE id = 3")
            .execute(&pool)
            .await
            .expect("a row is done");
        assert_eq!(claim(&store, "next", "2026-03-02T10:01:00Z", 5).await, [1, 2]);
        pool.close().await;
    }
}
