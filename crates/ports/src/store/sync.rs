//! Store port for the sync area (being written).

/// Storage for the sync area.
#[async_trait::async_trait]
pub trait SyncStore: Send + Sync {}
