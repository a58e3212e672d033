//! `supportops notify`: the chat outbox. `notify digest` queues this week's digest of
//! neglected reviews and overdue sessions and sends it (for a cron job; `serve` sends it on its
//! own schedule); `notify list` shows what was queued, sent or failed.
//!
//! Also the step every command that causes a message runs after its own work
//! ([`send_due`]): it sends what is due, waiting briefly for retries, and only warns when the
//! chat cannot be reached, so the command's own result never depends on the chat.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use jiff::Timestamp;
use owo_colors::OwoColorize as _;
use secrecy::SecretString;
use serde::Serialize;
use supportops_app::notify::{self as app, DeliverReport, NotifySettings};
use supportops_app::sync::SyncSettings;
use supportops_config::Config;
use supportops_ports::store::NotifyStore;
use supportops_ports::store::notify::{Delivery, DeliveryState};
use supportops_ports::{Chat, ChatError, Clock};
use supportops_store::SqliteStore;
use supportops_tracker::WebhookChat;

use super::Context;
use super::wiring::{check_tracker, open_journaled_tracker, open_store, open_store_to_read};
use crate::exit::bad_input;
use crate::output::{Format, emit};

/// How long a command waits, after its work, for its messages' retries.
const FLUSH: Duration = Duration::from_secs(20);
/// How long one post may take.
const POST_TIMEOUT: Duration = Duration::from_secs(10);

/// `supportops notify …`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Queue and send this week's digest of neglected reviews and overdue sessions (for cron)
    Digest(DigestArgs),
    /// List the chat messages queued, sent and failed, newest first
    List(ListArgs),
}

/// Arguments of `notify digest`.
#[derive(Debug, clap::Args)]
pub struct DigestArgs {
    /// Print the digest without queueing or sending it
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `notify list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// How many messages to show
    #[arg(long, default_value_t = 20)]
    limit: u32,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs `notify …`.
pub fn run(ctx: &Context, cmd: Command) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    let runtime = super::runtime()?;
    match cmd {
        Command::Digest(args) => runtime.block_on(digest(&config, &ctx.clock, args)),
        Command::List(args) => runtime.block_on(list(&config, args)),
    }
}

/// `[notify]` validated; `None` when notifications are off. A bad value is only a warning
/// here: the command that causes a message must not fail for it.
pub fn settings(config: &Config) -> Option<NotifySettings> {
    match NotifySettings::from_config(config) {
        Ok(s) => s,
        Err(e) => {
            warn(&format!("no chat messages: {e}"));
            None
        }
    }
}

fn warn(message: &str) {
    anstream::eprintln!("{} {message}", "warning:".yellow().bold());
}

/// The chat the webhook URL in `notify.chat_webhook_env` names.
pub fn open_chat(settings: &NotifySettings) -> Result<Arc<dyn Chat>, ChatError> {
    let var = &settings.chat_webhook_env;
    let url = std::env::var(var)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            ChatError::Refused(format!(
                "the environment variable `{var}` (named by config key \
                 `notify.chat_webhook_env`) is not set; set it to the chat's incoming webhook URL"
            ))
        })?;
    Ok(Arc::new(WebhookChat::new(
        SecretString::from(url.trim().to_owned()),
        var,
        POST_TIMEOUT,
    )?))
}

/// Sends what the outbox holds that is due, after a command's own work. Never fails: what
/// cannot be sent is said in a warning and stays recorded in the outbox.
pub async fn send_due(
    settings: &NotifySettings,
    store: &SqliteStore,
    clock: &Clock,
) -> DeliverReport {
    let chat = match open_chat(settings) {
        Ok(chat) => chat,
        Err(e) => {
            if store.next_due().await.ok().flatten().is_some() {
                warn(&format!(
                    "chat messages wait in the outbox: {e} (`supportops notify list` shows them)"
                ));
            }
            return DeliverReport::default();
        }
    };
    let clock = clock.clone();
    let now = move || -> Timestamp { clock.now() };
    let sleep: supportops_app::journal::Sleep = Arc::new(|d| Box::pin(tokio::time::sleep(d)));
    match app::flush(store, chat.as_ref(), settings, &now, FLUSH, &sleep).await {
        Ok(report) => {
            if report.failed > 0 {
                warn(&format!(
                    "{} chat message(s) could not be sent; `supportops notify list` shows why",
                    report.failed
                ));
            } else if report.retrying > 0 {
                warn(
                    "a chat message is waiting to be retried; `supportops serve` or the next command sends it",
                );
            }
            report
        }
        Err(e) => {
            warn(&format!("cannot send chat messages: {e}"));
            DeliverReport::default()
        }
    }
}

/// What `notify digest --format json` prints.
#[derive(Debug, Serialize)]
struct DigestJson<'a> {
    #[serde(flatten)]
    outcome: &'a app::DigestOutcome,
    /// The delivery's state after sending: `sent`, `queued` (to be retried) or `failed`.
    delivery: Option<&'a Delivery>,
}

async fn digest(config: &Config, clock: &Clock, args: DigestArgs) -> anyhow::Result<()> {
    let settings = match NotifySettings::from_config(config).map_err(bad_input)? {
        Some(s) => s,
        None if args.dry_run => {
            // Off, but a preview still shows what would be sent.
            let mut on = config.clone();
            on.notify.chat_webhook_env = Some("SUPPORTOPS_CHAT_WEBHOOK".into());
            NotifySettings::from_config(&on)
                .map_err(bad_input)?
                .context("notifications are off")?
        }
        None => {
            return Err(bad_input(anyhow::anyhow!(
                "notifications are off: set config key `notify.chat_webhook_env` to the name of \
                 the environment variable holding the chat's incoming webhook URL"
            )));
        }
    };
    if !args.dry_run {
        open_chat(&settings).map_err(bad_input)?;
    }
    check_tracker(config)?;
    let sync = SyncSettings::from_config(config).map_err(bad_input)?;
    let store = if args.dry_run {
        open_store_to_read(config).await?
    } else {
        open_store(config).await?
    };
    let tracker = open_journaled_tracker(config, &store, clock)?;
    let now = clock.now();
    let outcome = app::digest(
        store.as_ref(),
        tracker.as_ref(),
        &sync,
        &settings,
        now,
        args.dry_run,
    )
    .await
    .context("cannot gather the weekly digest")?;
    let delivery = if outcome.delivery_id.is_some() {
        send_due(&settings, &store, clock).await;
        let key = format!("digest:{}", outcome.digest.week);
        store.delivery_by_key(&key).await?
    } else {
        None
    };
    emit(
        args.format,
        &DigestJson {
            outcome: &outcome,
            delivery: delivery.as_ref(),
        },
        |d| digest_text(d.outcome, d.delivery),
    )?;
    if delivery.is_some_and(|d| d.state == DeliveryState::Failed) {
        return Err(anyhow::Error::new(crate::exit::Reported(
            crate::exit::Exit::Failure,
        )));
    }
    Ok(())
}

fn digest_text(outcome: &app::DigestOutcome, delivery: Option<&Delivery>) -> String {
    let mut out = String::new();
    let head = match (outcome.status, delivery.map(|d| d.state)) {
        ("dry_run", _) => "Would send".to_owned(),
        ("nothing_to_report", _) => {
            return format!(
                "Nothing to report for {}: no neglected reviews, no overdue sessions; no \
                 message sent\n",
                outcome.digest.week
            );
        }
        ("already_queued", Some(state)) => format!(
            "This week's digest was queued before (message {}, {})",
            outcome.delivery_id.unwrap_or_default(),
            state.as_str()
        ),
        (_, Some(DeliveryState::Sent)) => "Sent".to_owned(),
        (_, Some(DeliveryState::Failed)) => "Failed to send".to_owned(),
        _ => "Queued (to be retried)".to_owned(),
    };
    let _ = writeln!(out, "{head} the digest for {}:\n", outcome.digest.week);
    for line in outcome.text.lines() {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(error) = delivery.and_then(|d| d.last_error.as_deref()) {
        let _ = writeln!(out, "\nlast error: {error}");
    }
    out
}

async fn list(config: &Config, args: ListArgs) -> anyhow::Result<()> {
    let store = open_store_to_read(config).await?;
    let deliveries = store.deliveries(args.limit).await?;
    emit(args.format, &deliveries, |d| list_table(d))
}

fn list_table(deliveries: &[Delivery]) -> String {
    if deliveries.is_empty() {
        return "No chat messages yet.\n".to_owned();
    }
    let mut builder = tabled::builder::Builder::default();
    builder.push_record([
        "id",
        "event",
        "state",
        "tries",
        "queued",
        "message / last error",
    ]);
    for d in deliveries {
        let first = d.text.lines().next().unwrap_or("");
        let mut shown: String = first.chars().take(70).collect();
        if first.chars().count() > 70 {
            shown.push('…');
        }
        if let Some(e) = &d.last_error {
            shown = format!("{shown}\n{e}");
        }
        builder.push_record([
            d.id.to_string(),
            d.event.clone(),
            d.state.as_str().to_owned(),
            d.attempts.to_string(),
            d.created_at.strftime("%Y-%m-%d %H:%M").to_string(),
            shown,
        ]);
    }
    let mut table = builder.build();
    table.with(tabled::settings::Style::psql());
    format!("{table}\n")
}
