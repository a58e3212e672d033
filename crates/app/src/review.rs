//! The review use case (being written).
