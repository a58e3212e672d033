//! The store adapters: [`SqliteStore`] (embedded, WAL, the default) implementing every
//! [`supportops_ports::Store`] trait, and [`LocalTracker`], the tracker kept in the same
//! database.
//!
//! Migrations live in `migrations/sqlite/`, one file per change, append-only, applied on open.
//! Queries are checked at run time (`sqlx::query`, no database at build time) and written in
//! SQL that PostgreSQL also reads (`$1` parameters, `ON CONFLICT`, `RETURNING`), so a
//! PostgreSQL backend needs its own migrations and little else. Values are stored as text the
//! same way for every backend (timestamps RFC 3339, lists JSON).
//!
//! Several processes may share one SQLite file (a scheduled `supportops review` while
//! `supportops serve` runs): every transaction that writes starts with `BEGIN IMMEDIATE`, so
//! a writer waits for the other (up to the busy timeout) instead of failing with "database is
//! locked", and the local tracker reads and rewrites an issue inside one such transaction, so
//! no change is lost.
//!
//! ```no_run
//! # async fn demo() -> Result<(), supportops_ports::StoreError> {
//! use supportops_store::{LocalTracker, SqliteStore};
//! let store = SqliteStore::open("sqlite://supportops.db").await?;
//! let tracker = LocalTracker::new(store.clone());
//! # let _ = tracker; Ok(()) }
//! ```

pub mod sqlite;

pub use sqlite::{LocalTracker, SqliteStore};
