//! Fresh PostgreSQL databases for tests, so that the store's contract tests (and the commands'
//! tests) run against PostgreSQL as well as SQLite.
//!
//! The server comes from [`POSTGRES_URL_VAR`] (`SUPPORTOPS_TEST_POSTGRES_URL`, e.g.
//! `postgres://postgres@127.0.0.1:5499/postgres`, as `scripts/pg-throwaway.sh start` prints): a
//! user allowed to create databases. Each [`TestDatabase`] is a new database with a unique
//! name, dropped when the value is dropped. When the variable is unset, [`TestDatabase::create`]
//! returns `None` after printing a notice, so developers without PostgreSQL can still run
//! `cargo test`; when `CI` is set as well it panics instead, so CI never passes without the
//! PostgreSQL half.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{AnyConnection, Connection as _};

/// The environment variable naming the PostgreSQL server tests use.
pub const POSTGRES_URL_VAR: &str = "SUPPORTOPS_TEST_POSTGRES_URL";

/// A database created for one test on the test server, dropped with this value.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL of the new database.
    pub url: String,
    admin_url: String,
    name: String,
}

/// Databases made by this process so far, for unique names.
static MADE: AtomicU32 = AtomicU32::new(0);

/// `url` with its database (the path) replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|j| start + j))
        .unwrap_or(base.len());
    let mut out = format!("{}/{database}", &base[..authority_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl TestDatabase {
    /// Creates a new, empty database on the test server; `None` (with a notice on standard
    /// error) when [`POSTGRES_URL_VAR`] is unset and `CI` is not.
    ///
    /// # Panics
    /// When `CI` is set and the variable is not, or the server refuses: a test of the
    /// PostgreSQL backend must not pass without running.
    #[allow(
        clippy::panic,
        reason = "test support: a failure here is a failing test"
    )]
    pub async fn create() -> Option<TestDatabase> {
        sqlx::any::install_default_drivers();
        let admin_url = match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => url,
            _ if std::env::var_os("CI").is_some() => panic!(
                "{POSTGRES_URL_VAR} is not set and CI is: the PostgreSQL half of the store's \
                 tests must run in CI (start a server with `scripts/pg-throwaway.sh start`)"
            ),
            _ => {
                eprintln!(
                    "note: skipping the PostgreSQL variant: set {POSTGRES_URL_VAR} (see \
                     `scripts/pg-throwaway.sh`) to run it"
                );
                return None;
            }
        };
        let name = format!(
            "supportops_test_{}_{}_{}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed),
            jiff::Timestamp::now().as_microsecond()
        );
        let mut admin = AnyConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test server `{admin_url}`: {e}"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database `{name}`: {e}"));
        let _ = admin.close().await;
        Some(TestDatabase {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its
        // own with a runtime of its own drops the database.
        let dropped = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut admin) = AnyConnection::connect(&admin_url).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut admin)
                        .await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = dropped.join();
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5/postgres?sslmode=disable", "t1"),
            "postgres://u@h:5/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t1"), "postgres://u@h/t1");
    }
}
