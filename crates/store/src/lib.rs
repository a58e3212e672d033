//! The store adapters: [`SqliteStore`] (embedded, WAL, the default) implementing every
//! [`supportops_ports::Store`] trait, and the local tracker kept in the same database.
//!
//! Migrations live in `migrations/sqlite/`, one file per change, append-only, applied on open.

pub mod sqlite;

pub use sqlite::{LocalTracker, SqliteStore};
