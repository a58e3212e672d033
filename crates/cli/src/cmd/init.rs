//! `supportops init` (being written).

use super::Context;

/// Arguments of `supportops init`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`supportops init` is not available yet")
}
