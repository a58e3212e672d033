//! Use cases of supportops, written against the ports: scoring a sheet, filing Feedback Review
//! issues, planning and recording shadowing, keeping the syncs. No adapter is known here.

pub mod formula;
pub mod issues;
pub mod journal;
pub mod notify;
pub mod pages;
pub mod review;
pub mod shadow;
pub mod sync;
pub mod template;
