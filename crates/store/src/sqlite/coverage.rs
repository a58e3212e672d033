//! Which review issue covers each flagged response, read for the dashboard.

use sqlx::Row as _;
use supportops_domain::ResponseKey;
use supportops_ports::StoreError;
use supportops_ports::store::coverage::{Coverage, CoverageStore};

use super::codec::{time_from_text, to_u64};
use super::{SqliteStore, query_err};

#[async_trait::async_trait]
impl CoverageStore for SqliteStore {
    async fn review_coverage(&self) -> Result<Vec<Coverage>, StoreError> {
        let get = query_err("reading review coverage");
        let rows = sqlx::query(
            "SELECT response_key, review_issue_id, note_id, covered_at FROM review_coverage \
             ORDER BY covered_at, response_key",
        )
        .fetch_all(self.pool())
        .await
        .map_err(&get)?;
        rows.iter()
            .map(|row| {
                let note_id: Option<i64> = row.try_get("note_id").map_err(&get)?;
                Ok(Coverage {
                    key: ResponseKey::from_stored(row.try_get("response_key").map_err(&get)?),
                    review_issue_id: row.try_get("review_issue_id").map_err(&get)?,
                    note_id: note_id.map(to_u64),
                    covered_at: time_from_text(
                        row.try_get::<&str, _>("covered_at").map_err(&get)?,
                    )?,
                })
            })
            .collect()
    }
}
