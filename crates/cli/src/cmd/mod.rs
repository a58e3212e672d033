//! One module per subcommand: its arguments and its `run`.

pub mod formula;
pub mod init;
pub mod issues;
pub mod review;
pub mod sample;
pub mod score;
pub mod serve;
pub mod shadow;
pub mod sync;

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
