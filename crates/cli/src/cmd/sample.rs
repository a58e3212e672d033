//! `supportops sample` (being written).

use super::Context;

/// Arguments of `supportops sample`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`supportops sample` is not available yet")
}
