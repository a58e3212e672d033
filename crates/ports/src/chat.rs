//! The chat port: where notifications are posted (a Slack-compatible incoming webhook, which
//! Mattermost also accepts). The adapter lives in `supportops-tracker` (`chat.rs`).

/// Why a post failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// Worth trying again later: the chat is down, overloaded (5xx, 429) or unreachable.
    #[error("{0}")]
    Transient(String),
    /// Refused for good (e.g. 404: the webhook was removed); trying again changes nothing.
    #[error("{0}")]
    Refused(String),
}

/// A chat that takes a text message.
#[async_trait::async_trait]
pub trait Chat: Send + Sync {
    /// Posts `text` (Slack `mrkdwn`: `*bold*`, `<url|label>` links).
    async fn post(&self, text: &str) -> Result<(), ChatError>;
}
