//! `supportops serve` (being written).

use super::Context;

/// Arguments of `supportops serve`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`supportops serve` is not available yet")
}
