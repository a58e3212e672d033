//! The shadow use case (being written).
