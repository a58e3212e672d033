//! What the store's tests share: a fresh store on either backend, readable instants, and
//! [`contract!`], which runs one test body against SQLite and against PostgreSQL.
#![allow(dead_code)]

use jiff::Timestamp;
use supportops_domain::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_formula::Value;
use supportops_store::testing::TestDatabase;
use supportops_store::{Backend, SqlStore};

/// A response on sheet row `row` from `person` about `subject`, submitted at `timestamp` (a
/// time when it reads as RFC 3339), with those two as its cells, scored `score` in `band`; no
/// submitter and no stored score.
pub fn scored(
    row: u64,
    person: &str,
    timestamp: &str,
    subject: &str,
    band: Band,
    score: Value,
) -> ScoredResponse {
    ScoredResponse {
        response: Response {
            row,
            key: ResponseKey::derive(timestamp, subject, person),
            submitted_at: timestamp.parse().ok(),
            timestamp: timestamp.to_owned(),
            subject_raw: subject.to_owned(),
            subject: SubjectUrl::parse(subject),
            submitter: None,
            cells: vec![timestamp.to_owned(), subject.to_owned()],
        },
        score,
        band,
        stored_score: None,
    }
}

/// An instant written as RFC 3339.
pub fn at(text: &str) -> Timestamp {
    text.parse().expect("a valid timestamp")
}

/// A fresh store: a file in a temporary directory, or a new database on the test server;
/// removed when dropped.
pub struct File {
    /// The store's URL (`sqlite://…` or `postgres://…`).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    _database: Option<TestDatabase>,
}

impl File {
    /// A new, not yet created SQLite store file.
    pub fn new() -> File {
        let dir = tempfile::tempdir().expect("a temporary directory");
        File {
            url: format!("sqlite://{}", dir.path().join("store.db").display()),
            _dir: Some(dir),
            _database: None,
        }
    }

    /// A fresh store on `backend`; `None` when PostgreSQL is asked for and no test server is
    /// configured outside CI (the test is then skipped, with a notice).
    pub async fn on(backend: Backend) -> Option<File> {
        match backend {
            Backend::Sqlite => Some(File::new()),
            Backend::Postgres => {
                let database = TestDatabase::create().await?;
                Some(File {
                    url: database.url.clone(),
                    _dir: None,
                    _database: Some(database),
                })
            }
        }
    }

    /// Another connection to the store, as a second process would open it.
    pub async fn open(&self) -> SqlStore {
        SqlStore::open(&self.url).await.expect("the store opens")
    }
}

/// Runs an `async fn name(file: File) { … }` against both backends, as the tests
/// `name::sqlite` and `name::postgres` (skipped with a notice when no PostgreSQL server is
/// configured outside CI; see `supportops_store::testing`).
#[macro_export]
macro_rules! contract {
    ($(#[doc = $doc:literal])* async fn $name:ident($file:ident: File) $body:block) => {
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($file: $crate::common::File) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::common::File::new()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(file) =
                    $crate::common::File::on(supportops_store::Backend::Postgres).await
                {
                    run(file).await;
                }
            }
        }
    };
}
