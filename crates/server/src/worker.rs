//! The background filing job: files Feedback Review issues for the flagged responses the
//! webhook queued (the store's intake queue), with the same use case as `supportops review`,
//! a batch of queued responses at a time, so that only their subjects are filed.
//!
//! It runs once at start (whatever a previous run queued but did not file is filed now: the
//! queue is durable), then each time the webhook queues a response. Each replica runs one; a
//! batch is claimed for a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so replicas file
//! different responses, and the review lock lets one of them file at a time. A queued response leaves the
//! queue only after its subject was filed; filing itself is idempotent and crash-safe in the use
//! case (markers, intents, the review lock), so a kill mid-filing loses nothing and files
//! nothing twice. A failed run (e.g. the tracker is down, or a `supportops review` holds the
//! store's review lock) is retried with a growing delay.

use std::collections::HashSet;
use std::time::Duration;

use supportops_domain::SubjectUrl;
use supportops_ports::Backoff;
use supportops_ports::store::intake::IntakeClaim;
use tokio::sync::watch;

use crate::state::AppState;

/// The wait before retrying a failed run: 5 s, doubled after each failure up to 5 min, less
/// a random jitter of up to half (the product's one [`Backoff`]).
const RETRY: Backoff = Backoff {
    first: Duration::from_secs(5),
    max: Duration::from_secs(300),
};

/// Why a filing round failed; it is tried again later.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The store could not claim, read or finish queued responses.
    #[error("{0}")]
    Store(#[from] supportops_ports::StoreError),
    /// The review use case failed (shown with its cause chain).
    #[error("{}", error_chain(.0))]
    Review(#[from] supportops_app::review::ReviewError),
    /// Some subjects could not be filed; their responses stay queued.
    #[error("{0} subject(s) could not be filed; their responses stay queued")]
    Unfiled(usize),
}
/// Queued responses filed per review run.
pub const BATCH: usize = 200;

/// How long a filer holds the responses it claimed unless it renews the lease (it does, every
/// [`RENEW_EVERY`], while it files them): a replica killed mid-filing leaves them to the others
/// after at most this long.
const LEASE: Duration = Duration::from_secs(60);

/// How often a filer renews its lease while it files.
const RENEW_EVERY: Duration = Duration::from_secs(15);

/// How often an idle filer looks at the queue anyway: responses a replica killed mid-filing
/// held are filed by another once their lease ends, without waiting for a new delivery.
const POLL_EVERY: Duration = Duration::from_secs(30);

/// Runs `work` while renewing this filer's lease on the claimed `ids` every [`RENEW_EVERY`].
async fn renewing<T>(state: &AppState, ids: &[i64], work: impl Future<Output = T>) -> T {
    tokio::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return out,
            () = tokio::time::sleep(RENEW_EVERY) => {
                let until = state.now() + LEASE;
                let holder = &state.review_lock().holder;
                if let Err(e) = state.store().renew_intake(holder, ids, until).await {
                    tracing::warn!(error = %e, "cannot renew the lease on claimed responses");
                }
            }
        }
    }
}

/// Files what is queued, a batch at a time, until the queue is empty. Returns how many issues
/// and notes were filed. Responses of a subject that could not be filed stay queued, and the
/// run fails so that it is retried later.
pub async fn file_pending(state: &AppState) -> Result<usize, WorkerError> {
    let Some(options) = state.review_options() else {
        return Ok(0);
    };
    let store = state.store();
    let mut filed = 0;
    loop {
        let claimed = store
            .claim_intake(&IntakeClaim {
                holder: &state.review_lock().holder,
                now: state.now(),
                lease: LEASE,
                limit: BATCH,
            })
            .await?;
        if claimed.is_empty() {
            return Ok(filed);
        }
        let ids: Vec<i64> = claimed.iter().map(|e| e.id).collect();
        let keys: Vec<_> = claimed.iter().map(|e| e.key.clone()).collect();
        let run = async {
            let responses: Vec<_> = store
                .responses_by_key(&keys)
                .await?
                .into_iter()
                .map(|r| r.scored)
                .collect();
            supportops_app::review::review(
                store.as_ref(),
                state.tracker().as_ref(),
                &responses,
                options,
                state.review_lock(),
                state.now(),
            )
            .await
            .map_err(WorkerError::from)
        };
        let report = match renewing(state, &ids, run).await {
            Ok(report) => report,
            Err(e) => {
                // Given back at once, so the next round (here or on another replica) takes them.
                if let Err(release) = store.release_intake(&ids).await {
                    tracing::warn!(error = %release, "cannot give claimed responses back; they are taken again when the lease ends");
                }
                return Err(e);
            }
        };
        // Red and Error responses filed: told in chat by the notifier, never failing the filing.
        if let Some(notify) = state.notify() {
            match supportops_app::notify::flagged(store.as_ref(), notify, &report, state.now())
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
        filed += report.actions.len();
        let failed: HashSet<&SubjectUrl> = report.failures.iter().map(|f| &f.subject).collect();
        let done: Vec<i64> = claimed
            .iter()
            .filter(|e| !failed.contains(&e.subject))
            .map(|e| e.id)
            .collect();
        store.finish_intake(&done).await?;
        if done.len() < claimed.len() {
            let unfiled: Vec<i64> = claimed
                .iter()
                .filter(|e| failed.contains(&e.subject))
                .map(|e| e.id)
                .collect();
            store.release_intake(&unfiled).await?;
            return Err(WorkerError::Unfiled(failed.len()));
        }
    }
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

/// Keeps the review issues' tracker states in the store (they changed in the tracker while the
/// service was down), so the Reviews page filters and counts them in SQL.
async fn refresh_states(state: &AppState) {
    match supportops_app::pages::reviews::refresh_states(
        state.store().as_ref(),
        state.tracker().as_ref(),
    )
    .await
    {
        Ok(n) => tracing::debug!(issues = n, "review states refreshed"),
        Err(e) => tracing::warn!(error = %e, "cannot refresh the review issues' states"),
    }
}

/// Runs until `stop` turns true.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    refresh_states(&state).await;
    let mut failures = 0;
    let mut delay = RETRY.wait(failures);
    let mut due = true;
    loop {
        if due {
            match file_pending(&state).await {
                Ok(_) => {
                    failures = 0;
                    delay = RETRY.wait(failures);
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
                let _ = tokio::time::timeout(POLL_EVERY, state.review_wanted()).await;
            }
        };
        tokio::select! {
            () = wait => {
                if due {
                    failures = failures.saturating_add(1);
                    delay = RETRY.wait(failures);
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
