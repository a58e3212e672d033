//! Sending what the outbox holds: each due message is claimed (so two processes never send
//! it twice), posted, and its try recorded: sent; queued again after a backoff with jitter
//! ([`Settle::backoff`]) on a transient failure; failed when refused for good or out of tries.

use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use supportops_ports::store::NotifyStore;
use supportops_ports::store::notify::AttemptResult;
use supportops_ports::{Chat, ChatError};

use super::{NotifyError, NotifySettings};
use crate::journal::{Settle, Sleep};

/// How long a claim on a message lasts: longer than one post may take.
const CLAIM: Duration = Duration::from_secs(60);

/// What a delivery round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliverReport {
    /// Messages the chat accepted.
    pub sent: usize,
    /// Messages that failed a try and wait for the next.
    pub retrying: usize,
    /// Messages given up on.
    pub failed: usize,
}

fn settle(settings: &NotifySettings) -> Settle {
    Settle {
        resends: settings.max_attempts,
        first_backoff: settings.first_retry,
        max_backoff: settings
            .first_retry
            .saturating_mul(32)
            .max(Duration::from_secs(1)),
    }
}

fn span(d: Duration) -> jiff::SignedDuration {
    jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::MAX)
}

/// Sends every message due at `now()` once; retries are queued for later, not waited for.
pub async fn deliver<S>(
    store: &S,
    chat: &dyn Chat,
    settings: &NotifySettings,
    now: &(dyn Fn() -> Timestamp + Send + Sync),
) -> Result<DeliverReport, NotifyError>
where
    S: NotifyStore + ?Sized,
{
    let mut report = DeliverReport::default();
    let policy = settle(settings);
    loop {
        let at = now();
        let lease = at.saturating_add(span(CLAIM)).unwrap_or(at);
        let Some(message) = store.claim_delivery(at, lease).await? else {
            return Ok(report);
        };
        let tries = message.attempts + 1;
        let result = match chat.post(&message.text).await {
            Ok(()) => {
                report.sent += 1;
                AttemptResult::Sent
            }
            Err(ChatError::Transient(error)) if tries < settings.max_attempts => {
                report.retrying += 1;
                let seed = u64::try_from(message.id).unwrap_or(0) ^ u64::from(tries) << 32;
                let wait = policy.backoff(tries - 1, seed);
                AttemptResult::Retry {
                    error,
                    next_attempt_at: at.saturating_add(span(wait)).unwrap_or(at),
                }
            }
            Err(ChatError::Transient(error) | ChatError::Refused(error)) => {
                report.failed += 1;
                AttemptResult::Failed { error }
            }
        };
        store.record_attempt(message.id, &result, now()).await?;
    }
}

/// Sends what is due, then waits for retries that fall due before `deadline` and sends them
/// too: what a command does after its own work, so its messages usually go out before it
/// exits. What is still queued at the deadline stays queued for the next run or `serve`.
pub async fn flush<S>(
    store: &S,
    chat: &dyn Chat,
    settings: &NotifySettings,
    now: &(dyn Fn() -> Timestamp + Send + Sync),
    deadline: Duration,
    sleep: &Sleep,
) -> Result<DeliverReport, NotifyError>
where
    S: NotifyStore + ?Sized,
{
    // Time as this run sees it: the clock plus what it slept, so a clock held still
    // (`SUPPORTOPS_NOW`) still reaches the retries it waits for.
    let mut slept = Duration::ZERO;
    let start = now();
    let end = start.saturating_add(span(deadline)).unwrap_or(start);
    let mut total = DeliverReport::default();
    loop {
        let offset = slept;
        let clock = move || {
            let t = now();
            t.saturating_add(span(offset)).unwrap_or(t)
        };
        let round = deliver(store, chat, settings, &clock).await?;
        total.sent += round.sent;
        total.failed += round.failed;
        let Some(next) = store.next_due().await? else {
            total.retrying = 0;
            return Ok(total);
        };
        if next > end {
            total.retrying = round.retrying.max(1);
            return Ok(total);
        }
        let wait = Duration::try_from(next.duration_since(clock())).unwrap_or(Duration::ZERO);
        sleep(wait).await;
        slept += wait;
    }
}
