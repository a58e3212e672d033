//! One module per subcommand: its arguments and its `run`.

pub mod formula;
pub mod init;
pub mod issues;
pub mod notify;
pub mod rescore;
pub mod review;
pub mod sample;
pub mod score;
pub mod score_compare;
pub mod serve;
pub mod shadow;
pub mod sync;
pub mod wiring;

use std::path::PathBuf;

use anyhow::Context as _;
use supportops_config::{Config, Origin};

/// What every command gets.
#[derive(Debug)]
pub struct Context {
    /// `--config`, if given.
    pub config_path: Option<PathBuf>,
}

impl Context {
    /// Loads the configuration (file, then `SUPPORTOPS__…` environment overrides).
    pub fn config(&self) -> anyhow::Result<(Config, Origin)> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Config::load(self.config_path.as_deref(), &env)
            .map_err(crate::exit::bad_input)
            .context("cannot load the configuration")
    }
}

/// A Tokio runtime for commands that talk to the store or the tracker.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
