//! The GitLab tracker adapter: [`GitLab`] implements [`supportops_ports::Tracker`] over
//! GitLab's REST API v4 with a thin `reqwest` client.
//!
//! - [`gitlab`] maps each port method to one endpoint (the table is in its docs);
//! - `client` sends requests with the `PRIVATE-TOKEN` header, retries 429 (honouring
//!   `Retry-After`), 5xx and timeouts with capped exponential backoff, follows pagination, and
//!   turns 401/403/404 into [`supportops_ports::TrackerError`] variants naming what was refused;
//! - `retry` holds the backoff and `Retry-After` arithmetic; `wire` GitLab's JSON.
//!
//! ```no_run
//! use std::time::Duration;
//! use supportops_ports::Tracker as _;
//! use supportops_tracker::{GitLab, GitLabOptions};
//!
//! # async fn demo() -> Result<(), supportops_ports::TrackerError> {
//! let gitlab = GitLab::new(GitLabOptions {
//!     base_url: "https://gitlab.com".into(),
//!     token: std::env::var("GITLAB_TOKEN").unwrap_or_default().into(),
//!     token_env: "GITLAB_TOKEN".into(),
//!     timeout: Duration::from_secs(30),
//!     max_retries: 5,
//! })?;
//! let template = gitlab
//!     .read_template("gitlab-com/support/support-ops/feedback-review", "Feedback Review")
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! **Creating is not retried blindly.** A create (issue or note) that times out or gets a 5xx
//! after it may have reached GitLab returns [`supportops_ports::TrackerError::OutcomeUnknown`]:
//! the issue may exist. The review use case handles it by searching the project for the hidden
//! marker of the subject before it creates again, so a rerun never makes a duplicate.
//!
//! The crate also holds the other outbound HTTP adapter, [`WebhookChat`]: chat notifications
//! posted to a Slack-compatible incoming webhook.

pub mod chat;
mod client;
pub mod gitlab;
mod retry;
mod wire;

pub use chat::WebhookChat;
pub use gitlab::{GitLab, GitLabOptions};
