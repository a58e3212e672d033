//! The local tracker: issues, notes, labels and assignees kept in the store (being written).
