//! Store port for the shadow area (being written).

/// Storage for the shadow area.
#[async_trait::async_trait]
pub trait ShadowStore: Send + Sync {}
