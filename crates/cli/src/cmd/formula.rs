//! `supportops formula …` (being written).

use super::Context;

/// Subcommands of `supportops formula`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Placeholder
    Todo,
}

/// Runs the command.
pub fn run(_ctx: &Context, _cmd: Command) -> anyhow::Result<()> {
    anyhow::bail!("`supportops formula` is not available yet")
}
