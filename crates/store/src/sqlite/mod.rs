//! SQLite: one file, WAL journal, migrations applied on open.

mod codec;
mod coverage;
mod formula;
mod notify;
mod responses;
mod review;
mod shadow;
mod sync;
mod tracker;

pub use tracker::{Clock, LocalTracker, SHADOWING_TEMPLATE, web_url};

use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use supportops_ports::StoreError;

/// How often opening a file another process is creating is tried again.
const OPEN_RETRIES: u32 = 50;
/// The pause between those tries.
const OPEN_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    url: String,
    /// The formula version this handle stamps on the responses it writes (0: none adopted).
    formula: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://PATH` or `sqlite::memory:`)
    /// and applies pending migrations.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let open_err = |message: String| StoreError::Open {
            url: url.to_owned(),
            message,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| open_err(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        // Turning a new file to WAL takes a lock SQLite does not wait for: a second process
        // creating the same file at that moment is refused ("database is locked") and tries
        // again.
        let mut attempt = 0;
        let pool = loop {
            match SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.clone())
                .await
            {
                Ok(pool) => break pool,
                Err(e) if is_busy(&e) && attempt < OPEN_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(OPEN_RETRY_PAUSE).await;
                }
                Err(e) => return Err(open_err(e.to_string())),
            }
        };
        migrate(&pool).await.map_err(open_err)?;
        Ok(SqliteStore {
            pool,
            url: url.to_owned(),
            formula: std::sync::Arc::default(),
        })
    }

    /// An empty store in memory, gone when dropped: for runs that must leave nothing behind
    /// (a dry run on a machine without a store) and for tests. One connection, so every query
    /// sees the same database.
    pub async fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let url = "sqlite::memory:";
        let open_err = |message: String| StoreError::Open {
            url: url.to_owned(),
            message,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| open_err(e.to_string()))?
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        migrate(&pool).await.map_err(open_err)?;
        Ok(SqliteStore {
            pool,
            url: url.to_owned(),
            formula: std::sync::Arc::default(),
        })
    }

    /// Whether the database file a `sqlite://PATH` URL names exists (an in-memory URL never
    /// does).
    pub fn exists(url: &str) -> bool {
        SqliteConnectOptions::from_str(url)
            .map(|o| o.get_filename().exists())
            .unwrap_or(false)
    }

    /// The URL the store was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The formula version adopted by this handle, if any.
    pub(crate) fn adopted_formula(&self) -> Option<i64> {
        match self.formula.load(std::sync::atomic::Ordering::Relaxed) {
            0 => None,
            id => Some(id),
        }
    }

    /// The connection pool, for the modules implementing each store trait.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Starts a write transaction with `BEGIN IMMEDIATE`, which takes the write lock at once,
    /// waiting for another connection or process that holds it (up to the busy timeout).
    ///
    /// Every transaction that writes must start this way. A plain (deferred) `BEGIN` reads
    /// first and asks for the write lock at its first write; when another connection wrote
    /// in between, SQLite cannot upgrade the read and fails at once with "database is
    /// locked", without waiting.
    pub(crate) async fn begin_write(
        &self,
        doing: &str,
    ) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(query_err(doing))
    }
}

/// Applies pending migrations inside one `BEGIN IMMEDIATE` transaction (each migration in a
/// savepoint of it), so that two processes opening a new or older store at once take turns:
/// the second waits, then finds every migration applied, instead of applying them again and
/// failing.
async fn migrate(pool: &SqlitePool) -> Result<(), String> {
    let failed = |e: &dyn std::fmt::Display| format!("migration failed: {e}");
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| failed(&e))?;
    sqlx::migrate!("migrations/sqlite")
        .run(&mut *tx)
        .await
        .map_err(|e| failed(&e))?;
    tx.commit().await.map_err(|e| failed(&e))
}

/// Whether SQLite refused because another connection holds a lock (`SQLITE_BUSY`, with any
/// extended code).
fn is_busy(e: &sqlx::Error) -> bool {
    const SQLITE_BUSY: i32 = 5;
    match e {
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| c & 0xff == SQLITE_BUSY),
        _ => false,
    }
}

/// Turns a sqlx error into a [`StoreError`] saying what was being done.
pub(crate) fn query_err(doing: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |e| StoreError::Query {
        doing: doing.to_owned(),
        message: e.to_string(),
    }
}
