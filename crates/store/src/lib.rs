//! The Store: SQLite (default) and PostgreSQL, migrations, and the local tracker kept in the store.
