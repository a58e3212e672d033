//! The intake queue: a webhook delivery's response and its queue row written in one
//! transaction, and the queue the background filing job drains.

use std::collections::HashSet;

use jiff::Timestamp;
use sqlx::Row as _;
use supportops_domain::{ResponseKey, ScoredResponse, SubjectUrl};
use supportops_ports::StoreError;
use supportops_ports::store::IntakeQueue;
use supportops_ports::store::intake::{Accepted, IntakeClaim, IntakeEntry};
use supportops_ports::store::responses::ImportCounts;

use super::codec::{time_from_text, time_to_text, to_u64};
use super::numbered::numbered;
use super::queue::{Claim, ClaimQueue};
use super::responses::{encode, write_batch};
use super::{SqliteStore, query_err};

/// The intake queue as [`SqlStore::claim`] takes it.
const QUEUE: ClaimQueue = ClaimQueue {
    table: "intake_queue",
    ready: "TRUE",
};

/// Runs of `responses` (in order) in which no key is given twice.
fn distinct_runs(responses: &[ScoredResponse]) -> Vec<&[ScoredResponse]> {
    let mut runs = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut start = 0;
    for (i, r) in responses.iter().enumerate() {
        if !seen.insert(r.response.key.as_str()) {
            runs.push(&responses[start..i]);
            start = i;
            seen.clear();
            seen.insert(r.response.key.as_str());
        }
    }
    if start < responses.len() {
        runs.push(&responses[start..]);
    }
    runs
}

#[async_trait::async_trait]
impl IntakeQueue for SqliteStore {
    async fn accept_responses(
        &self,
        responses: &[ScoredResponse],
        at: Timestamp,
    ) -> Result<Vec<Accepted>, StoreError> {
        let doing = "storing delivered responses";
        if responses.is_empty() {
            return Ok(Vec::new());
        }
        let at = time_to_text(at);
        let mut counts = ImportCounts::default();
        let mut accepted = Vec::with_capacity(responses.len());
        let mut tx = self.begin_write(doing).await?;
        for run in distinct_runs(responses) {
            let batch: Vec<&ScoredResponse> = run.iter().collect();
            let (written, ()) = write_batch(
                &mut tx,
                self.backend,
                encode(&batch),
                &at,
                self.adopted_formula(),
                &mut counts,
                || (),
            )
            .await?;
            let queued: Vec<&ScoredResponse> = run
                .iter()
                .zip(&written)
                .filter(|(r, a)| **a != Accepted::Unchanged && r.band.is_flagged())
                .map(|(r, _)| r)
                .collect();
            if !queued.is_empty() {
                let mut insert = sqlx::QueryBuilder::<sqlx::Any>::new(
                    "INSERT INTO intake_queue (response_key, subject, enqueued_at) ",
                );
                insert.push_values(&queued, |mut row, r| {
                    row.push_bind(r.response.key.as_str())
                        .push_bind(r.response.subject.as_str())
                        .push_bind(&at);
                });
                insert.push(" ON CONFLICT (response_key) DO NOTHING");
                numbered(&mut insert, self.backend)?
                    .query()
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err(doing))?;
            }
            accepted.extend(written);
        }
        tx.commit().await.map_err(query_err(doing))?;
        Ok(accepted)
    }

    async fn claim_intake(&self, claim: &IntakeClaim<'_>) -> Result<Vec<IntakeEntry>, StoreError> {
        let doing = "reading the intake queue";
        let ids = self
            .claim(
                QUEUE,
                &Claim {
                    holder: claim.holder,
                    now: claim.now,
                    lease: claim.lease,
                    limit: u32::try_from(claim.limit).unwrap_or(u32::MAX),
                },
            )
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = sqlx::QueryBuilder::<sqlx::Any>::new(
            "SELECT id, response_key, subject, enqueued_at FROM intake_queue WHERE id IN (",
        );
        let mut list = select.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        list.push_unseparated(") ORDER BY id");
        let rows = numbered(&mut select, self.backend)?
            .query()
            .fetch_all(self.pool())
            .await
            .map_err(query_err(doing))?;
        let get = query_err(doing);
        rows.iter()
            .map(|row| {
                Ok(IntakeEntry {
                    id: row.try_get("id").map_err(&get)?,
                    key: ResponseKey::from_stored(row.try_get("response_key").map_err(&get)?),
                    subject: SubjectUrl::parse(row.try_get::<&str, _>("subject").map_err(&get)?),
                    enqueued_at: time_from_text(
                        row.try_get::<&str, _>("enqueued_at").map_err(&get)?,
                    )?,
                })
            })
            .collect()
    }

    async fn renew_intake(
        &self,
        holder: &str,
        ids: &[i64],
        until: Timestamp,
    ) -> Result<u64, StoreError> {
        self.renew(QUEUE, holder, ids, until).await
    }

    async fn release_intake(&self, ids: &[i64]) -> Result<(), StoreError> {
        let doing = "giving claimed responses back to the intake queue";
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write(doing).await?;
        for batch in ids.chunks(500) {
            let mut query = sqlx::QueryBuilder::<sqlx::Any>::new(
                "UPDATE intake_queue SET claimed_by = NULL, claimed_until = NULL WHERE id IN (",
            );
            let mut list = query.separated(", ");
            for id in batch {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
            numbered(&mut query, self.backend)?
                .query()
                .execute(&mut *tx)
                .await
                .map_err(query_err(doing))?;
        }
        tx.commit().await.map_err(query_err(doing))
    }

    async fn finish_intake(&self, ids: &[i64]) -> Result<(), StoreError> {
        let doing = "removing filed responses from the intake queue";
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write(doing).await?;
        for batch in ids.chunks(500) {
            let mut query =
                sqlx::QueryBuilder::<sqlx::Any>::new("DELETE FROM intake_queue WHERE id IN (");
            let mut list = query.separated(", ");
            for id in batch {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
            numbered(&mut query, self.backend)?
                .query()
                .execute(&mut *tx)
                .await
                .map_err(query_err(doing))?;
        }
        tx.commit().await.map_err(query_err(doing))
    }

    async fn intake_len(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM intake_queue")
            .fetch_one(self.pool())
            .await
            .map_err(query_err("counting the intake queue"))?;
        Ok(to_u64(n))
    }
}
