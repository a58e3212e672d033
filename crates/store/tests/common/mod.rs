//! What the store's tests share: a store file in a temporary directory and readable instants.
#![allow(dead_code)]

use jiff::Timestamp;
use supportops_store::SqliteStore;

/// An instant written as RFC 3339.
pub fn at(text: &str) -> Timestamp {
    text.parse().expect("a valid timestamp")
}

/// A store file in a temporary directory, removed when dropped.
pub struct File {
    /// The `sqlite://` URL of the file.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl File {
    /// A new, not yet created store file.
    pub fn new() -> File {
        let dir = tempfile::tempdir().expect("a temporary directory");
        File {
            url: format!("sqlite://{}", dir.path().join("store.db").display()),
            _dir: dir,
        }
    }

    /// Another connection to the file, as a second process would open it.
    pub async fn open(&self) -> SqliteStore {
        SqliteStore::open(&self.url).await.expect("the store opens")
    }
}
