//! The pure domain of supportops: what a feedback response is, how its score falls into a band,
//! how flagged responses group into Feedback Review issues, how shadowing sessions are planned
//! and covered, and when syncs happen.
//!
//! Nothing here does I/O or reads the clock: times are passed in as arguments.

pub mod band;
pub mod formula_change;
pub mod markers;
pub mod response;
pub mod review;
pub mod shadow;
pub mod subject;
pub mod sync;

pub use band::{Band, BandThresholds};
pub use formula_change::FormulaSpec;
pub use response::{Response, ResponseKey, ScoredResponse};
pub use subject::SubjectUrl;
