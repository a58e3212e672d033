//! Responses, scores, subjects and review records (being written).

use supportops_ports::store::ResponseStore;

use super::SqliteStore;

#[async_trait::async_trait]
impl ResponseStore for SqliteStore {}
