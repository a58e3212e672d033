//! review (being written).
