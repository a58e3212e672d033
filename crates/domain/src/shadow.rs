//! shadow (being written).
