//! The background notifier: sends the chat outbox's due messages (woken when something is
//! queued, and every minute for retries and messages other processes queued) and queues the
//! weekly digest when `notify.digest_weekday` at `notify.digest_time` has come. The outbox
//! is in the store, so a restart loses nothing, and a message is claimed before it is sent,
//! so replicas sharing the store never send it twice; the digest is queued once per week.

use std::time::Duration;

use supportops_app::notify::{self as app, NotifySettings};
use tokio::sync::watch;

use crate::state::AppState;

/// The longest pause between two rounds.
const TICK: Duration = Duration::from_secs(60);

/// One round: the digest if due, then what is due in the outbox.
pub async fn round(state: &AppState, settings: &NotifySettings, digest_week: &mut Option<String>) {
    let now = state.now();
    if settings.sends(app::Event::WeeklyDigest) && app::digest_due(settings, now) {
        let week = app::week_key(settings, now);
        if digest_week.as_deref() != Some(week.as_str()) {
            let store: &dyn supportops_ports::Store = state.store().as_ref();
            match app::digest(
                store,
                state.tracker().as_ref(),
                state.sync(),
                settings,
                now,
                false,
            )
            .await
            {
                Ok(outcome) => {
                    tracing::info!(week = %week, status = outcome.status, "weekly digest");
                    *digest_week = Some(week);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot gather the weekly digest; trying again")
                }
            }
        }
    }
    let Some(chat) = state.chat() else {
        return;
    };
    let clock = || state.now();
    match app::deliver(state.store().as_ref(), chat.as_ref(), settings, &clock).await {
        Ok(r) if r.sent + r.retrying + r.failed > 0 => {
            tracing::info!(
                sent = r.sent,
                retrying = r.retrying,
                failed = r.failed,
                "chat messages"
            );
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cannot send chat messages"),
    }
}

/// Runs until `stop` turns true; returns at once when chat messages are off.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let Some(settings) = state.notify().cloned() else {
        return;
    };
    if state.chat().is_none() {
        tracing::warn!(
            variable = %settings.chat_webhook_env,
            "chat messages are queued but not sent: the variable named by `notify.chat_webhook_env` is not set"
        );
    }
    let mut digest_week = None;
    loop {
        round(&state, &settings, &mut digest_week).await;
        // Sleep until the next retry is due (at most a tick), or until something is queued.
        let pause = match state.store().next_due().await {
            Ok(Some(at)) => Duration::try_from(at.duration_since(state.now()))
                .unwrap_or(Duration::ZERO)
                .clamp(Duration::from_millis(50), TICK),
            _ => TICK,
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = state.notifier_wanted() => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
    }
}
