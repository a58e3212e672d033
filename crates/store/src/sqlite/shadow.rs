//! Shadowing sessions (being written).

use supportops_ports::store::ShadowStore;

use super::SqliteStore;

#[async_trait::async_trait]
impl ShadowStore for SqliteStore {}
