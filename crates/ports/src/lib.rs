//! The ports of supportops: the [`Tracker`] where issues are filed (GitLab or the local tracker)
//! and the [`Store`] where everything the product knows is kept (SQLite or PostgreSQL).
//!
//! Use cases (`supportops-app`) are written against these traits; adapters
//! (`supportops-store`, `supportops-tracker`) implement them. Adapters never depend on each other.

pub mod backoff;
pub mod chat;
pub mod clock;
pub mod store;
pub mod tracker;

pub use backoff::Backoff;
pub use chat::{Chat, ChatError};
pub use clock::Clock;
pub use store::{Store, StoreError};
pub use tracker::{Issue, IssueQuery, IssueState, NewIssue, Note, Tracker, TrackerError, User};
