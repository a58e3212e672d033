//! `supportops score` (being written).

use super::Context;

/// Arguments of `supportops score`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`supportops score` is not available yet")
}
