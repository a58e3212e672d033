//! Builds the adapters the configuration asks for: the store (`[store] url`) and the tracker
//! (`[tracker] kind`: the local tracker kept in the store, or GitLab with its token read from
//! the environment variable `tracker.token_env` names).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use supportops_config::{Config, TrackerKind};
use supportops_ports::{Clock, Tracker, TrackerError};
use supportops_store::{LocalTracker, SqliteStore};
use supportops_tracker::{GitLab, GitLabOptions};

use crate::exit::bad_input;

/// Opens the store named by `[store] url`.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<SqliteStore>> {
    let url = &config.store.url;
    if supportops_store::Backend::of_url(url).is_none() {
        return Err(bad_input(anyhow::anyhow!(
            "config key `store.url` is `{url}`: use `sqlite://PATH` or `postgres://user@host/db`"
        )));
    }
    let store = SqliteStore::open(url)
        .await
        .with_context(|| format!("cannot open the store `{url}` (config key `store.url`)"))?;
    Ok(Arc::new(store))
}

/// Opens the store for a run that must write nothing (a dry run, a listing): the configured
/// store when its database exists, else an empty one in memory, so no file is left behind.
pub async fn open_store_to_read(config: &Config) -> anyhow::Result<Arc<SqliteStore>> {
    if SqliteStore::exists(&config.store.url) || !config.store.url.starts_with("sqlite:") {
        return open_store(config).await;
    }
    let store = SqliteStore::open_in_memory()
        .await
        .context("cannot open an empty store in memory")?;
    Ok(Arc::new(store))
}

/// Checks, before anything is opened or read, that the tracker `[tracker] kind` names can be
/// set up: GitLab needs its token.
pub fn check_tracker(config: &Config) -> anyhow::Result<()> {
    match config.tracker.kind {
        TrackerKind::Local => Ok(()),
        TrackerKind::Gitlab => gitlab_token(config).map(drop),
    }
}

/// The GitLab token, from the environment variable `tracker.token_env` names. Unset or empty
/// is a setup problem the user fixes before running again: bad input (exit 2).
fn gitlab_token(config: &Config) -> anyhow::Result<String> {
    let var = &config.tracker.token_env;
    match std::env::var(var) {
        Ok(token) if !token.trim().is_empty() => Ok(token),
        _ => Err(bad_input(anyhow::anyhow!(
            "the GitLab token is missing: set the environment variable `{var}` (named by \
             config key `tracker.token_env`) to a token with the `api` scope"
        ))),
    }
}

/// Opens the tracker named by `[tracker] kind`. The local tracker lives in `store`; GitLab
/// needs its token in the environment variable `tracker.token_env` names (see
/// [`check_tracker`]).
pub fn open_tracker(
    config: &Config,
    store: &SqliteStore,
    clock: &Clock,
) -> anyhow::Result<Arc<dyn Tracker>> {
    match config.tracker.kind {
        TrackerKind::Local => Ok(Arc::new(
            LocalTracker::new(store.clone()).with_clock(clock.clone()),
        )),
        TrackerKind::Gitlab => {
            let gitlab = GitLab::new(GitLabOptions {
                base_url: config.tracker.url.clone(),
                token: gitlab_token(config)?.into(),
                token_env: config.tracker.token_env.clone(),
                timeout: Duration::from_secs(config.tracker.timeout_seconds),
                max_retries: config.tracker.max_retries,
            })
            .map_err(tracker_error)
            .context("cannot set up the GitLab tracker")?;
            Ok(Arc::new(gitlab))
        }
    }
}

/// The tracker of [`open_tracker`] with its writes journaled in the store (intent recorded,
/// tracker called, result recorded: [`supportops_app::journal`]), for every command that writes
/// to the tracker besides `review`, which keeps its own filing intents. Entries are stamped by
/// `clock`, the run's.
pub fn open_journaled_tracker(
    config: &Config,
    store: &SqliteStore,
    clock: &Clock,
) -> anyhow::Result<Arc<dyn Tracker>> {
    let inner = open_tracker(config, store, clock)?;
    let sleep: supportops_app::journal::Sleep = Arc::new(|d| Box::pin(tokio::time::sleep(d)));
    Ok(Arc::new(
        supportops_app::journal::Journaled::new(inner, Arc::new(store.clone()), clock.clone())
            .with_sleep(sleep),
    ))
}

/// A tracker error as the binary reports it: an unusable setting is bad input (exit 2), every
/// other refusal or failure exit 1.
pub fn tracker_error(err: TrackerError) -> anyhow::Error {
    match err {
        TrackerError::InvalidSetting { .. } => bad_input(err),
        other => anyhow::Error::new(other),
    }
}
