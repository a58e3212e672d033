//! `supportops sync …` (being written).

use super::Context;

/// Subcommands of `supportops sync`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Placeholder
    Todo,
}

/// Runs the command.
pub fn run(_ctx: &Context, _cmd: Command) -> anyhow::Result<()> {
    anyhow::bail!("`supportops sync` is not available yet")
}
