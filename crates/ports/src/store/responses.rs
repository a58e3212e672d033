//! Store port for the responses area (being written).

/// Storage for the responses area.
#[async_trait::async_trait]
pub trait ResponseStore: Send + Sync {}
