//! Responses and subjects: imports keyed by the response's stable key, so that importing the
//! same sheet again updates rows in place and never duplicates them.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::Row as _;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, AssertSqlSafe, QueryBuilder};
use supportops_domain::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_ports::StoreError;
use supportops_ports::store::ResponseStore;
use supportops_ports::store::formula::FormulaVersionId;
use supportops_ports::store::intake::Accepted;
use supportops_ports::store::responses::{
    ImportCounts, ResponseQuery, SheetMark, StoredResponse, SubjectRecord,
};

use super::codec::{
    list_from_text, list_to_text, time_from_text, time_to_text, to_u64, value_from_text,
    value_to_text,
};
use super::numbered::numbered;
use super::{Backend, SqlStore, SqliteStore, query_err};

/// A response's columns, encoded.
#[derive(Clone)]
pub(crate) struct Columns {
    key: String,
    row: i64,
    timestamp: String,
    submitted_at: Option<String>,
    subject_raw: String,
    subject: String,
    submitter: Option<String>,
    cells: String,
    score: String,
    score_number: Option<f64>,
    band: &'static str,
    stored_score: Option<String>,
    mismatch: i64,
    fingerprint: String,
}

impl Columns {
    fn of(r: &ScoredResponse) -> Columns {
        let resp = &r.response;
        let mut c = Columns {
            key: resp.key.as_str().to_owned(),
            row: i64::try_from(resp.row).unwrap_or(i64::MAX),
            timestamp: resp.timestamp.clone(),
            submitted_at: resp.submitted_at.map(time_to_text),
            subject_raw: resp.subject_raw.clone(),
            subject: resp.subject.as_str().to_owned(),
            submitter: resp.submitter.clone(),
            cells: list_to_text(&resp.cells),
            score: value_to_text(&r.score),
            score_number: match r.score {
                supportops_formula::Value::Number(n) => Some(n),
                _ => None,
            },
            band: r.band.as_str(),
            stored_score: r.stored_score.as_ref().map(value_to_text),
            mismatch: i64::from(r.mismatch()),
            fingerprint: String::new(),
        };
        let mut h = Sha256::new();
        for part in [
            Some(c.row.to_string().as_str()),
            Some(c.timestamp.as_str()),
            c.submitted_at.as_deref(),
            Some(c.subject_raw.as_str()),
            c.submitter.as_deref(),
            Some(c.cells.as_str()),
            Some(c.score.as_str()),
            Some(c.band),
            c.stored_score.as_deref(),
        ] {
            match part {
                Some(p) => {
                    h.update([1u8]);
                    h.update(p.as_bytes());
                }
                None => h.update([0u8]),
            }
        }
        c.fingerprint = hex::encode(&h.finalize()[..16]);
        c
    }
}

/// Responses looked up and written per statement: 17 parameters a row keeps a statement well
/// under SQLite's 32,766, and a batch large enough that a million rows take a few thousand
/// statements.
const IMPORT_BATCH: usize = 500;

/// The columns of each response of `batch`, encoded, in order.
pub(crate) fn encode(batch: &[&ScoredResponse]) -> Vec<Columns> {
    batch.iter().map(|r| Columns::of(r)).collect()
}

/// Imports one encoded batch (keys distinct) inside `tx`: the stored fingerprints of its keys
/// are read in one indexed lookup, unchanged rows are skipped, and the new or changed ones are
/// written with one statement for their subjects and one for the rows (on SQLite, one for the
/// new rows and one for the changed). `meanwhile` runs while SQLite writes the rows, on its
/// own thread: an import encodes its next batch there. Returns what happened to each response
/// of `batch`, in order, and what `meanwhile` returned.
pub(crate) async fn write_batch<T>(
    tx: &mut AnyConnection,
    backend: Backend,
    batch: Vec<Columns>,
    at: &str,
    formula: Option<i64>,
    counts: &mut ImportCounts,
    meanwhile: impl FnOnce() -> T,
) -> Result<(Vec<Accepted>, T), StoreError> {
    let doing = "importing responses";
    if batch.is_empty() {
        return Ok((Vec::new(), meanwhile()));
    }
    let mut lookup = QueryBuilder::<Any>::new(
        "SELECT response_key, fingerprint FROM responses WHERE response_key IN (",
    );
    let mut keys = lookup.separated(", ");
    for c in &batch {
        keys.push_bind(c.key.as_str());
    }
    keys.push_unseparated(")");
    let known: HashMap<String, String> = numbered(&mut lookup, backend)?
        .query_as::<(String, String)>()
        .fetch_all(&mut *tx)
        .await
        .map_err(query_err(doing))?
        .into_iter()
        .collect();
    let mut written = Vec::with_capacity(batch.len());
    let mut new = Vec::new();
    let mut changed = Vec::new();
    for c in batch {
        match known.get(&c.key) {
            Some(fp) if *fp == c.fingerprint => {
                counts.unchanged += 1;
                written.push(Accepted::Unchanged);
            }
            Some(_) => {
                counts.updated += 1;
                written.push(Accepted::Updated);
                changed.push(c);
            }
            None => {
                counts.inserted += 1;
                written.push(Accepted::Inserted);
                new.push(c);
            }
        }
    }
    if new.is_empty() && changed.is_empty() {
        return Ok((written, meanwhile()));
    }
    let subjects: HashSet<&str> = new
        .iter()
        .chain(&changed)
        .map(|c| c.subject.as_str())
        .collect();
    let mut insert = QueryBuilder::<Any>::new("INSERT INTO subjects (subject, first_seen_at) ");
    insert.push_values(subjects, |mut row, subject| {
        row.push_bind(subject).push_bind(at);
    });
    insert.push(" ON CONFLICT (subject) DO NOTHING");
    numbered(&mut insert, backend)?
        .query()
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
    sqlx::query("UPDATE response_generation SET value = value + 1 WHERE id = 1")
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
    let result = match backend {
        // New rows go in with a plain insert: the lookup ran under the write lock, so none
        // of them is stored. Without an upsert, and on a large import without foreign key
        // checks, the statement cannot fail halfway, and SQLite keeps no statement journal
        // for it (a fifth of its time on a large import). A row it would leave out is an
        // error, never a silent loss.
        Backend::Sqlite => {
            let (inserted, result) = if new.is_empty() {
                (0, meanwhile())
            } else {
                let mut insert = insert_rows(&new, "INSERT OR IGNORE INTO", "", at, formula);
                let query = numbered(&mut insert, backend)?.query().persistent(true);
                let (done, result) = overlap(query.execute(&mut *tx), meanwhile).await;
                (done.map_err(query_err(doing))?.rows_affected(), result)
            };
            if inserted != new.len() as u64 {
                return Err(StoreError::Query {
                    doing: doing.into(),
                    message: format!(
                        "{} of {} new responses were not stored",
                        new.len() as u64 - inserted,
                        new.len()
                    ),
                });
            }
            if !changed.is_empty() {
                let mut upsert = insert_rows(&changed, "INSERT INTO", UPSERT, at, formula);
                numbered(&mut upsert, backend)?
                    .query()
                    .persistent(true)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err(doing))?;
            }
            result
        }
        // Not kept as a prepared statement on PostgreSQL: sqlx's `Any` sends a NULL double
        // to it typed `real` and a value typed `double precision`, so a statement prepared
        // with a NULL in one place refuses a number there in the next batch ("incorrect
        // binary data format").
        Backend::Postgres => {
            let rows: Vec<Columns> = new.into_iter().chain(changed.iter().cloned()).collect();
            let mut upsert = insert_rows(&rows, "INSERT INTO", UPSERT, at, formula);
            let query = numbered(&mut upsert, backend)?.query().persistent(false);
            let (done, result) = overlap(query.execute(&mut *tx), meanwhile).await;
            done.map_err(query_err(doing))?;
            result
        }
    };
    if !changed.is_empty() {
        // A changed response's coverage keeps its band (the Reviews page counts by it).
        let mut update = QueryBuilder::<Any>::new(
            "UPDATE review_coverage SET band = (SELECT r.band FROM responses r \
             WHERE r.response_key = review_coverage.response_key) WHERE response_key IN (",
        );
        let mut keys = update.separated(", ");
        for c in &changed {
            keys.push_bind(c.key.as_str());
        }
        keys.push_unseparated(")");
        numbered(&mut update, backend)?
            .query()
            .execute(&mut *tx)
            .await
            .map_err(query_err(doing))?;
    }
    Ok((written, result))
}

/// What a stored response's row takes from a changed one.
const UPSERT: &str = " ON CONFLICT (response_key) DO UPDATE SET \
     sheet_row = excluded.sheet_row, timestamp_text = excluded.timestamp_text, \
     submitted_at = excluded.submitted_at, subject_raw = excluded.subject_raw, \
     subject = excluded.subject, submitter = excluded.submitter, \
     cells = excluded.cells, score = excluded.score, \
     score_number = excluded.score_number, band = excluded.band, \
     stored_score = excluded.stored_score, fingerprint = excluded.fingerprint, \
     updated_at = excluded.updated_at, mismatch = excluded.mismatch, \
     formula_version = COALESCE(excluded.formula_version, responses.formula_version)";

/// `verb` (`INSERT INTO`, …) the rows of `columns` into `responses`, then `tail`.
fn insert_rows(
    columns: &[Columns],
    verb: &str,
    tail: &str,
    at: &str,
    formula: Option<i64>,
) -> QueryBuilder<Any> {
    let mut insert = QueryBuilder::<Any>::new(format!(
        "{verb} responses (response_key, sheet_row, timestamp_text, submitted_at, \
         subject_raw, subject, submitter, cells, score, score_number, band, stored_score, \
         fingerprint, first_seen_at, updated_at, formula_version, mismatch) "
    ));
    insert.push_values(columns, |mut row, c| {
        row.push_bind(&c.key)
            .push_bind(c.row)
            .push_bind(&c.timestamp)
            .push_bind(&c.submitted_at)
            .push_bind(&c.subject_raw)
            .push_bind(&c.subject)
            .push_bind(&c.submitter)
            .push_bind(&c.cells)
            .push_bind(&c.score)
            .push_bind(c.score_number)
            .push_bind(c.band)
            .push_bind(&c.stored_score)
            .push_bind(&c.fingerprint)
            .push_bind(at)
            .push_bind(at)
            .push_bind(formula)
            .push_bind(c.mismatch);
    });
    insert.push(tail);
    insert
}

/// Runs `work` and `meanwhile` side by side: `work` is polled once, which hands its statement
/// to the database (SQLite runs it on its own thread), then `meanwhile` runs here, then `work`
/// is awaited.
async fn overlap<F: Future, T>(work: F, meanwhile: impl FnOnce() -> T) -> (F::Output, T) {
    let mut work = std::pin::pin!(work);
    let started = std::future::poll_fn(|cx| std::task::Poll::Ready(work.as_mut().poll(cx))).await;
    let result = meanwhile();
    let output = match started {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => work.await,
    };
    (output, result)
}

/// The columns of a stored response, for lookups by key.
pub(crate) const SELECT_BY_KEY: &str = "SELECT response_key, sheet_row, timestamp_text, submitted_at, \
     subject_raw, subject, submitter, cells, score, band, stored_score, first_seen_at, updated_at, \
     formula_version \
     FROM responses";

const SELECT_RESPONSES: &str = "SELECT response_key, sheet_row, timestamp_text, submitted_at, \
     subject_raw, subject, submitter, cells, score, band, stored_score, first_seen_at, updated_at, \
     formula_version \
     FROM responses \
     WHERE ($1 IS NULL OR band = $1) AND ($2 IS NULL OR subject = $2) \
     AND ($3 = FALSE OR band <> 'green') \
     ORDER BY sheet_row, response_key";

pub(crate) fn read_response(row: &AnyRow) -> Result<StoredResponse, StoreError> {
    let get = query_err("reading a stored response");
    let band_text: String = row.try_get("band").map_err(&get)?;
    let band = Band::parse(&band_text).ok_or_else(|| StoreError::Query {
        doing: "reading a stored response".into(),
        message: format!("unknown band `{band_text}`"),
    })?;
    let submitted_at: Option<String> = row.try_get("submitted_at").map_err(&get)?;
    let stored_score: Option<String> = row.try_get("stored_score").map_err(&get)?;
    let response = Response {
        row: to_u64(row.try_get("sheet_row").map_err(&get)?),
        key: ResponseKey::from_stored(row.try_get("response_key").map_err(&get)?),
        timestamp: row.try_get("timestamp_text").map_err(&get)?,
        submitted_at: submitted_at.as_deref().map(time_from_text).transpose()?,
        subject_raw: row.try_get("subject_raw").map_err(&get)?,
        subject: SubjectUrl::parse(row.try_get::<&str, _>("subject").map_err(&get)?),
        submitter: row.try_get("submitter").map_err(&get)?,
        cells: list_from_text(row.try_get::<&str, _>("cells").map_err(&get)?)?,
    };
    Ok(StoredResponse {
        scored: ScoredResponse {
            response,
            score: value_from_text(row.try_get::<&str, _>("score").map_err(&get)?)?,
            band,
            stored_score: stored_score.as_deref().map(value_from_text).transpose()?,
        },
        first_seen_at: time_from_text(row.try_get::<&str, _>("first_seen_at").map_err(&get)?)?,
        updated_at: time_from_text(row.try_get::<&str, _>("updated_at").map_err(&get)?)?,
        formula_version: row
            .try_get::<Option<i64>, _>("formula_version")
            .map_err(&get)?
            .map(FormulaVersionId),
    })
}

/// Imports of at least this many responses get a larger SQLite page cache while they run.
const LARGE_IMPORT: usize = 20_000;
/// That cache, in KiB: enough for the indexes of a few million responses.
const LARGE_IMPORT_CACHE_KIB: u32 = 256 * 1024;

/// Sets a SQLite connection's page cache size.
async fn set_cache(conn: &mut AnyConnection, kib: u32, doing: &str) -> Result<(), StoreError> {
    sqlx::query(AssertSqlSafe(format!("PRAGMA cache_size = -{kib}")))
        .execute(&mut *conn)
        .await
        .map_err(query_err(doing))?;
    Ok(())
}

/// Turns a SQLite connection's foreign key checks on or off (outside a transaction).
async fn set_foreign_keys(
    conn: &mut AnyConnection,
    on: bool,
    doing: &str,
) -> Result<(), StoreError> {
    let sql = if on {
        "PRAGMA foreign_keys = ON"
    } else {
        "PRAGMA foreign_keys = OFF"
    };
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .map_err(query_err(doing))?;
    Ok(())
}

impl SqlStore {
    /// The import itself, in one write transaction on `conn`.
    async fn import_on<'r>(
        &self,
        conn: &mut AnyConnection,
        responses: &'r [ScoredResponse],
        at: &str,
        formula: Option<i64>,
        doing: &str,
    ) -> Result<ImportCounts, StoreError> {
        let mut tx = self.begin_write_on(conn, doing).await?;
        let mut counts = ImportCounts::default();
        let mut seen: HashSet<&str> = HashSet::with_capacity(responses.len());
        // A repeated key within one import: the first row stands.
        let mut encode_next = |chunk: &'r [ScoredResponse]| -> Vec<Columns> {
            chunk
                .iter()
                .filter(|r| seen.insert(r.response.key.as_str()))
                .map(Columns::of)
                .collect()
        };
        let mut chunks = responses.chunks(IMPORT_BATCH);
        let mut next = chunks.next().map(&mut encode_next);
        // Each batch's successor is encoded while SQLite writes it.
        while let Some(batch) = next.take() {
            let following = chunks.next();
            let encode = || following.map(&mut encode_next);
            (_, next) = write_batch(
                &mut tx,
                self.backend,
                batch,
                at,
                formula,
                &mut counts,
                encode,
            )
            .await?;
        }
        if let Some(id) = formula {
            sqlx::query(
                "UPDATE formula_versions SET last_used_at = CASE WHEN last_used_at > $2 \
                 THEN last_used_at ELSE $2 END WHERE id = $1",
            )
            .bind(id)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        }
        tx.commit().await.map_err(query_err(doing))?;
        Ok(counts)
    }
}

#[async_trait::async_trait]
impl ResponseStore for SqliteStore {
    async fn import_responses(
        &self,
        responses: &[ScoredResponse],
        at: Timestamp,
    ) -> Result<ImportCounts, StoreError> {
        let doing = "importing responses";
        let at = time_to_text(at);
        let formula = self.adopted_formula();
        // A large import on SQLite works with a page cache that holds the indexes it writes
        // into (the key index takes inserts all over), given back when it ends.
        let large = self.backend == Backend::Sqlite && responses.len() >= LARGE_IMPORT;
        // Its foreign keys are not checked row by row either: the import writes each row's
        // subject first, and its formula version is the adopted one. With them on, SQLite
        // keeps every batch's pages in a statement journal, to undo a batch that fails one.
        let mut conn = self.pool().acquire().await.map_err(query_err(doing))?;
        if large {
            set_cache(&mut conn, LARGE_IMPORT_CACHE_KIB, doing).await?;
            set_foreign_keys(&mut conn, false, doing).await?;
        }
        let result = self
            .import_on(&mut conn, responses, &at, formula, doing)
            .await;
        if large {
            let restored = match set_foreign_keys(&mut conn, true, doing).await {
                Ok(()) => set_cache(&mut conn, super::CACHE_KIB, doing).await,
                Err(e) => Err(e),
            };
            if let Err(e) = restored {
                // Never back in the pool without its foreign keys.
                conn.close_on_drop();
                result?;
                return Err(e);
            }
        }
        result
    }

    async fn responses(&self, query: &ResponseQuery) -> Result<Vec<StoredResponse>, StoreError> {
        let rows = sqlx::query(SELECT_RESPONSES)
            .bind(query.band.map(Band::as_str))
            .bind(query.subject.as_ref().map(SubjectUrl::as_str))
            .bind(query.flagged_only)
            .fetch_all(self.pool())
            .await
            .map_err(query_err("listing responses"))?;
        rows.iter().map(read_response).collect()
    }

    async fn responses_by_key(
        &self,
        keys: &[ResponseKey],
    ) -> Result<Vec<StoredResponse>, StoreError> {
        // SQLite takes up to 32,766 parameters a statement; a few hundred keys a lookup keep
        // each statement small and every lookup on the primary key.
        const BATCH: usize = 500;
        let mut found = Vec::with_capacity(keys.len());
        for batch in keys.chunks(BATCH) {
            // `$n` written out: the `Any` driver's query builder writes `?`, which PostgreSQL
            // does not read.
            let params: Vec<String> = (1..=batch.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "{SELECT_BY_KEY} WHERE response_key IN ({})",
                params.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for key in batch {
                query = query.bind(key.as_str());
            }
            let rows = query
                .fetch_all(self.pool())
                .await
                .map_err(query_err("looking up responses by key"))?;
            for row in &rows {
                found.push(read_response(row)?);
            }
        }
        found.sort_by(|a, b| {
            (a.scored.response.row, a.scored.response.key.as_str())
                .cmp(&(b.scored.response.row, b.scored.response.key.as_str()))
        });
        found.dedup_by(|a, b| a.scored.response.key == b.scored.response.key);
        Ok(found)
    }

    async fn subjects(&self) -> Result<Vec<SubjectRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.subject, s.first_seen_at, COUNT(r.response_key) AS responses, \
             COALESCE(SUM(CASE WHEN r.band <> 'green' THEN 1 ELSE 0 END), 0) AS flagged \
             FROM subjects s LEFT JOIN responses r ON r.subject = s.subject \
             GROUP BY s.subject, s.first_seen_at \
             ORDER BY s.first_seen_at, s.subject",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err("listing subjects"))?;
        let get = query_err("reading a subject");
        rows.iter()
            .map(|row| {
                Ok(SubjectRecord {
                    subject: SubjectUrl::parse(row.try_get::<&str, _>("subject").map_err(&get)?),
                    first_seen_at: time_from_text(
                        row.try_get::<&str, _>("first_seen_at").map_err(&get)?,
                    )?,
                    responses: to_u64(row.try_get("responses").map_err(&get)?),
                    flagged: to_u64(row.try_get("flagged").map_err(&get)?),
                })
            })
            .collect()
    }

    async fn sheet_mark(&self, source: &str) -> Result<Option<SheetMark>, StoreError> {
        self.read_sheet_mark(source).await
    }

    async fn save_sheet_mark(&self, mark: &SheetMark, at: Timestamp) -> Result<(), StoreError> {
        self.write_sheet_mark(mark, at).await
    }

    async fn forget_sheet_marks(&self) -> Result<(), StoreError> {
        self.delete_sheet_marks().await
    }
}
