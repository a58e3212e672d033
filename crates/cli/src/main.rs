//! The `supportops` binary: parses the command line, loads the configuration, wires adapters
//! together and calls the use cases. It holds no domain logic of its own.

mod cmd;
mod exit;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use supportops_ports::Clock;

/// Runs a Support Operations team's improvement loops: scores survey feedback, files Feedback
/// Review issues, plans shadowing sessions and keeps the weekly and monthly syncs.
#[derive(Debug, Parser)]
#[command(name = "supportops", version, about, max_term_width = 100)]
struct Cli {
    /// Configuration file [default: $SUPPORTOPS_CONFIG, else ./supportops.toml, else the
    /// handbook's defaults]
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,

    /// Run as of this moment (RFC 3339); tests and scripts set `SUPPORTOPS_NOW` instead
    #[arg(
        long,
        global = true,
        hide = true,
        env = "SUPPORTOPS_NOW",
        value_name = "INSTANT"
    )]
    now: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a commented supportops.toml with the handbook's defaults
    Init(cmd::init::Args),
    /// Check or evaluate a scoring formula
    #[command(subcommand)]
    Formula(cmd::formula::Command),
    /// Score every response of the feedback sheet and show its band
    Score(cmd::score::Args),
    /// File Feedback Review issues for Yellow, Red and Error responses
    Review(cmd::review::Args),
    /// List, show, close, reopen, note and edit the tracker's issues
    #[command(subcommand)]
    Issues(cmd::issues::Command),
    /// Plan, schedule and record Support Shadowing sessions
    #[command(subcommand)]
    Shadow(cmd::shadow::Command),
    /// The weekly and monthly syncs: schedule, calendar, agenda
    #[command(subcommand)]
    Sync(cmd::sync::Command),
    /// Chat notifications: send the weekly digest, list what was sent
    #[command(subcommand)]
    Notify(cmd::notify::Command),
    /// Start the web dashboard, JSON API and webhook
    Serve(cmd::serve::Args),
    /// API tokens for scripts: create, list, revoke
    #[command(subcommand)]
    Tokens(cmd::tokens::Command),
    /// Check the store, or copy it into PostgreSQL
    #[command(subcommand)]
    Store(cmd::store::Command),
    /// Generate a synthetic feedback sheet of any size (for benchmarks and trials)
    Sample(cmd::sample::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The one read of the clock: every command runs as of this.
    let as_of = match cmd::as_of(cli.now.as_deref()) {
        Ok(at) => at,
        Err(err) => return exit::report(Err(err)),
    };
    let ctx = cmd::Context {
        config_path: cli.config,
        clock: as_of.map_or_else(Clock::system, Clock::fixed),
        as_of,
    };
    // `RUST_LOG` set: what a command does, step by step, on standard error (`serve` always
    // logs).
    if std::env::var_os("RUST_LOG").is_some() && !matches!(cli.command, Command::Serve(_)) {
        cmd::serve::init_logging();
    }
    let result = match cli.command {
        Command::Init(a) => cmd::init::run(&ctx, a),
        Command::Formula(c) => cmd::formula::run(&ctx, c),
        Command::Score(a) => cmd::score::run(&ctx, a),
        Command::Review(a) => cmd::review::run(&ctx, a),
        Command::Issues(c) => cmd::issues::run(&ctx, c),
        Command::Shadow(c) => cmd::shadow::run(&ctx, c),
        Command::Sync(c) => cmd::sync::run(&ctx, c),
        Command::Notify(c) => cmd::notify::run(&ctx, c),
        Command::Serve(a) => cmd::serve::run(&ctx, a),
        Command::Tokens(c) => cmd::tokens::run(&ctx, c),
        Command::Store(c) => cmd::store::run(&ctx, c),
        Command::Sample(a) => cmd::sample::run(&ctx, a),
    };
    exit::report(result)
}
