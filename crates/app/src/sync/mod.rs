//! The sync use case (being written).
