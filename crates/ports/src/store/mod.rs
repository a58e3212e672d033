//! The store port: everything supportops knows, kept durably (SQLite by default, PostgreSQL for
//! shared deployments). Split by area; [`Store`] is all of them.

pub mod actions;
pub mod auth;
pub mod coverage;
pub mod formula;
pub mod intake;
pub mod notify;
pub mod pages;
pub mod responses;
pub mod review;
pub mod shadow;
pub mod sync;

pub use actions::ActionLog;
pub use auth::AuthStore;
pub use formula::FormulaStore;
pub use intake::IntakeQueue;
pub use notify::NotifyStore;
pub use pages::PageQueries;
pub use responses::ResponseStore;
pub use review::ReviewStore;
pub use shadow::ShadowStore;
pub use sync::SyncStore;

/// Why the store failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or migrated.
    #[error("cannot open the store at `{url}`: {message}")]
    Open {
        /// The store URL (without credentials).
        url: String,
        /// The cause.
        message: String,
    },
    /// A query failed.
    #[error("store query failed while {doing}: {message}")]
    Query {
        /// What was being done.
        doing: String,
        /// The database's message.
        message: String,
    },
    /// A record was not found.
    #[error("not found in the store: {what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// A change conflicts with what is stored (e.g. a state change not allowed).
    #[error("{0}")]
    Conflict(String),
}

/// The whole store.
pub trait Store:
    ResponseStore
    + ReviewStore
    + ActionLog
    + ShadowStore
    + SyncStore
    + FormulaStore
    + IntakeQueue
    + PageQueries
    + AuthStore
    + NotifyStore
    + Send
    + Sync
{
}

impl<T> Store for T where
    T: ResponseStore
        + ReviewStore
        + ActionLog
        + ShadowStore
        + SyncStore
        + FormulaStore
        + IntakeQueue
        + PageQueries
        + AuthStore
        + NotifyStore
        + Send
        + Sync
{
}
