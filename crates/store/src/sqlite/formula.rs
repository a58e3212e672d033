//! Formula versions: recorded once per hash, stamped on the responses a handle writes, and
//! counted per version for `supportops formula history`.

use std::sync::atomic::Ordering;

use jiff::Timestamp;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use supportops_domain::{BandThresholds, FormulaSpec};
use supportops_ports::StoreError;
use supportops_ports::store::FormulaStore;
use supportops_ports::store::formula::{FormulaHistory, FormulaVersion, FormulaVersionId};

use super::codec::{time_from_text, time_to_text, to_u64};
use super::{SqliteStore, query_err};

const SELECT_VERSIONS: &str = "SELECT v.id, v.hash, v.formula, v.green, v.yellow, v.note, \
     v.first_used_at, v.last_used_at, \
     (SELECT COUNT(*) FROM responses r WHERE r.formula_version = v.id) AS responses \
     FROM formula_versions v WHERE ($1 IS NULL OR v.hash = $1) ORDER BY v.first_used_at, v.id";

fn read_version(row: &AnyRow) -> Result<FormulaVersion, StoreError> {
    let get = query_err("reading a formula version");
    Ok(FormulaVersion {
        id: FormulaVersionId(row.try_get("id").map_err(&get)?),
        hash: row.try_get("hash").map_err(&get)?,
        formula: row.try_get("formula").map_err(&get)?,
        thresholds: BandThresholds {
            green: row.try_get("green").map_err(&get)?,
            yellow: row.try_get("yellow").map_err(&get)?,
        },
        note: row.try_get("note").map_err(&get)?,
        first_used_at: time_from_text(row.try_get::<&str, _>("first_used_at").map_err(&get)?)?,
        last_used_at: time_from_text(row.try_get::<&str, _>("last_used_at").map_err(&get)?)?,
        responses: to_u64(row.try_get("responses").map_err(&get)?),
    })
}

#[async_trait::async_trait]
impl FormulaStore for SqliteStore {
    async fn adopt_formula(
        &self,
        spec: &FormulaSpec,
        at: Timestamp,
    ) -> Result<FormulaVersion, StoreError> {
        let doing = "recording the formula version";
        let hash = spec.hash();
        let mut tx = self.begin_write(doing).await?;
        sqlx::query(
            "INSERT INTO formula_versions (hash, formula, green, yellow, note, first_used_at, \
             last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (hash) DO UPDATE SET \
             last_used_at = CASE WHEN formula_versions.last_used_at > excluded.last_used_at \
             THEN formula_versions.last_used_at ELSE excluded.last_used_at END, \
             note = COALESCE(excluded.note, formula_versions.note)",
        )
        .bind(&hash)
        .bind(&spec.formula)
        .bind(spec.thresholds.green)
        .bind(spec.thresholds.yellow)
        .bind(spec.note.as_deref())
        .bind(time_to_text(at))
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        let row = sqlx::query(SELECT_VERSIONS)
            .bind(Some(&hash))
            .fetch_one(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        let version = read_version(&row)?;
        tx.commit().await.map_err(query_err(doing))?;
        self.formula.store(version.id.0, Ordering::Relaxed);
        Ok(version)
    }

    async fn formula_history(&self) -> Result<FormulaHistory, StoreError> {
        let doing = "listing formula versions";
        let rows = sqlx::query(SELECT_VERSIONS)
            .bind(None::<&str>)
            .fetch_all(self.pool())
            .await
            .map_err(query_err(doing))?;
        let versions = rows.iter().map(read_version).collect::<Result<_, _>>()?;
        let unrecorded: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM responses WHERE formula_version IS NULL")
                .fetch_one(self.pool())
                .await
                .map_err(query_err(doing))?;
        Ok(FormulaHistory {
            versions,
            unrecorded_responses: to_u64(unrecorded),
        })
    }

    async fn formula_version_id(&self, hash: &str) -> Result<Option<FormulaVersionId>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM formula_versions WHERE hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await
            .map_err(query_err("looking up a formula version"))?;
        Ok(id.map(FormulaVersionId))
    }

    async fn scored_otherwise(
        &self,
        current: Option<FormulaVersionId>,
    ) -> Result<bool, StoreError> {
        let doing = "looking for responses scored by another formula";
        let unrecorded: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM responses WHERE formula_version IS NULL LIMIT 1")
                .fetch_optional(self.pool())
                .await
                .map_err(query_err(doing))?;
        if unrecorded.is_some() {
            return Ok(true);
        }
        // One indexed probe per other version: the versions are few, the responses many.
        let others: Vec<i64> = sqlx::query_scalar(
            "SELECT v.id FROM formula_versions v WHERE ($1 IS NULL OR v.id <> $1) \
             AND EXISTS (SELECT 1 FROM responses r WHERE r.formula_version = v.id)",
        )
        .bind(current.map(|c| c.0))
        .fetch_all(self.pool())
        .await
        .map_err(query_err(doing))?;
        Ok(!others.is_empty())
    }
}
