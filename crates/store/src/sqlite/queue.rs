//! Claimable queues: rows that workers (on one machine or on several replicas) take a few at
//! a time, each row held by one worker for a lease, so that no row is worked on twice at once
//! and a row whose worker died is taken again when its lease lapses.
//!
//! A queue is a table with, besides its own columns, `id BIGINT` (its order),
//! `claimed_by TEXT` and `claimed_until BIGINT` (Unix milliseconds; both NULL while unclaimed).
//! [`SqlStore::claim`] takes up to N rows that are ready (the queue's own condition, e.g.
//! `done_at IS NULL`) and not held: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so workers on
//! several replicas claim different rows without waiting for each other; on SQLite inside
//! `BEGIN IMMEDIATE`, where claims take turns. The worker deletes or marks the rows done when
//! finished, in its own statement.

use std::time::Duration;

use jiff::Timestamp;
use supportops_ports::StoreError;

use super::{Backend, SqlStore, query_err};

/// A table rows are claimed from.
#[derive(Debug, Clone, Copy)]
pub struct ClaimQueue {
    /// The table (a name from the code, never from input).
    pub table: &'static str,
    /// The SQL condition a row must meet to be claimed besides not being held, e.g.
    /// `done_at IS NULL` (`TRUE` for every row).
    pub ready: &'static str,
}

/// What a claim asks for.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// Who claims (kept in `claimed_by`), e.g. `serve on host-a (pid 42)`.
    pub holder: &'a str,
    /// The time of the claim: rows whose lease ended by then may be claimed again.
    pub now: Timestamp,
    /// How long the claimed rows stay held.
    pub lease: Duration,
    /// At most this many rows.
    pub limit: u32,
}

/// Unix milliseconds, as kept in `claimed_until`.
fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

impl SqlStore {
    /// Claims up to `claim.limit` ready rows of `queue` nobody holds, in `id` order, for
    /// `claim.holder` until `claim.now + claim.lease`; returns their ids (ascending).
    ///
    /// Two workers claiming at once get different rows on both backends.
    pub async fn claim(
        &self,
        queue: ClaimQueue,
        claim: &Claim<'_>,
    ) -> Result<Vec<i64>, StoreError> {
        let doing = format!("claiming rows of `{}`", queue.table);
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE {t} SET claimed_by = $1, claimed_until = $2 WHERE id IN \
             (SELECT id FROM {t} WHERE ({ready}) \
             AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY id LIMIT $4{lock}) \
             RETURNING id",
            t = queue.table,
            ready = queue.ready,
        );
        let now = millis(claim.now);
        let lease = i64::try_from(claim.lease.as_millis()).unwrap_or(i64::MAX);
        let mut tx = match self.backend {
            Backend::Sqlite => self.begin_write(&doing).await?,
            Backend::Postgres => self.pool.begin().await.map_err(query_err(&doing))?,
        };
        let mut ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(claim.holder)
            .bind(now.saturating_add(lease))
            .bind(now)
            .bind(i64::from(claim.limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(query_err(&doing))?;
        tx.commit().await.map_err(query_err(&doing))?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// Extends `holder`'s lease on the rows `ids` of `queue` to `until` (a worker renews while
    /// it works, so a short lease is enough for a long task); rows another worker took over
    /// are left alone. Returns how many rows `holder` still holds.
    pub async fn renew(
        &self,
        queue: ClaimQueue,
        holder: &str,
        ids: &[i64],
        until: Timestamp,
    ) -> Result<u64, StoreError> {
        let doing = format!("renewing the lease on rows of `{}`", queue.table);
        let mut held = 0;
        for batch in ids.chunks(500) {
            let mut query = sqlx::QueryBuilder::<sqlx::Any>::new(format!(
                "UPDATE {} SET claimed_until = ",
                queue.table
            ));
            query.push_bind(millis(until));
            query.push(" WHERE claimed_by = ");
            query.push_bind(holder.to_owned());
            query.push(" AND id IN (");
            let mut list = query.separated(", ");
            for id in batch {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
            let done = super::numbered::numbered(&mut query, self.backend)?
                .query()
                .execute(self.pool())
                .await
                .map_err(query_err(&doing))?;
            held += done.rows_affected();
        }
        Ok(held)
    }
}
