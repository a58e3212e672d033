//! Sheet marks: where the last clean review of each sheet stopped reading (see
//! [`SheetMark`]), one row per source.

use jiff::Timestamp;
use sqlx::Row as _;
use supportops_ports::StoreError;
use supportops_ports::store::responses::SheetMark;

use super::codec::{time_to_text, to_u64};
use super::{SqlStore, query_err};

impl SqlStore {
    pub(crate) async fn read_sheet_mark(
        &self,
        source: &str,
    ) -> Result<Option<SheetMark>, StoreError> {
        let doing = "reading the sheet's mark";
        let row = sqlx::query(
            "SELECT source, context, bytes, hash, sheet_row, line, responses, flagged, \
             uncovered, skipped FROM sheet_marks WHERE source = $1",
        )
        .bind(source)
        .fetch_optional(self.pool())
        .await
        .map_err(query_err(doing))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let get = query_err(doing);
        let n = |name: &str| -> Result<u64, StoreError> {
            Ok(to_u64(row.try_get::<i64, _>(name).map_err(&get)?))
        };
        Ok(Some(SheetMark {
            source: row.try_get("source").map_err(&get)?,
            context: row.try_get("context").map_err(&get)?,
            bytes: n("bytes")?,
            hash: row.try_get("hash").map_err(&get)?,
            row: n("sheet_row")?,
            line: n("line")?,
            responses: n("responses")?,
            flagged: n("flagged")?,
            uncovered: n("uncovered")?,
            skipped: n("skipped")?,
        }))
    }

    pub(crate) async fn write_sheet_mark(
        &self,
        mark: &SheetMark,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let i = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO sheet_marks (source, context, bytes, hash, sheet_row, line, responses, \
             flagged, uncovered, skipped, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (source) DO UPDATE SET context = excluded.context, \
             bytes = excluded.bytes, hash = excluded.hash, sheet_row = excluded.sheet_row, \
             line = excluded.line, responses = excluded.responses, flagged = excluded.flagged, \
             uncovered = excluded.uncovered, skipped = excluded.skipped, \
             updated_at = excluded.updated_at",
        )
        .bind(&mark.source)
        .bind(&mark.context)
        .bind(i(mark.bytes))
        .bind(&mark.hash)
        .bind(i(mark.row))
        .bind(i(mark.line))
        .bind(i(mark.responses))
        .bind(i(mark.flagged))
        .bind(i(mark.uncovered))
        .bind(i(mark.skipped))
        .bind(time_to_text(at))
        .execute(self.pool())
        .await
        .map_err(query_err("recording where the sheet was read to"))?;
        Ok(())
    }

    pub(crate) async fn delete_sheet_marks(&self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sheet_marks")
            .execute(self.pool())
            .await
            .map_err(query_err("forgetting where sheets were read to"))?;
        Ok(())
    }
}
