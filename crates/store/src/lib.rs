//! The store adapter: [`SqlStore`] implementing every [`supportops_ports::Store`] trait over
//! an embedded SQLite file (WAL, the default) or a PostgreSQL server, picked by the URL
//! (`sqlite://PATH`, `postgres://user@host/db`), and [`LocalTracker`], the tracker kept in
//! the same database. [`SqliteStore`] is the same type under its first name.
//!
//! One implementation serves both backends through sqlx's `Any` driver: every query is
//! written once, in SQL both read (`$1` parameters, `ON CONFLICT`, `RETURNING`), and checked at
//! run time (no database at build time); [`Backend`] holds the few places the SQL differs.
//! Migrations live in `migrations/sqlite/` and `migrations/postgres/` (the same versions, one
//! file per change, append-only), applied on open. Values are stored as text the same way for
//! every backend (timestamps RFC 3339, lists JSON), so a store copies across as it is
//! (`supportops store copy`).
//!
//! Several processes may share one store (a scheduled `supportops review` while
//! `supportops serve` runs, or several `serve` replicas on one PostgreSQL database): every
//! transaction that reads then writes takes the store's write lock first (`BEGIN IMMEDIATE` on
//! SQLite, a transaction-scoped advisory lock on PostgreSQL), so a writer waits for the other
//! instead of failing, and the local tracker reads and rewrites an issue inside one such
//! transaction, so no change is lost.
//!
//! ```no_run
//! # async fn demo() -> Result<(), supportops_ports::StoreError> {
//! use supportops_store::{LocalTracker, SqliteStore};
//! let store = SqliteStore::open("sqlite://supportops.db").await?;
//! let tracker = LocalTracker::new(store.clone());
//! # let _ = tracker; Ok(()) }
//! ```

pub mod sqlite;
pub mod testing;

pub use sqlite::{Backend, Claim, ClaimQueue, LocalTracker, SqlStore, SqliteStore};
