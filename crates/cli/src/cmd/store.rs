//! `supportops store check|copy`: the store's schema version, integrity and rows per table,
//! and copying the configured store (an embedded SQLite file, say) into PostgreSQL.

use anyhow::Context as _;
use serde::Serialize;
use supportops_store::SqlStore;
use supportops_store::sqlite::maintenance::{CheckReport, CopiedTable};

use super::Context;
use crate::exit::{Exit, Reported, bad_input};
use crate::output::{Format, emit};

/// `supportops store …`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Report the schema version (latest migration applied), integrity and rows per table
    Check(CheckArgs),
    /// Copy every row of the configured store into another (e.g. PostgreSQL); idempotent
    Copy(CopyArgs),
}

/// Arguments of `store check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `store copy`.
#[derive(Debug, clap::Args)]
pub struct CopyArgs {
    /// The store to copy into: `postgres://user@host/db` (the database must exist; its
    /// migrations are applied first)
    #[arg(long, value_name = "URL")]
    to: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs the command.
pub fn run(ctx: &Context, command: Command) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    super::runtime()?.block_on(async {
        let store = super::wiring::open_store(&config).await?;
        match command {
            Command::Check(args) => check(&store, args).await,
            Command::Copy(args) => copy(&store, args).await,
        }
    })
}

/// A URL as it may be printed: without its password.
fn shown(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// `store check --format json`.
#[derive(Debug, Serialize)]
struct CheckJson<'a> {
    url: String,
    ok: bool,
    #[serde(flatten)]
    report: &'a CheckReport,
}

async fn check(store: &SqlStore, args: CheckArgs) -> anyhow::Result<()> {
    let report = store
        .check()
        .await
        .with_context(|| format!("cannot check the store `{}`", shown(store.url())))?;
    let json = CheckJson {
        url: shown(store.url()),
        ok: report.problems.is_empty(),
        report: &report,
    };
    emit(args.format, &json, |j| {
        let mut out = format!("store      {} ({})\n", j.url, j.report.backend);
        out.push_str(
            &match (j.report.schema_version, &j.report.schema_description) {
                (Some(v), Some(d)) => format!(
                    "schema     {v:04} {d} ({} migrations applied)\n",
                    j.report.migrations_applied
                ),
                _ => "schema     no migration applied\n".to_owned(),
            },
        );
        if j.ok {
            out.push_str("integrity  ok\n");
        } else {
            for p in &j.report.problems {
                out.push_str(&format!("integrity  {p}\n"));
            }
        }
        out.push('\n');
        out.push_str(&format!("{:<26} {:>10}\n", "table", "rows"));
        for t in &j.report.tables {
            out.push_str(&format!("{:<26} {:>10}\n", t.table, t.rows));
        }
        out
    })?;
    if report.problems.is_empty() {
        Ok(())
    } else {
        anstream::eprintln!(
            "error: the store has {} integrity problem(s); restore it from a backup or ask for help",
            report.problems.len()
        );
        Err(Reported(Exit::Failure).into())
    }
}

/// `store copy --format json`.
#[derive(Debug, Serialize)]
struct CopyJson {
    from: String,
    to: String,
    ok: bool,
    tables: Vec<CopiedTable>,
}

async fn copy(store: &SqlStore, args: CopyArgs) -> anyhow::Result<()> {
    if supportops_store::Backend::of_url(&args.to).is_none() {
        return Err(bad_input(anyhow::anyhow!(
            "`--to {}` is not a store URL: use `postgres://user@host/db`",
            shown(&args.to)
        )));
    }
    if args.to == store.url() {
        return Err(bad_input(anyhow::anyhow!(
            "`--to` names the configured store itself (config key `store.url`); copy into \
             another store"
        )));
    }
    let target = SqlStore::open(&args.to).await.with_context(|| {
        format!(
            "cannot open the target store `{}`; check that the server is running, that the \
                 database exists (`createdb`) and that the URL's user may connect",
            shown(&args.to)
        )
    })?;
    let tables = store.copy_to(&target).await.with_context(|| {
        format!(
            "cannot copy `{}` into `{}`; nothing was written to the target",
            shown(store.url()),
            shown(&args.to)
        )
    })?;
    let json = CopyJson {
        from: shown(store.url()),
        to: shown(&args.to),
        ok: tables.iter().all(|t| t.source == t.target),
        tables,
    };
    emit(args.format, &json, |j| {
        let mut out = format!("copied {} into {}\n\n", j.from, j.to);
        out.push_str(&format!(
            "{:<26} {:>10} {:>10}\n",
            "table", "source", "target"
        ));
        for t in &j.tables {
            let mark = if t.source == t.target {
                ""
            } else {
                "  differs"
            };
            out.push_str(&format!(
                "{:<26} {:>10} {:>10}{mark}\n",
                t.table, t.source, t.target
            ));
        }
        if j.ok {
            out.push_str("\nevery table holds the same number of rows in both stores\n");
        }
        out
    })?;
    if json.ok {
        Ok(())
    } else {
        anstream::eprintln!(
            "error: some tables hold a different number of rows in the target: it held other \
             data before the copy; copy into an empty database"
        );
        Err(Reported(Exit::Failure).into())
    }
}
