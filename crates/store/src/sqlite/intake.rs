//! The intake queue: a webhook delivery's response and its queue row written in one
//! transaction, and the queue the background filing job drains.

use jiff::Timestamp;
use sqlx::Row as _;
use supportops_domain::{ResponseKey, ScoredResponse, SubjectUrl};
use supportops_ports::StoreError;
use supportops_ports::store::IntakeQueue;
use supportops_ports::store::intake::IntakeEntry;
use supportops_ports::store::responses::ImportCounts;

use super::codec::{time_from_text, time_to_text, to_u64};
use super::numbered::numbered;
use super::responses::write_batch;
use super::{SqliteStore, query_err};

#[async_trait::async_trait]
impl IntakeQueue for SqliteStore {
    async fn accept_response(
        &self,
        response: &ScoredResponse,
        at: Timestamp,
    ) -> Result<ImportCounts, StoreError> {
        let doing = "storing a delivered response";
        let at = time_to_text(at);
        let mut counts = ImportCounts::default();
        let mut tx = self.begin_write(doing).await?;
        let written = write_batch(
            &mut tx,
            &[response],
            &at,
            self.adopted_formula(),
            &mut counts,
        )
        .await?;
        if !written.is_empty() && response.band.is_flagged() {
            sqlx::query(
                "INSERT INTO intake_queue (response_key, subject, enqueued_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (response_key) DO NOTHING",
            )
            .bind(response.response.key.as_str())
            .bind(response.response.subject.as_str())
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        }
        tx.commit().await.map_err(query_err(doing))?;
        Ok(counts)
    }

    async fn claim_intake(&self, limit: usize) -> Result<Vec<IntakeEntry>, StoreError> {
        let doing = "reading the intake queue";
        let rows = sqlx::query(
            "SELECT id, response_key, subject, enqueued_at FROM intake_queue \
             ORDER BY id LIMIT $1",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
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
            numbered(&mut query)?
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
