//! `supportops review` (being written).

use super::Context;

/// Arguments of `supportops review`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`supportops review` is not available yet")
}
