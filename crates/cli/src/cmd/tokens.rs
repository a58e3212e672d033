//! `supportops tokens`: API tokens for scripts. `create` prints the token once; the store keeps
//! only its SHA-256. `list` shows names, roles and use; `revoke` stops a token working.

use anyhow::Context as _;
use clap::{Args as ClapArgs, Subcommand, ValueEnum};
use serde::Serialize;
use supportops_ports::store::AuthStore;
use supportops_ports::store::auth::{ApiToken, Role};

use super::Context;
use super::wiring::open_store;
use crate::exit::bad_input;
use crate::output::{Format, emit};

/// `tokens` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a token and print it once (keep it: only its hash is stored)
    Create(CreateArgs),
    /// List the tokens (names, roles, last use; never the tokens)
    List(ListArgs),
    /// Revoke a token: requests carrying it are refused from now on
    Revoke(RevokeArgs),
}

/// A role a token may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Reads `GET /api/v1/…`
    Viewer,
    /// Also acts (POST)
    Editor,
}

/// `tokens create`.
#[derive(Debug, ClapArgs)]
pub struct CreateArgs {
    /// A name for the token, e.g. the script that uses it
    name: String,
    /// What the token may do
    #[arg(long, value_enum)]
    role: RoleArg,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// `tokens list`.
#[derive(Debug, ClapArgs)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// `tokens revoke`.
#[derive(Debug, ClapArgs)]
pub struct RevokeArgs {
    /// The token's name
    name: String,
}

#[derive(Serialize)]
struct Created<'a> {
    name: &'a str,
    role: Role,
    token: &'a str,
}

#[derive(Serialize)]
struct List<'a> {
    tokens: &'a [ApiToken],
}

fn now() -> jiff::Timestamp {
    std::env::var("SUPPORTOPS_NOW")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(jiff::Timestamp::now)
}

/// Runs the command.
pub fn run(ctx: &Context, cmd: Command) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let store = open_store(&config).await?;
        match cmd {
            Command::Create(args) => {
                let name = args.name.trim();
                if name.is_empty() || name.chars().any(char::is_control) {
                    return Err(bad_input(anyhow::anyhow!(
                        "the token name `{}` is empty or has control characters; name the \
                         script that uses it, e.g. `nightly-digest`",
                        args.name
                    )));
                }
                let role = match args.role {
                    RoleArg::Viewer => Role::Viewer,
                    RoleArg::Editor => Role::Editor,
                };
                let (token, record) = supportops_server::new_api_token(name, role, now())
                    .context("cannot make a random token")?;
                store.create_token(&record).await.map_err(|e| match e {
                    supportops_ports::StoreError::Conflict(_) => bad_input(e),
                    other => anyhow::Error::new(other),
                })?;
                emit(
                    args.format,
                    &Created {
                        name,
                        role,
                        token: &token,
                    },
                    |c| {
                        format!(
                            "token `{}` ({}) created; it is shown only this once:\n{}\n\
                             send it as `Authorization: Bearer <token>`\n",
                            c.name,
                            c.role.as_str(),
                            c.token
                        )
                    },
                )
            }
            Command::List(args) => {
                let tokens = store.tokens().await?;
                emit(args.format, &List { tokens: &tokens }, |l| table(l.tokens))
            }
            Command::Revoke(args) => {
                if store.revoke_token(&args.name, now()).await? {
                    println!("token `{}` revoked", args.name);
                    Ok(())
                } else {
                    Err(bad_input(anyhow::anyhow!(
                        "no token named `{}` is in use; `supportops tokens list` shows them",
                        args.name
                    )))
                }
            }
        }
    })
}

fn table(tokens: &[ApiToken]) -> String {
    if tokens.is_empty() {
        return "No API tokens; `supportops tokens create NAME --role viewer|editor` makes one.\n"
            .into();
    }
    let day = |t: Option<jiff::Timestamp>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.strftime("%Y-%m-%d %H:%M").to_string(),
        )
    };
    let mut out = format!(
        "{:<24} {:<7} {:<16} {:<16} {}\n",
        "NAME", "ROLE", "CREATED", "LAST USED", "REVOKED"
    );
    for t in tokens {
        out.push_str(&format!(
            "{:<24} {:<7} {:<16} {:<16} {}\n",
            t.name,
            t.role.as_str(),
            day(Some(t.created_at)),
            day(t.last_used_at),
            day(t.revoked_at)
        ));
    }
    out
}
