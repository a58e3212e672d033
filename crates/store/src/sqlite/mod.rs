//! The SQL store: one implementation over sqlx's `Any` driver serving both backends, an
//! embedded SQLite file (WAL) and a PostgreSQL server, picked by the URL's scheme. Migrations
//! of each backend (`migrations/sqlite/`, `migrations/postgres/`) are applied on open.
//!
//! Every query is written once, in SQL both backends read (`$n` parameters, `ON CONFLICT`,
//! `RETURNING`, `IS NOT DISTINCT FROM`; columns only BIGINT, DOUBLE PRECISION and TEXT).
//! Where the two must differ, [`Backend`] says how: how a write transaction begins
//! (`SqlStore::begin_write`) and how a queue's rows are claimed (`queue.rs`). (The module
//! keeps its first name, `sqlite`, for the history of its files.)

mod auth;
mod codec;
mod coverage;
mod formula;
mod intake;
pub mod maintenance;
mod marks;
mod notify;
mod numbered;
mod pages;
mod queue;
mod responses;
mod review;
mod shadow;
mod sync;
mod sync_agenda;
mod tracker;

pub use queue::{Claim, ClaimQueue};
pub use tracker::{LocalTracker, SHADOWING_TEMPLATE, web_url};

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Connection as _, Executor as _, Transaction};
use supportops_ports::StoreError;

/// How often opening a file another process is creating is tried again.
const OPEN_RETRIES: u32 = 50;
/// The pause between those tries.
const OPEN_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);
/// The key of the PostgreSQL advisory lock every write transaction takes (see
/// [`SqlStore::begin_write`]): `supportops` in ASCII, so other applications sharing the
/// server are unlikely to pick it.
const WRITE_LOCK_KEY: i64 = 0x7375_7070_6f72_746f;

/// The database behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (`sqlite://PATH`), or one in memory.
    Sqlite,
    /// A PostgreSQL server (`postgres://user@host/db`).
    Postgres,
}

impl Backend {
    /// The backend a store URL names, by its scheme; `None` for any other scheme.
    pub fn of_url(url: &str) -> Option<Backend> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The store: every store trait over one SQLite file or one PostgreSQL database. Cheap to
/// clone (a pool).
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    url: String,
    backend: Backend,
    /// The formula version this handle stamps on the responses it writes (0: none adopted).
    formula: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// Counts the pages read, kept against the responses' generation.
    memo: std::sync::Arc<pages::PageMemo>,
}

/// The store's first name, kept for its callers: it opens PostgreSQL as well.
pub type SqliteStore = SqlStore;

impl SqlStore {
    /// Opens the store at `url` and applies pending migrations: `sqlite://PATH` (the file is
    /// created if needed), `sqlite::memory:`, or `postgres://user@host/db` (the database must
    /// exist; a password may be given in `PGPASSWORD`).
    pub async fn open(url: &str) -> Result<SqlStore, StoreError> {
        let open_err = |message: String| StoreError::Open {
            url: url.to_owned(),
            message,
        };
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| {
            open_err("the URL must start with `sqlite://` or `postgres://`".to_owned())
        })?;
        let pool = match backend {
            Backend::Sqlite => open_sqlite(url, 4)
                .await
                .map_err(|e| open_err(e.to_string()))?,
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(8)
                .connect(url)
                .await
                .map_err(|e| open_err(e.to_string()))?,
        };
        migrate(&pool, backend)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        Ok(SqlStore {
            pool,
            url: url.to_owned(),
            backend,
            formula: std::sync::Arc::default(),
            memo: std::sync::Arc::default(),
        })
    }

    /// An empty SQLite store in memory, gone when dropped: for runs that must leave nothing
    /// behind (a dry run on a machine without a store) and for tests. One connection, so every
    /// query sees the same database.
    pub async fn open_in_memory() -> Result<SqlStore, StoreError> {
        let url = "sqlite::memory:";
        let open_err = |message: String| StoreError::Open {
            url: url.to_owned(),
            message,
        };
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(url).map_err(|e| open_err(e.to_string()))?;
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        migrate(&pool, Backend::Sqlite)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        Ok(SqlStore {
            pool,
            url: url.to_owned(),
            backend: Backend::Sqlite,
            formula: std::sync::Arc::default(),
            memo: std::sync::Arc::default(),
        })
    }

    /// Whether the store a URL names exists without being created: the file of a
    /// `sqlite://PATH` URL (an in-memory URL never does); a server's database is taken to
    /// exist (opening it says if not).
    pub fn exists(url: &str) -> bool {
        match Backend::of_url(url) {
            Some(Backend::Sqlite) => sqlite_path(url).is_some_and(|p| p.exists()),
            Some(Backend::Postgres) => true,
            None => false,
        }
    }

    /// The URL the store was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database behind the store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The formula version adopted by this handle, if any.
    pub(crate) fn adopted_formula(&self) -> Option<i64> {
        match self.formula.load(std::sync::atomic::Ordering::Relaxed) {
            0 => None,
            id => Some(id),
        }
    }

    /// The connection pool, for the modules implementing each store trait.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction that no other writer of the store runs alongside: on
    /// SQLite `BEGIN IMMEDIATE`, on PostgreSQL `BEGIN` and a transaction-scoped advisory lock
    /// (`pg_advisory_xact_lock`), so a transaction that reads and then writes (the local
    /// tracker's next issue number, the review lease) sees nothing change under it, on any
    /// replica. Either waits for the writer before it.
    ///
    /// Every transaction that reads before it writes must start this way. (On SQLite a plain
    /// deferred `BEGIN` asks for the write lock at its first write, and fails at once with
    /// "database is locked" when another connection wrote in between.) A single statement
    /// that writes needs no transaction; a queue's rows are claimed with [`SqlStore::claim`].
    /// [`SqlStore::begin_write`] on a connection the caller holds (to set it up first).
    pub(crate) async fn begin_write_on<'c>(
        &self,
        conn: &'c mut AnyConnection,
        doing: &str,
    ) -> Result<Transaction<'c, Any>, StoreError> {
        match self.backend {
            Backend::Sqlite => conn
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map_err(query_err(doing)),
            Backend::Postgres => {
                let mut tx = conn.begin().await.map_err(query_err(doing))?;
                lock_writes(&mut tx, doing).await?;
                Ok(tx)
            }
        }
    }

    pub(crate) async fn begin_write(
        &self,
        doing: &str,
    ) -> Result<Transaction<'static, Any>, StoreError> {
        match self.backend {
            Backend::Sqlite => self
                .pool
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map_err(query_err(doing)),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await.map_err(query_err(doing))?;
                lock_writes(&mut tx, doing).await?;
                Ok(tx)
            }
        }
    }
}

/// Takes the PostgreSQL transaction-scoped advisory lock writers share (see
/// [`SqlStore::begin_write`]).
async fn lock_writes(tx: &mut AnyConnection, doing: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK_KEY)
        .execute(tx)
        .await
        .map_err(query_err(doing))?;
    Ok(())
}

/// The file a `sqlite://PATH` URL names (`None` for memory).
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:" && !url.contains("mode=memory"))
        .then(|| std::path::PathBuf::from(path))
}

/// Each SQLite connection's page cache, in KiB.
pub(crate) const CACHE_KIB: u32 = 8_192;

/// Opens a pool on a SQLite file, creating it if needed, each connection in WAL mode with
/// foreign keys on and a 10 s busy timeout.
async fn open_sqlite(url: &str, connections: u32) -> Result<AnyPool, sqlx::Error> {
    let with_mode = if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    let options = AnyConnectOptions::from_str(&with_mode)?;
    // Turning a new file to WAL takes a lock SQLite does not wait for: a second process
    // creating the same file at that moment is refused ("database is locked") and tries
    // again.
    let mut attempt = 0;
    loop {
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    // 8 MiB of pages a connection (SQLite's default is 2 MiB): the inner
                    // pages of the big indexes stay in memory, so a page of the lists reads
                    // mostly leaves.
                    conn.execute(sqlx::AssertSqlSafe(format!(
                        "PRAGMA cache_size = -{CACHE_KIB}"
                    )))
                    .await?;
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await;
        match pool {
            Ok(pool) => return Ok(pool),
            Err(e) if is_busy(&e) && attempt < OPEN_RETRIES => {
                attempt += 1;
                tokio::time::sleep(OPEN_RETRY_PAUSE).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Applies pending migrations of the backend. On SQLite inside one `BEGIN IMMEDIATE`
/// transaction (each migration in a savepoint of it), so that two processes opening a new or
/// older store at once take turns: the second waits, then finds every migration applied. On
/// PostgreSQL sqlx's migrator holds a session advisory lock while it works, to the same end.
async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), MigrationFailed> {
    let failed = |e: &dyn std::fmt::Display| MigrationFailed(e.to_string());
    match backend {
        Backend::Sqlite => {
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
        Backend::Postgres => sqlx::migrate!("migrations/postgres")
            .run(pool)
            .await
            .map_err(|e| failed(&e)),
    }
}

/// A migration that could not be applied.
#[derive(Debug, thiserror::Error)]
#[error("migration failed: {0}")]
struct MigrationFailed(String);

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
