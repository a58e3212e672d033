//! The review lock as a run uses it: one `review` run files at a time on a store.
//!
//! A run that changes anything takes the lock before it starts (waiting a bounded time for
//! another run to end), renews it in the background while it works, checks it still holds it
//! before each filing, and releases it at the end, also when it fails. The lock is a lease kept
//! in the store ([`ReviewStore::acquire_review_lock`]): a run that crashed stops renewing it,
//! and once the lease lapses the next run takes it over and settles what the crashed run left
//! unfinished.
//!
//! The clock and the sleep come in as a [`Pace`], so tests can run the waiting on their own
//! time.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{Either, select};
use jiff::Timestamp;
use supportops_ports::store::ReviewStore;
use supportops_ports::store::review::{LockAttempt, ReviewLease};

use super::ReviewError;

/// The clock and the sleep a run waits for the review lock and keeps it with.
#[async_trait::async_trait]
pub trait Pace: Send + Sync {
    /// The current time, which lease times are computed from.
    fn now(&self) -> Timestamp;

    /// Waits for `duration`.
    async fn sleep(&self, duration: Duration);
}

/// How long a run keeps, renews and waits for the review lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    /// How long a lease lasts unless renewed: a run that stopped renewing (it crashed or was
    /// killed) holds the lock at most this long.
    pub ttl: Duration,
    /// How often a working run renews its lease; well under `ttl`.
    pub renew_every: Duration,
    /// How long a run waits for another run's lock before it gives up; zero to ask once.
    pub wait: Duration,
    /// How often a waiting run asks again.
    pub poll_every: Duration,
}

impl Default for LockPolicy {
    /// A 45 s lease renewed every 10 s; a run waits up to 60 s, asking every second, which is
    /// longer than a crashed run's lease lasts.
    fn default() -> LockPolicy {
        LockPolicy {
            ttl: Duration::from_secs(45),
            renew_every: Duration::from_secs(10),
            wait: Duration::from_secs(60),
            poll_every: Duration::from_secs(1),
        }
    }
}

/// Who takes the review lock, and how.
#[derive(Clone)]
pub struct LockOptions {
    /// The run, as another run waiting for it is told, e.g. `supportops review (pid 4242,
    /// run 1f9c…)`. Unique per run: a run holding the lock under the same name is taken to be
    /// this one.
    pub holder: String,
    /// The timing.
    pub policy: LockPolicy,
    /// The clock and the sleep.
    pub pace: Arc<dyn Pace>,
    /// Told once, when the run starts waiting for another run's lock, with its lease.
    pub on_wait: Option<Arc<OnWait>>,
}

/// What a waiting run is told: the other run's lease, and how long it will wait at most.
pub type OnWait = dyn Fn(&ReviewLease, Duration) + Send + Sync;

impl LockOptions {
    /// The lock taken as `holder` with the default [`LockPolicy`].
    pub fn new(holder: impl Into<String>, pace: Arc<dyn Pace>) -> LockOptions {
        LockOptions {
            holder: holder.into(),
            policy: LockPolicy::default(),
            pace,
            on_wait: None,
        }
    }

    /// The same, telling `on_wait` when the run starts waiting for another run.
    pub fn on_wait(
        mut self,
        on_wait: impl Fn(&ReviewLease, Duration) + Send + Sync + 'static,
    ) -> LockOptions {
        self.on_wait = Some(Arc::new(on_wait));
        self
    }
}

impl std::fmt::Debug for LockOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockOptions")
            .field("holder", &self.holder)
            .field("policy", &self.policy)
            .field("on_wait", &self.on_wait.is_some())
            .finish_non_exhaustive()
    }
}

/// The shortest pause between two asks, whatever the policy says.
const MIN_POLL: Duration = Duration::from_millis(1);

/// Takes the lock, asking again every `poll_every` until `wait` has passed. Returns the lapsed
/// lease it took over, if any.
pub(super) async fn acquire<S>(
    store: &S,
    lock: &LockOptions,
) -> Result<Option<ReviewLease>, ReviewError>
where
    S: ReviewStore + ?Sized,
{
    let policy = &lock.policy;
    let mut waited = Duration::ZERO;
    loop {
        let attempt = store
            .acquire_review_lock(&lock.holder, lock.pace.now(), policy.ttl)
            .await?;
        match attempt {
            LockAttempt::Acquired { took_over } => return Ok(took_over),
            LockAttempt::Held(lease) if waited >= policy.wait => {
                return Err(ReviewError::Busy {
                    since: to_seconds(lease.acquired_at),
                    holder: lease.holder,
                    waited,
                });
            }
            LockAttempt::Held(lease) => {
                if waited.is_zero()
                    && let Some(on_wait) = &lock.on_wait
                {
                    on_wait(&lease, policy.wait);
                }
                let pause = policy.poll_every.min(policy.wait - waited).max(MIN_POLL);
                lock.pace.sleep(pause).await;
                waited += pause;
            }
        }
    }
}

/// Runs `work` while renewing the lease every `renew_every`. A renewal the store fails is tried
/// again at the next beat; a lost lease is not renewed again, and the check before the next
/// filing ([`ensure_held`]) stops the run.
pub(super) async fn keep<S, T>(store: &S, lock: &LockOptions, work: impl Future<Output = T>) -> T
where
    S: ReviewStore + ?Sized,
{
    let work = std::pin::pin!(work);
    let beat = std::pin::pin!(heartbeat(store, lock));
    match select(work, beat).await {
        Either::Left((done, _)) => done,
        Either::Right((never, _)) => match never {},
    }
}

async fn heartbeat<S>(store: &S, lock: &LockOptions) -> Infallible
where
    S: ReviewStore + ?Sized,
{
    loop {
        lock.pace.sleep(lock.policy.renew_every).await;
        let renewed = store
            .renew_review_lock(&lock.holder, lock.pace.now(), lock.policy.ttl)
            .await;
        if let Ok(false) = renewed {
            break;
        }
    }
    std::future::pending().await
}

/// Renews the lease, failing when another run took it over: called before each filing, so a
/// run that stalled past its lease files nothing the new holder may also file.
pub(super) async fn ensure_held<S>(store: &S, lock: &LockOptions) -> Result<(), ReviewError>
where
    S: ReviewStore + ?Sized,
{
    let held = store
        .renew_review_lock(&lock.holder, lock.pace.now(), lock.policy.ttl)
        .await?;
    if held {
        return Ok(());
    }
    let taken_by = store.review_lock().await?.map(|lease| lease.holder);
    Err(ReviewError::LockLost {
        holder: lock.holder.clone(),
        taken_by,
    })
}

/// What the report says about a lease taken over from a run that stopped.
pub(super) fn took_over_warning(lease: &ReviewLease) -> String {
    format!(
        "took over the review lock of `{}` (held since {}, last renewed {}): that run stopped \
         without releasing it; what it left unfinished is settled in this run",
        lease.holder,
        to_seconds(lease.acquired_at),
        to_seconds(lease.renewed_at)
    )
}

/// A timestamp to the second, for messages.
fn to_seconds(at: Timestamp) -> Timestamp {
    at.round(jiff::Unit::Second).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use supportops_store::SqliteStore;

    use super::*;

    /// A clock that moves only when the run sleeps, and a sleep that returns at once.
    struct Virtual {
        start: Timestamp,
        slept: Mutex<Vec<Duration>>,
        clock_moves: bool,
    }

    impl Virtual {
        fn new(clock_moves: bool) -> Arc<Virtual> {
            Arc::new(Virtual {
                start: "2026-03-02T10:00:00Z".parse().expect("a timestamp"),
                slept: Mutex::new(Vec::new()),
                clock_moves,
            })
        }

        fn slept(&self) -> Vec<Duration> {
            self.slept.lock().expect("not poisoned").clone()
        }
    }

    #[async_trait::async_trait]
    impl Pace for Virtual {
        fn now(&self) -> Timestamp {
            if !self.clock_moves {
                return self.start;
            }
            let slept: Duration = self.slept().iter().sum();
            self.start + jiff::SignedDuration::try_from(slept).expect("a short time")
        }
        async fn sleep(&self, duration: Duration) {
            self.slept.lock().expect("not poisoned").push(duration);
        }
    }

    fn options(pace: Arc<Virtual>, wait: u64, poll: u64) -> LockOptions {
        LockOptions {
            holder: "cron".into(),
            policy: LockPolicy {
                wait: Duration::from_secs(wait),
                poll_every: Duration::from_secs(poll),
                ..LockPolicy::default()
            },
            pace,
            on_wait: None,
        }
    }

    /// With the clock stopped (as `SUPPORTOPS_NOW` stops it) a run still gives up: the wait is
    /// the sum of its pauses, the last one cut to fit.
    #[tokio::test]
    async fn the_wait_is_counted_in_pauses_not_by_the_clock() {
        let store = SqliteStore::open_in_memory().await.expect("a store");
        let pace = Virtual::new(false);
        store
            .acquire_review_lock("serve", pace.now(), Duration::from_secs(3600))
            .await
            .expect("the other run takes the lock");

        let told = Arc::new(Mutex::new(Vec::new()));
        let tell = told.clone();
        let lock = options(pace.clone(), 5, 2).on_wait(move |lease, wait| {
            let mut told = tell.lock().expect("not poisoned");
            told.push((lease.holder.clone(), wait));
        });
        let err = acquire(&store, &lock)
            .await
            .expect_err("the lock stays held");

        let secs = |s: &[u64]| {
            s.iter()
                .map(|s| Duration::from_secs(*s))
                .collect::<Vec<_>>()
        };
        assert_eq!(pace.slept(), secs(&[2, 2, 1]));
        assert_eq!(
            *told.lock().expect("not poisoned"),
            [("serve".to_owned(), Duration::from_secs(5))],
            "told once that it waits"
        );
        assert_eq!(
            err.to_string(),
            "another review is running on this store (`serve`, since 2026-03-02T10:00:00Z) and \
             did not end within 5s; try again later"
        );
    }

    /// A lease that lapses while the run waits (its holder crashed) is taken over then.
    #[tokio::test]
    async fn a_lease_lapsing_during_the_wait_is_taken_over() {
        let store = SqliteStore::open_in_memory().await.expect("a store");
        let pace = Virtual::new(true);
        store
            .acquire_review_lock("crashed", pace.now(), Duration::from_secs(3))
            .await
            .expect("the crashed run took the lock");

        let took_over = acquire(&store, &options(pace.clone(), 60, 1))
            .await
            .expect("the lock is taken over");

        assert_eq!(pace.slept().len(), 3);
        assert_eq!(took_over.map(|l| l.holder).as_deref(), Some("crashed"));
        assert_eq!(
            store.review_lock().await.expect("read").map(|l| l.holder),
            Some("cron".to_owned())
        );
    }
}
