//! The background review job: files Feedback Review issues for flagged responses that the
//! webhook stored, with the same use case as `supportops review`.
//!
//! It runs once at start (so whatever a previous run stored but did not file is filed now: the
//! job survives restarts because its only input is the store), then each time the webhook
//! stores a flagged response. Filing is idempotent and crash-safe in the use case itself; a
//! failed run (e.g. the tracker is down, or a `supportops review` holds the store's review
//! lock) is retried with a growing delay.

use std::time::Duration;

use supportops_ports::store::responses::ResponseQuery;
use tokio::sync::watch;

use crate::state::AppState;

/// First delay before retrying a failed run; doubled after each failure up to [`MAX_DELAY`].
const FIRST_DELAY: Duration = Duration::from_secs(5);
/// Longest delay between retries.
const MAX_DELAY: Duration = Duration::from_secs(300);

/// Files what is pending, once. Returns how many issues and notes were filed.
pub async fn file_pending(state: &AppState) -> Result<usize, String> {
    let Some(options) = state.review_options() else {
        return Ok(0);
    };
    let query = ResponseQuery {
        flagged_only: true,
        ..ResponseQuery::default()
    };
    let flagged: Vec<_> = state
        .store()
        .responses(&query)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|r| r.scored)
        .collect();
    if flagged.is_empty() {
        return Ok(0);
    }
    let _writing = state.writing().await;
    let report = supportops_app::review::review(
        state.store().as_ref(),
        state.tracker().as_ref(),
        &flagged,
        options,
        state.review_lock(),
        state.now(),
    )
    .await
    .map_err(|e| error_chain(&e))?;
    // Red and Error responses filed: told in chat by the notifier, never failing the filing.
    if let Some(notify) = state.notify() {
        match supportops_app::notify::flagged(state.store().as_ref(), notify, &report, state.now())
            .await
        {
            Ok(0) => {}
            Ok(_) => state.wake_notifier(),
            Err(e) => tracing::warn!(error = %e, "cannot queue chat messages"),
        }
    }
    for action in &report.actions {
        tracing::info!(
            subject = action.subject.as_str(),
            kind = action.kind.as_str(),
            issue = action
                .issue
                .as_ref()
                .map(|i| i.web_url.as_str())
                .unwrap_or(""),
            "filed"
        );
    }
    for failure in &report.failures {
        tracing::warn!(
            subject = failure.subject.as_str(),
            code = failure.code,
            error = %failure.error,
            "could not file; the next filing round tries again"
        );
    }
    Ok(report.actions.len())
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(": ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out
}

/// Runs until `stop` turns true.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut delay = FIRST_DELAY;
    let mut due = true;
    loop {
        if due {
            match file_pending(&state).await {
                Ok(_) => {
                    delay = FIRST_DELAY;
                    due = false;
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_s = delay.as_secs(), "review job failed");
                }
            }
        }
        let wait = async {
            if due {
                tokio::time::sleep(delay).await;
            } else {
                state.review_wanted().await;
            }
        };
        tokio::select! {
            () = wait => {
                if due {
                    delay = (delay * 2).min(MAX_DELAY);
                }
                due = true;
            }
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
    }
}
