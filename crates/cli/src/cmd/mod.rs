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
pub mod shadow_text;
pub mod sheet_mark;
pub mod store;
pub mod sync;
pub mod sync_text;
pub mod tokens;
pub mod wiring;

use std::path::PathBuf;

use anyhow::Context as _;
use supportops_config::{Config, Origin};
use supportops_ports::Clock;

/// What every command gets.
#[derive(Debug)]
pub struct Context {
    /// `--config`, if given.
    pub config_path: Option<PathBuf>,
    /// The clock every command runs on: stopped at `SUPPORTOPS_NOW` when set, else the
    /// system's.
    pub clock: Clock,
    /// `SUPPORTOPS_NOW`, when set.
    pub as_of: Option<jiff::Timestamp>,
}

impl Context {
    /// Loads the configuration (file, then `SUPPORTOPS__…` environment overrides).
    pub fn config(&self) -> anyhow::Result<(Config, Origin)> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Config::load(self.config_path.as_deref(), &env)
            .map_err(crate::exit::bad_input)
            .context("cannot load the configuration")
    }

    /// A clock that starts at this run's "now" and runs on in real time, for what lasts (the
    /// web service, a lease that must lapse): `SUPPORTOPS_NOW` then moves on from there.
    pub fn running_clock(&self) -> Clock {
        match self.as_of {
            Some(at) => Clock::running_from(at),
            None => Clock::system(),
        }
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

/// This run's "now" from `--now` or `SUPPORTOPS_NOW` (RFC 3339), if set; one that is not a
/// timestamp is bad input.
pub fn as_of(now: Option<&str>) -> anyhow::Result<Option<jiff::Timestamp>> {
    match now.map(str::trim) {
        Some(text) if !text.is_empty() => text.parse::<jiff::Timestamp>().map(Some).map_err(|_| {
            crate::exit::bad_input(anyhow::anyhow!(
                "`SUPPORTOPS_NOW` is `{text}`, not a timestamp; use RFC 3339, e.g. \
                 `2026-12-01T09:00:00Z`"
            ))
        }),
        _ => Ok(None),
    }
}
