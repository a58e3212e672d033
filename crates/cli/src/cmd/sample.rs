//! `supportops sample`: writes a synthetic feedback sheet of any size in the handbook's layout,
//! deterministic for a given seed, scored with the configured formula in its score column.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use supportops_sheet::sample::{Mix, SampleOptions, write_sample};

use super::Context;

/// Arguments of `supportops sample`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of responses (data rows) to generate
    #[arg(long, value_name = "N")]
    rows: u64,
    /// Seed of the generator: the same seed gives the same sheet
    #[arg(long, value_name = "S", default_value_t = 2026)]
    seed: u64,
    /// Write to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The kind of sheet: `realistic` (about one issue/MR per three responses, blank and odd
    /// links) or `few-links` (a few thousand issues/MRs, as in examples/feedback.csv)
    #[arg(long, value_enum, value_name = "MIX", default_value_t = MixArg::Realistic)]
    mix: MixArg,
}

/// `--mix` of `sample`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MixArg {
    /// About one distinct link per three responses, 2% blank, some free text, odd spellings
    Realistic,
    /// A few thousand distinct links whatever the size, all well formed
    FewLinks,
}

/// Runs the command.
pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    let formula = super::score::parse_formula(&config, None)?;
    let options = SampleOptions {
        rows: args.rows,
        seed: args.seed,
        mix: match args.mix {
            MixArg::Realistic => Mix::Realistic,
            MixArg::FewLinks => Mix::FewLinks,
        },
    };
    match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create `{}`", path.display()))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            write_sample(&mut out, &options, Some(&formula))
                .and_then(|()| out.flush())
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            // The sheet went to a file, so standard output can say what is in it.
            anstream::println!(
                "Wrote {} {} (seed {}, scored with the configured formula) to `{}`.",
                args.rows,
                if args.rows == 1 {
                    "response"
                } else {
                    "responses"
                },
                args.seed,
                path.display()
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            let written =
                write_sample(&mut out, &options, Some(&formula)).and_then(|()| out.flush());
            match written {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other.context("cannot write the sheet to standard output")?,
            }
        }
    }
    Ok(())
}
