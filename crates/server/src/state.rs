//! What every request handler shares: the configuration, the store, the tracker, the webhook's
//! secret, the clock, the sheet layout with the scoring formula compiled once at start, and how
//! the background review job takes the store's review lock.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use supportops_app::notify::{NotifyError, NotifySettings};
use supportops_app::review::{LockOptions, LockPolicy, Pace, ReviewOptions};
use supportops_app::shadow::{ShadowError, Shadowing};
use supportops_app::sync::{SyncAppError, SyncSettings};
use supportops_config::Config;
use supportops_ports::store::coverage::CoverageStore;
use supportops_ports::{Chat, Clock, Store, Tracker};
use supportops_sheet::{Columns, Headers, Scoring, SheetError, SheetLayout};
use tokio::sync::Notify;

use crate::access::AuthSetup;
use crate::auth::WebhookAuth;

/// The review lock's clock and sleep: a [`Clock`] and the runtime's timer.
#[derive(Clone, Debug)]
pub struct TokioPace(pub Clock);

#[async_trait::async_trait]
impl Pace for TokioPace {
    fn now(&self) -> Timestamp {
        self.0.now()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// The store as the service uses it: every store area, and the review coverage the Reviews
/// page lists. Implemented by every type that has both.
pub trait ServerStore: Store + CoverageStore {}

impl<T: Store + CoverageStore + ?Sized> ServerStore for T {}

/// What the service is built from; the binary wires the adapters and hands them over.
pub struct Services {
    /// The validated configuration.
    pub config: Config,
    /// The store (responses, reviews, shadowing, syncs).
    pub store: Arc<dyn ServerStore>,
    /// The tracker review issues are filed in.
    pub tracker: Arc<dyn Tracker>,
    /// How the webhook authenticates callers.
    pub webhook: WebhookAuth,
    /// The time source.
    pub clock: Clock,
    /// The sheet's layout, header row and scoring, as `supportops score` uses them.
    pub sheet: SheetSetup,
    /// How flagged responses are filed (as `supportops review` files them); `None` stores
    /// webhook responses without filing them.
    pub review: Option<ReviewOptions>,
    /// Whether this is `serve --demo` (the pages say so, and the browser is signed in as the
    /// demo editor).
    pub demo: bool,
    /// How people sign in (`[server.auth]`).
    pub auth: AuthSetup,
}

/// How responses are read and scored: the same for an imported sheet and a webhook body.
#[derive(Debug, Clone)]
pub struct SheetSetup {
    /// Which column plays which role (from `[sheet]`).
    pub layout: SheetLayout,
    /// The sheet's header row: webhook keys may be these names as well as column letters.
    pub headers: Headers,
    /// The compiled formula and the band thresholds.
    pub scoring: Scoring,
}

/// Why the service cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configured columns are not in the header row the webhook uses.
    #[error("the webhook cannot read responses with this `[sheet.columns]` layout")]
    Layout(#[source] SheetError),
    /// The `[sync]` or `[team]` settings are not valid.
    #[error(transparent)]
    Sync(#[from] SyncAppError),
    /// The `[shadowing]` or `[team]` settings are not valid.
    #[error(transparent)]
    Shadow(#[from] ShadowError),
    /// The `[notify]` settings are not valid.
    #[error(transparent)]
    Notify(#[from] NotifyError),
}

/// The state shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    store: Arc<dyn ServerStore>,
    tracker: Arc<dyn Tracker>,
    webhook: WebhookAuth,
    clock: Clock,
    demo: bool,
    auth: AuthSetup,
    acting: Arc<dyn Tracker>,
    sheet: SheetSetup,
    columns: Columns,
    review: Option<ReviewOptions>,
    sync: SyncSettings,
    shadowing: Shadowing,
    review_wanted: Notify,
    intake: crate::intake::Intake,
    writing: tokio::sync::Mutex<()>,
    review_lock: LockOptions,
    summary_cache: SummaryCache,
    notify: Option<NotifySettings>,
    chat: std::sync::OnceLock<Arc<dyn Chat>>,
    notify_wanted: Notify,
}

/// The last summary computed, with the store generation and hour it is good for.
type SummaryCache = std::sync::Mutex<Option<((i64, String), crate::views::summary::SummaryView)>>;

impl AppState {
    /// Builds the state, checking that the configured columns exist in the header row.
    pub fn new(services: Services) -> Result<AppState, StartError> {
        let columns = services
            .sheet
            .layout
            .resolve(&services.sheet.headers, "the sheet")
            .map_err(StartError::Layout)?;
        let sync = SyncSettings::from_config(&services.config)?;
        let shadowing = Shadowing::from_config(&services.config, None)?;
        let notify = NotifySettings::from_config(&services.config)?;
        let review_lock = LockOptions {
            holder: lock_holder(),
            // The job asks once and, when another run holds the lock, is retried later, so
            // queued responses wait in the store rather than in a task.
            policy: LockPolicy {
                wait: Duration::ZERO,
                ..LockPolicy::default()
            },
            pace: Arc::new(TokioPace(services.clock.clone())),
            on_wait: None,
        };
        let log: Arc<dyn supportops_ports::store::ActionLog> = services.store.clone();
        let clock = services.clock.clone();
        let acting = Arc::new(supportops_app::journal::Journaled::new(
            services.tracker.clone(),
            log,
            Arc::new(move || clock.now()),
        ));
        let intake = crate::intake::Intake::new(
            services.store.clone(),
            services.clock.clone(),
            supportops_domain::FormulaSpec {
                formula: services.sheet.scoring.formula.to_string(),
                thresholds: services.sheet.scoring.thresholds,
                note: None,
            },
        );
        Ok(AppState {
            inner: Arc::new(Inner {
                auth: services.auth,
                acting,
                config: services.config,
                store: services.store,
                tracker: services.tracker,
                webhook: services.webhook,
                clock: services.clock,
                demo: services.demo,
                sheet: services.sheet,
                columns,
                review: services.review,
                sync,
                shadowing,
                review_wanted: Notify::new(),
                intake,
                writing: tokio::sync::Mutex::new(()),
                review_lock,
                summary_cache: SummaryCache::default(),
                notify,
                chat: std::sync::OnceLock::new(),
                notify_wanted: Notify::new(),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn ServerStore> {
        &self.inner.store
    }

    /// The tracker.
    pub fn tracker(&self) -> &Arc<dyn Tracker> {
        &self.inner.tracker
    }

    /// The tracker dashboard actions write through: each write's intent and result are
    /// journaled in the store, as the command line's are.
    pub fn acting_tracker(&self) -> &Arc<dyn Tracker> {
        &self.inner.acting
    }

    /// How people sign in.
    pub fn auth(&self) -> &AuthSetup {
        &self.inner.auth
    }

    /// The webhook's authentication.
    pub fn webhook(&self) -> &WebhookAuth {
        &self.inner.webhook
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Whether this is the demo.
    pub fn demo(&self) -> bool {
        self.inner.demo
    }

    /// The sheet layout, headers and scoring.
    pub fn sheet(&self) -> &SheetSetup {
        &self.inner.sheet
    }

    /// How flagged responses are filed, if they are.
    pub fn review_options(&self) -> Option<&ReviewOptions> {
        self.inner.review.as_ref()
    }

    /// The validated `[sync]` and `[team]` settings.
    pub fn sync(&self) -> &SyncSettings {
        &self.inner.sync
    }

    /// The validated `[shadowing]` and `[team]` settings.
    pub fn shadowing(&self) -> &Shadowing {
        &self.inner.shadowing
    }

    /// Where each role's column is in the header row.
    pub fn columns(&self) -> &Columns {
        &self.inner.columns
    }

    /// Serialises dashboard actions that read before they write (applying a month's plan), so
    /// that a double click in this process does not do the work twice.
    pub(crate) async fn writing(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.writing.lock().await
    }

    /// Where webhook deliveries are stored, many to a commit.
    pub(crate) fn intake(&self) -> &crate::intake::Intake {
        &self.inner.intake
    }

    /// The last summary computed (see `views::summary::load`).
    pub(crate) fn summary_cache(&self) -> &SummaryCache {
        &self.inner.summary_cache
    }

    /// How the background review job takes the store's review lock.
    pub(crate) fn review_lock(&self) -> &LockOptions {
        &self.inner.review_lock
    }

    /// Asks the background review job to file review issues for newly stored responses.
    pub(crate) fn wake_review(&self) {
        self.inner.review_wanted.notify_one();
    }

    /// The validated `[notify]`; `None` when chat messages are off.
    pub fn notify(&self) -> Option<&NotifySettings> {
        self.inner.notify.as_ref()
    }

    /// Hands over the chat messages are posted to (the binary opens it from the URL in
    /// `notify.chat_webhook_env`). Without one, messages are queued and wait in the outbox.
    pub fn set_chat(&self, chat: Arc<dyn Chat>) {
        let _ = self.inner.chat.set(chat);
    }

    /// The chat, once handed over.
    pub(crate) fn chat(&self) -> Option<&Arc<dyn Chat>> {
        self.inner.chat.get()
    }

    /// Asks the background notifier to send what was queued.
    pub(crate) fn wake_notifier(&self) {
        self.inner.notify_wanted.notify_one();
    }

    /// Waits until [`AppState::wake_notifier`] is called.
    pub(crate) async fn notifier_wanted(&self) {
        self.inner.notify_wanted.notified().await;
    }

    /// Waits until [`AppState::wake_review`] is called.
    pub(crate) async fn review_wanted(&self) {
        self.inner.review_wanted.notified().await;
    }
}

/// The name this service's review runs hold the lock under, unique to the process: its id, and
/// a random tag, since processes in containers often share an id.
fn lock_holder() -> String {
    let tag =
        getrandom::u32().unwrap_or_else(|_| Timestamp::now().subsec_nanosecond().unsigned_abs());
    format!("supportops serve (pid {}, {tag:08x})", std::process::id())
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("tracker", &self.inner.tracker.describe())
            .field("demo", &self.inner.demo)
            .finish_non_exhaustive()
    }
}
