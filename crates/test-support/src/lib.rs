//! Test helpers shared by the crates' test suites.
//!
//! - [`gitlab`]: [`FakeGitLab`], a loopback HTTP server that answers GitLab's REST API v4 the
//!   way GitLab documents it (status codes, JSON, pagination headers, 401/403/404), whose
//!   state tests seed and inspect, and which misbehaves on demand (429 with `Retry-After`, 5xx,
//!   slow answers, a create accepted and never answered).

pub mod gitlab;

pub use gitlab::FakeGitLab;
