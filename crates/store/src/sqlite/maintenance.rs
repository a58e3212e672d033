//! Looking after a store as a whole: `supportops store check` (schema version, integrity,
//! rows per table) and `supportops store copy` (every row of one store into another, e.g. an
//! embedded SQLite file into PostgreSQL, idempotent, verified by counting).

use futures_util::TryStreamExt as _;
use serde::Serialize;
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Column as _, Row as _};
use supportops_ports::StoreError;

use super::{Backend, SqlStore, query_err};

/// The store's tables, parents before children (the order rows are copied in). The review
/// lock is left out: a lease belongs to a running process, not to the data.
pub const TABLES: [&str; 29] = [
    "meta",
    "subjects",
    "formula_versions",
    "responses",
    "review_issues",
    "review_coverage",
    "review_filings",
    "tracker_actions",
    "tracker_intents",
    "local_users",
    "local_issues",
    "local_notes",
    "local_issue_markers",
    "shadow_sessions",
    "shadow_improvements",
    "sync_reschedules",
    "sync_occurrence_changes",
    "sync_meetings",
    "sync_meeting_items",
    "sync_outcomes",
    "sync_monthly_changes",
    "intake_queue",
    "response_generation",
    "auth_sessions",
    "auth_sign_ins",
    "api_tokens",
    "activity",
    "notify_outbox",
    "sheet_marks",
];

/// Rows in one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCount {
    /// The table.
    pub table: String,
    /// Its rows.
    pub rows: u64,
}

/// What `store check` finds.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The latest migration applied (its version, e.g. 300), if any.
    pub schema_version: Option<i64>,
    /// What that migration is about.
    pub schema_description: Option<String>,
    /// How many migrations are applied.
    pub migrations_applied: u64,
    /// The problems found; empty when the store is sound.
    pub problems: Vec<String>,
    /// Rows per table.
    pub tables: Vec<TableCount>,
}

/// One table after a copy: rows in the source and in the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopiedTable {
    /// The table.
    pub table: String,
    /// Rows in the source.
    pub source: u64,
    /// Rows in the target after the copy.
    pub target: u64,
}

/// Tables whose `id` PostgreSQL numbers from a sequence, which a copy moves past the copied
/// ids.
const IDENTITY_TABLES: [&str; 18] = [
    "formula_versions",
    "review_issues",
    "review_filings",
    "tracker_actions",
    "tracker_intents",
    "local_users",
    "local_issues",
    "local_notes",
    "shadow_sessions",
    "sync_reschedules",
    "sync_occurrence_changes",
    "sync_meetings",
    "sync_outcomes",
    "sync_monthly_changes",
    "intake_queue",
    "api_tokens",
    "activity",
    "notify_outbox",
];

/// Rows written per statement when copying, kept under both backends' parameter limits.
const PARAMETERS_PER_STATEMENT: usize = 8_000;

impl SqlStore {
    /// Rows in each of the store's tables.
    pub async fn table_counts(&self) -> Result<Vec<TableCount>, StoreError> {
        let mut out = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let rows: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(self.pool())
                    .await
                    .map_err(query_err("counting rows"))?;
            out.push(TableCount {
                table: table.to_owned(),
                rows: u64::try_from(rows).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// The schema version and integrity of the store: on SQLite `PRAGMA integrity_check` and
    /// `PRAGMA foreign_key_check`; on PostgreSQL (which enforces its keys) that every table
    /// can be counted and that every id sequence is past the ids already used (else the next
    /// insert would fail). On both, that no migration failed half-way.
    pub async fn check(&self) -> Result<CheckReport, StoreError> {
        let doing = "checking the store";
        let mut problems = Vec::new();
        let latest = sqlx::query(
            "SELECT version, description FROM _sqlx_migrations ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await
        .map_err(query_err(doing))?;
        let (schema_version, schema_description) = match latest {
            Some(row) => (
                Some(row.try_get::<i64, _>("version").map_err(query_err(doing))?),
                Some(
                    row.try_get::<String, _>("description")
                        .map_err(query_err(doing))?,
                ),
            ),
            None => (None, None),
        };
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(self.pool())
            .await
            .map_err(query_err(doing))?;
        let failed: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE NOT success ORDER BY version",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err(doing))?;
        for version in failed {
            problems.push(format!("migration {version} failed half-way"));
        }
        match self.backend {
            Backend::Sqlite => {
                let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_all(self.pool())
                    .await
                    .map_err(query_err(doing))?;
                problems.extend(integrity.into_iter().filter(|line| line != "ok"));
                let orphans = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_all(self.pool())
                    .await
                    .map_err(query_err(doing))?;
                for row in orphans {
                    let table: String = row.try_get(0).map_err(query_err(doing))?;
                    let parent: String = row.try_get(2).map_err(query_err(doing))?;
                    problems.push(format!(
                        "a row of `{table}` refers to a missing row of `{parent}`"
                    ));
                }
            }
            Backend::Postgres => {
                for table in IDENTITY_TABLES {
                    let (max, last): (i64, Option<i64>) = sqlx::query_as(sqlx::AssertSqlSafe(
                        format!(
                            "SELECT COALESCE(MAX(id), 0), \
                             pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass) \
                             FROM {table}"
                        ),
                    ))
                    .fetch_one(self.pool())
                    .await
                    .map_err(query_err(doing))?;
                    if max > last.unwrap_or(0) {
                        problems.push(format!(
                            "the id sequence of `{table}` is behind its rows (next id {}, \
                             highest {max}): the next insert would fail",
                            last.unwrap_or(0) + 1
                        ));
                    }
                }
            }
        }
        Ok(CheckReport {
            backend: self.backend.as_str(),
            schema_version,
            schema_description,
            migrations_applied: u64::try_from(applied).unwrap_or(0),
            problems,
            tables: self.table_counts().await?,
        })
    }

    /// Copies every row of this store into `target` (opened, so migrated), keeping ids, in one
    /// transaction. Rows the target already holds (by key) are left as they are, so copying
    /// twice changes nothing; a target holding other data keeps it, and the counts then differ.
    /// Each table is read as a stream and written a statement's worth of rows at a time, so a
    /// copy holds one statement's rows in memory whatever the store's size. Returns the rows
    /// of each table in both stores after the copy.
    pub async fn copy_to(&self, target: &SqlStore) -> Result<Vec<CopiedTable>, StoreError> {
        let doing = "copying the store";
        let mut tx = target.begin_write(doing).await?;
        for table in TABLES {
            let select = format!("SELECT * FROM {table} ORDER BY 1");
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(self.pool());
            let mut chunk: Vec<AnyRow> = Vec::new();
            let mut per_statement = 1;
            while let Some(row) = rows.try_next().await.map_err(query_err(doing))? {
                if chunk.is_empty() {
                    per_statement = (PARAMETERS_PER_STATEMENT / row.columns().len().max(1)).max(1);
                }
                chunk.push(row);
                if chunk.len() == per_statement {
                    insert_rows(&mut tx, table, &chunk).await?;
                    chunk.clear();
                }
            }
            insert_rows(&mut tx, table, &chunk).await?;
        }
        if target.backend == Backend::Postgres {
            for table in IDENTITY_TABLES {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     GREATEST(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
                )))
                .execute(&mut *tx)
                .await
                .map_err(query_err(doing))?;
            }
        }
        tx.commit().await.map_err(query_err(doing))?;
        let source = self.table_counts().await?;
        let copied = target.table_counts().await?;
        Ok(source
            .into_iter()
            .zip(copied)
            .map(|(s, t)| CopiedTable {
                table: s.table,
                source: s.rows,
                target: t.rows,
            })
            .collect())
    }
}

/// Writes `rows` (of one `SELECT *` on `table`) into `table` in one statement, leaving rows
/// the target already holds.
async fn insert_rows(
    tx: &mut sqlx::AnyConnection,
    table: &str,
    rows: &[AnyRow],
) -> Result<(), StoreError> {
    let doing = "copying the store";
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let columns: Vec<&str> = first.columns().iter().map(|c| c.name()).collect();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for i in 0..rows.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&format!("${n}"));
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT DO NOTHING");
    // Not a cached statement: a NULL double is sent as another type than a value (see
    // `responses::write_batch`), so the same text must not be reused.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
    for row in rows {
        for c in 0..columns.len() {
            query = bind_cell(query, row, c).map_err(query_err(doing))?;
        }
    }
    query.execute(&mut *tx).await.map_err(query_err(doing))?;
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds cell `c` of `row` with the type its column holds (a NULL typed after its column, so
/// PostgreSQL accepts it).
fn bind_cell<'q>(query: AnyQuery<'q>, row: &AnyRow, c: usize) -> Result<AnyQuery<'q>, sqlx::Error> {
    let kind = row.column(c).type_info().kind();
    Ok(match kind {
        AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
            query.bind(row.try_get::<Option<i64>, _>(c)?)
        }
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => {
            query.bind(row.try_get::<Option<f64>, _>(c)?)
        }
        AnyTypeInfoKind::Bool => query.bind(row.try_get::<Option<bool>, _>(c)?),
        AnyTypeInfoKind::Text => query.bind(row.try_get::<Option<String>, _>(c)?),
        // A column without a declared type: by the value it holds, NULL as text.
        _ => match (
            row.try_get::<Option<i64>, _>(c),
            row.try_get::<Option<f64>, _>(c),
        ) {
            (Ok(Some(v)), _) => query.bind(v),
            (_, Ok(Some(v))) => query.bind(v),
            _ => query.bind(row.try_get::<Option<String>, _>(c)?),
        },
    })
}
