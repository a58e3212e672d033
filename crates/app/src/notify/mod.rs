//! Telling the team what needs them, in chat: a Red or Error response filed
//! ([`flagged`]), a shadowing session that needs an engineer ([`needs_engineer`]), and the
//! weekly digest of neglected reviews and overdue sessions ([`digest`]).
//!
//! Nothing here posts at once: each message is queued in the store's outbox
//! ([`supportops_ports::store::NotifyStore`]), once per key, and [`deliver`] sends what is due
//! in the background, with retries (backoff with jitter, [`crate::journal::Settle::backoff`]),
//! recording each try. Queueing never fails the action that caused it: the callers turn an
//! error into a warning.
//!
//! [`NotifySettings::from_config`] reads `[notify]`; no settings (no `notify.chat_webhook_env`)
//! means notifications are off and nothing is queued.

mod deliver;
mod digest;
mod messages;

use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use supportops_config::Config;
use supportops_ports::StoreError;
use supportops_ports::store::NotifyStore;
use supportops_ports::store::notify::NewDelivery;

pub use deliver::{DeliverReport, deliver, flush};
pub use digest::{Digest, DigestOutcome, OverdueSession, digest, digest_due, week_key};
pub use messages::escape;

use crate::review::{ActionStatus, ReviewReport};
use crate::shadow::ScheduleReport;

/// A kind of message, as `notify.events` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A Red or Error response filed into a review issue.
    FlaggedResponse,
    /// A scheduled shadowing session without an engineer.
    ShadowingNeedsEngineer,
    /// The weekly digest.
    WeeklyDigest,
}

impl Event {
    /// The name in `notify.events` and in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::FlaggedResponse => "flagged_response",
            Event::ShadowingNeedsEngineer => "shadowing_needs_engineer",
            Event::WeeklyDigest => "weekly_digest",
        }
    }

    fn parse(name: &str) -> Option<Event> {
        [
            Event::FlaggedResponse,
            Event::ShadowingNeedsEngineer,
            Event::WeeklyDigest,
        ]
        .into_iter()
        .find(|e| e.as_str() == name)
    }
}

/// Why notifications cannot be set up or queued.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// A `[notify]` value is wrong.
    #[error("invalid config key `{key}`: {message}")]
    Config {
        /// The dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading what the digest lists failed.
    #[error("cannot gather the digest: {0}")]
    Digest(String),
}

/// The validated `[notify]`, with where the dashboard is.
#[derive(Debug, Clone, PartialEq)]
pub struct NotifySettings {
    /// The environment variable holding the webhook's URL.
    pub chat_webhook_env: String,
    /// The events sent.
    pub events: Vec<Event>,
    /// The dashboard's base URL, without a trailing slash.
    pub public_url: String,
    /// Tries per message.
    pub max_attempts: u32,
    /// The wait before the first retry.
    pub first_retry: Duration,
    /// When `serve` sends the digest: weekday, time, zone.
    pub digest_at: (Weekday, Time, TimeZone),
    /// `sync.monthly.neglected_after_days`, named in the digest.
    pub neglected_after_days: u32,
}

impl NotifySettings {
    /// Reads `[notify]` (and `server.public_url`); `None` when `notify.chat_webhook_env` is
    /// not set, i.e. notifications are off.
    pub fn from_config(config: &Config) -> Result<Option<NotifySettings>, NotifyError> {
        let n = &config.notify;
        let Some(env) = n.chat_webhook_env.clone().filter(|e| !e.trim().is_empty()) else {
            return Ok(None);
        };
        let bad = |key: &str, message: String| NotifyError::Config {
            key: key.into(),
            message,
        };
        let events = n
            .events
            .iter()
            .map(|e| {
                Event::parse(e)
                    .ok_or_else(|| bad("notify.events", format!("`{e}` is not an event")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let weekday = supportops_domain::sync::parse_weekday(&n.digest_weekday)
            .map_err(|e| bad("notify.digest_weekday", e.to_string()))?;
        let time = supportops_domain::sync::parse_time(&n.digest_time)
            .map_err(|e| bad("notify.digest_time", e.to_string()))?;
        let zone = TimeZone::get(&n.digest_timezone).map_err(|_| {
            bad(
                "notify.digest_timezone",
                format!(
                    "`{}` is not an IANA time zone (e.g. `Europe/Berlin`)",
                    n.digest_timezone
                ),
            )
        })?;
        let public_url = config
            .server
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.server.addr));
        Ok(Some(NotifySettings {
            chat_webhook_env: env,
            events,
            public_url: public_url.trim_end_matches('/').to_owned(),
            max_attempts: n.max_attempts.max(1),
            first_retry: Duration::from_secs(n.first_retry_seconds),
            digest_at: (weekday, time, zone),
            neglected_after_days: config.sync.monthly.neglected_after_days,
        }))
    }

    /// Whether `event` is sent.
    pub fn sends(&self, event: Event) -> bool {
        self.events.contains(&event)
    }

    /// A page of the dashboard, e.g. `reviews`.
    pub fn page(&self, path: &str) -> String {
        format!("{}/{path}", self.public_url)
    }
}

async fn queue<S>(
    store: &S,
    event: Event,
    dedupe_key: String,
    text: String,
    now: Timestamp,
) -> Result<Option<i64>, NotifyError>
where
    S: NotifyStore + ?Sized,
{
    Ok(store
        .enqueue_delivery(&NewDelivery {
            event: event.as_str().to_owned(),
            dedupe_key,
            text,
            created_at: now,
        })
        .await?)
}

/// A review run that files more flagged subjects than this sends one message for all of them.
const ONE_BY_ONE: usize = 5;

/// Queues a message for each issue created or note added by a review run whose responses
/// include Red or Error ones (Yellow alone is left to the monthly sync); a run filing more
/// than a few such subjects (a first import) sends one message for all. Returns how many
/// were queued.
pub async fn flagged<S>(
    store: &S,
    settings: &NotifySettings,
    report: &ReviewReport,
    now: Timestamp,
) -> Result<usize, NotifyError>
where
    S: NotifyStore + ?Sized,
{
    if report.dry_run || !settings.sends(Event::FlaggedResponse) {
        return Ok(0);
    }
    let flagged: Vec<&crate::review::ReviewAction> = report
        .actions
        .iter()
        .filter(|a| a.status == ActionStatus::Done && a.issue.is_some())
        .filter(|a| messages::flagged(settings, a).is_some())
        .collect();
    let key_of = |a: &crate::review::ReviewAction| {
        let first = a
            .responses
            .first()
            .map(|r| r.key.to_string())
            .unwrap_or_default();
        let (project, iid) = a
            .issue
            .as_ref()
            .map_or(("", 0), |i| (i.project.as_str(), i.iid));
        format!("flagged:{project}#{iid}:{first}")
    };
    if flagged.len() > ONE_BY_ONE {
        let key = format!("flagged-run:{}:{}", key_of(flagged[0]), flagged.len());
        let text = messages::flagged_many(settings, &flagged);
        let queued = queue(store, Event::FlaggedResponse, key, text, now).await?;
        return Ok(usize::from(queued.is_some()));
    }
    let mut queued = 0;
    for action in flagged {
        let Some(text) = messages::flagged(settings, action) else {
            continue;
        };
        if queue(store, Event::FlaggedResponse, key_of(action), text, now)
            .await?
            .is_some()
        {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Queues the ask for an engineer when a session was scheduled without one, naming the
/// region's managers. Returns whether a message was queued.
pub async fn needs_engineer<S>(
    store: &S,
    settings: &NotifySettings,
    managers: &[String],
    report: &ScheduleReport,
    now: Timestamp,
) -> Result<bool, NotifyError>
where
    S: NotifyStore + ?Sized,
{
    if report.dry_run
        || report.session.engineer.is_some()
        || !settings.sends(Event::ShadowingNeedsEngineer)
    {
        return Ok(false);
    }
    let text = messages::needs_engineer(settings, managers, report);
    let start = report
        .session
        .start
        .map(|s| s.to_string())
        .unwrap_or_default();
    let key = format!("needs-engineer:{}:{start}", report.session.id);
    Ok(queue(store, Event::ShadowingNeedsEngineer, key, text, now)
        .await?
        .is_some())
}
