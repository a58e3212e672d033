//! `[notify]`: which events go to the team's chat, and how hard delivery tries.

use serde::{Deserialize, Serialize};

/// The events `[notify]` can send, by the names `notify.events` takes.
pub const NOTIFY_EVENTS: [&str; 3] = [
    "flagged_response",
    "shadowing_needs_engineer",
    "weekly_digest",
];

/// `[notify]`: messages to the team's chat through a Slack-compatible incoming webhook
/// (Mattermost's too). Off until `chat_webhook_env` names the variable holding its URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// The environment variable holding the incoming webhook's URL (never the URL itself).
    pub chat_webhook_env: Option<String>,
    /// Which events are sent: some of [`NOTIFY_EVENTS`].
    pub events: Vec<String>,
    /// Tries per message before it is recorded failed.
    pub max_attempts: u32,
    /// The wait before the first retry; later waits double (with jitter).
    pub first_retry_seconds: u64,
    /// The weekday `serve` sends the weekly digest on.
    pub digest_weekday: String,
    /// Its time, `HH:MM` in `digest_timezone`.
    pub digest_time: String,
    /// The IANA zone of `digest_time`.
    pub digest_timezone: String,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            chat_webhook_env: None,
            events: NOTIFY_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
            max_attempts: 5,
            first_retry_seconds: 2,
            digest_weekday: "monday".into(),
            digest_time: "09:00".into(),
            digest_timezone: "UTC".into(),
        }
    }
}
