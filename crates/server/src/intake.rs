//! Group commit of webhook deliveries: each delivery waits for a commit that holds it, and
//! deliveries arriving while one commit is under way share the next one.
//!
//! One task per service stores what is waiting, up to [`MAX_BATCH`] responses in one
//! transaction ([`IntakeQueue::accept_responses`]), and answers each delivery after the commit,
//! so a `202 Accepted` still means stored. With one commit per batch rather than per delivery,
//! the store's one writer (SQLite's, or PostgreSQL's write lock) is no longer the limit of how
//! many deliveries a second are accepted.

use std::sync::{Arc, OnceLock};

use jiff::Timestamp;
use supportops_domain::{FormulaSpec, ScoredResponse};
use supportops_ports::Clock;
use supportops_ports::StoreError;
use supportops_ports::store::intake::Accepted;
use tokio::sync::{mpsc, oneshot};

use crate::state::ServerStore;

/// At most this many deliveries are stored in one transaction.
pub const MAX_BATCH: usize = 256;

/// Deliveries waiting for the intake task beyond this many are refused as busy (the sender
/// retries) rather than held in memory.
const WAITING: usize = 4_096;

/// What a stored delivery became: the response as stored (it may keep a score it was filed
/// under) and whether it was new, changed or already there.
pub type Stored = (ScoredResponse, Accepted);

/// Why a delivery was not stored.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The store refused the batch the delivery was in; nothing of it was written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// More deliveries are waiting than the service holds; try again shortly.
    #[error("the service is storing many deliveries; try again in a moment")]
    Busy,
}

struct Waiting {
    response: ScoredResponse,
    reply: oneshot::Sender<Result<Stored, StoreError>>,
}

/// The intake of one service: a queue to the task that stores deliveries.
pub struct Intake {
    store: Arc<dyn ServerStore>,
    clock: Clock,
    formula: FormulaSpec,
    sender: OnceLock<mpsc::Sender<Waiting>>,
}

impl Intake {
    /// The intake of deliveries into `store`, scored by `formula`, stamped by `clock`.
    pub fn new(store: Arc<dyn ServerStore>, clock: Clock, formula: FormulaSpec) -> Intake {
        Intake {
            store,
            clock,
            formula,
            sender: OnceLock::new(),
        }
    }

    /// Stores `response` in the next commit and returns what it became once committed.
    pub async fn store(&self, response: ScoredResponse) -> Result<Stored, IntakeError> {
        let sender = self.sender.get_or_init(|| {
            let (tx, rx) = mpsc::channel(WAITING);
            tokio::spawn(run(
                self.store.clone(),
                self.clock.clone(),
                self.formula.clone(),
                rx,
            ));
            tx
        });
        let (reply, answer) = oneshot::channel();
        sender
            .try_send(Waiting { response, reply })
            .map_err(|_| IntakeError::Busy)?;
        // A dropped reply means the task ended (the service is stopping): nothing was stored.
        Ok(answer.await.map_err(|_| IntakeError::Busy)??)
    }
}

/// Stores what waits, a batch per commit, until every sender is gone.
async fn run(
    store: Arc<dyn ServerStore>,
    clock: Clock,
    formula: FormulaSpec,
    mut rx: mpsc::Receiver<Waiting>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (mut responses, replies): (Vec<_>, Vec<_>) =
            batch.drain(..).map(|w| (w.response, w.reply)).unzip();
        match commit(store.as_ref(), &formula, &mut responses, clock.now()).await {
            Ok(accepted) => {
                for ((reply, response), accepted) in
                    replies.into_iter().zip(responses).zip(accepted)
                {
                    let _ = reply.send(Ok((response, accepted)));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, deliveries = replies.len(), "cannot store deliveries");
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// One commit: the scores filed under an earlier formula kept, then every response stored and
/// the flagged ones queued for filing.
async fn commit(
    store: &dyn ServerStore,
    formula: &FormulaSpec,
    responses: &mut [ScoredResponse],
    now: Timestamp,
) -> Result<Vec<Accepted>, StoreError> {
    supportops_app::formula::keep_filed_scores(store, formula, responses).await?;
    store.accept_responses(responses, now).await
}
