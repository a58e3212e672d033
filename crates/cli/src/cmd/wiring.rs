//! Builds the adapters the configuration asks for: the store and the tracker.

use std::sync::Arc;

use anyhow::Context as _;
use supportops_config::Config;
use supportops_store::SqliteStore;

/// Opens the store named by `[store] url`.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<SqliteStore>> {
    let url = &config.store.url;
    if !url.starts_with("sqlite:") {
        return Err(crate::exit::bad_input(anyhow::anyhow!(
            "store.url `{url}`: only sqlite:// stores are supported by this build"
        )));
    }
    let store = SqliteStore::open(url)
        .await
        .with_context(|| format!("cannot open the store `{url}` (config key `store.url`)"))?;
    Ok(Arc::new(store))
}
