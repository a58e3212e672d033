//! `supportops init`: writes the commented starter `supportops.toml` with the handbook's
//! defaults, refusing to overwrite an existing file unless `--force` is given.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;

use super::Context;
use crate::exit::bad_input;

/// Arguments of `supportops init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Overwrite the file if it already exists
    #[arg(long)]
    force: bool,
}

/// Runs the command: writes `supportops_config::STARTER` to `--config PATH`, else to
/// `$SUPPORTOPS_CONFIG`, else to `./supportops.toml`: where the other commands will read it.
pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let path = ctx
        .config_path
        .clone()
        .or_else(|| std::env::var_os("SUPPORTOPS_CONFIG").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("supportops.toml"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if args.force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = match options.open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(bad_input(anyhow::anyhow!(
                "`{}` already exists; pass --force to overwrite it",
                path.display()
            )));
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot create `{}`", path.display()));
        }
    };
    file.write_all(supportops_config::STARTER.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    anstream::println!(
        "wrote `{}` with the handbook's defaults; set [sheet] source and add your [[team.members]]",
        path.display()
    );
    Ok(())
}
