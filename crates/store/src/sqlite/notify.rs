//! The chat outbox in SQLite (table `notify_outbox`, migration `0550_notify_outbox.sql`):
//! messages queued, claimed for a lease by the process that sends them, and recorded sent or
//! failed with their attempts and last error.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use supportops_ports::StoreError;
use supportops_ports::store::NotifyStore;
use supportops_ports::store::notify::{AttemptResult, Delivery, DeliveryState, NewDelivery};

use super::codec::{corrupt, time_from_text, time_to_text, to_u64};
use super::{SqliteStore, query_err};

/// The columns every read takes, for `concat!` (queries are static text).
macro_rules! columns {
    () => {
        "id, event, dedupe_key, body, state, attempts, last_error, created_at, next_attempt_at, \
         claimed_until, sent_at"
    };
}

fn read(row: &AnyRow) -> Result<(Delivery, Option<Timestamp>), StoreError> {
    let get = query_err("reading the chat outbox");
    let text = |name: &str| row.try_get::<String, _>(name).map_err(&get);
    let opt = |name: &str| row.try_get::<Option<String>, _>(name).map_err(&get);
    let state = text("state")?;
    let claimed = opt("claimed_until")?
        .map(|t| time_from_text(&t))
        .transpose()?;
    let delivery = Delivery {
        id: row.try_get("id").map_err(&get)?,
        event: text("event")?,
        dedupe_key: text("dedupe_key")?,
        text: text("body")?,
        state: DeliveryState::parse(&state)
            .ok_or_else(|| corrupt("a delivery state", &state, "unknown state"))?,
        attempts: u32::try_from(to_u64(row.try_get("attempts").map_err(&get)?)).unwrap_or(u32::MAX),
        last_error: opt("last_error")?,
        created_at: time_from_text(&text("created_at")?)?,
        next_attempt_at: time_from_text(&text("next_attempt_at")?)?,
        sent_at: opt("sent_at")?.map(|t| time_from_text(&t)).transpose()?,
    };
    Ok((delivery, claimed))
}

#[async_trait::async_trait]
impl NotifyStore for SqliteStore {
    async fn enqueue_delivery(&self, new: &NewDelivery) -> Result<Option<i64>, StoreError> {
        let at = time_to_text(new.created_at);
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO notify_outbox (event, dedupe_key, body, state, attempts, created_at, \
             next_attempt_at) VALUES ($1, $2, $3, 'queued', 0, $4, $4) \
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        )
        .bind(&new.event)
        .bind(&new.dedupe_key)
        .bind(&new.text)
        .bind(&at)
        .fetch_optional(self.pool())
        .await
        .map_err(query_err("queueing a chat message"))?;
        Ok(id)
    }

    async fn claim_delivery(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<Delivery>, StoreError> {
        let doing = "claiming a chat message to send";
        let mut tx = self.begin_write(doing).await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM notify_outbox WHERE state = 'queued' ORDER BY id"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        let mut due = None;
        for row in &rows {
            let (delivery, claimed) = read(row)?;
            // Timestamps are compared as times, not as text: their fractions vary in length.
            if delivery.next_attempt_at <= now && claimed.is_none_or(|c| c <= now) {
                due = Some(delivery);
                break;
            }
        }
        let Some(delivery) = due else {
            return Ok(None);
        };
        sqlx::query("UPDATE notify_outbox SET claimed_until = $1 WHERE id = $2")
            .bind(time_to_text(lease_until))
            .bind(delivery.id)
            .execute(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(Some(delivery))
    }

    async fn record_attempt(
        &self,
        id: i64,
        result: &AttemptResult,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let query = match result {
            AttemptResult::Sent => sqlx::query(
                "UPDATE notify_outbox SET state = 'sent', attempts = attempts + 1, \
                 last_error = NULL, claimed_until = NULL, sent_at = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(time_to_text(at)),
            AttemptResult::Retry {
                error,
                next_attempt_at,
            } => sqlx::query(
                "UPDATE notify_outbox SET attempts = attempts + 1, last_error = $2, \
                 next_attempt_at = $3, claimed_until = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(error)
            .bind(time_to_text(*next_attempt_at)),
            AttemptResult::Failed { error } => sqlx::query(
                "UPDATE notify_outbox SET state = 'failed', attempts = attempts + 1, \
                 last_error = $2, claimed_until = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(error),
        };
        query
            .execute(self.pool())
            .await
            .map_err(query_err("recording a chat message's delivery"))?;
        Ok(())
    }

    async fn deliveries(&self, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM notify_outbox ORDER BY id DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(query_err("listing the chat outbox"))?;
        rows.iter().map(|r| read(r).map(|(d, _)| d)).collect()
    }

    async fn delivery_by_key(&self, dedupe_key: &str) -> Result<Option<Delivery>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM notify_outbox WHERE dedupe_key = $1"
        ))
        .bind(dedupe_key)
        .fetch_optional(self.pool())
        .await
        .map_err(query_err("looking up a chat message"))?;
        row.as_ref().map(|r| read(r).map(|(d, _)| d)).transpose()
    }

    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let times: Vec<String> =
            sqlx::query_scalar("SELECT next_attempt_at FROM notify_outbox WHERE state = 'queued'")
                .fetch_all(self.pool())
                .await
                .map_err(query_err("reading when the next chat message is due"))?;
        let mut next: Option<Timestamp> = None;
        for t in times {
            let t = time_from_text(&t)?;
            next = Some(next.map_or(t, |n| n.min(t)));
        }
        Ok(next)
    }
}
