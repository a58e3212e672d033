//! Sync schedule changes and monthly meetings (being written).

use supportops_ports::store::SyncStore;

use super::SqliteStore;

#[async_trait::async_trait]
impl SyncStore for SqliteStore {}
