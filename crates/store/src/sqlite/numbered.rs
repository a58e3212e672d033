//! Queries put together with sqlx's `QueryBuilder` (filters, batched `IN (…)` lists, multi-row
//! inserts), made readable by both backends.
//!
//! `QueryBuilder<Any>` writes every bound value as `?`, which PostgreSQL does not read.
//! [`numbered`] takes the built query apart and, for PostgreSQL, numbers its placeholders
//! `$1, $2, …`, so such a query is still written once for SQLite and PostgreSQL. SQLite keeps
//! the anonymous `?`: it looks a numbered or named parameter up in a list of those already seen,
//! so a statement with thousands of them (a batch of 500 rows) took quadratic time to prepare
//! and to bind, while anonymous ones cost nothing.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Any, AssertSqlSafe, Execute as _, FromRow, QueryBuilder};
use supportops_ports::StoreError;

use super::Backend;

/// A built query in the backend's placeholders, with its bound values.
pub(crate) struct Numbered {
    sql: String,
    args: AnyArguments,
}

/// Builds `q` and, on PostgreSQL, numbers its `?` placeholders (a `?` inside a quoted literal or
/// identifier is left alone).
pub(crate) fn numbered(
    q: &mut QueryBuilder<Any>,
    backend: Backend,
) -> Result<Numbered, StoreError> {
    let mut built = q.build();
    let args = built
        .take_arguments()
        .map_err(|e| StoreError::Query {
            doing: "binding a query's values".to_owned(),
            message: e.to_string(),
        })?
        .unwrap_or_default();
    let sql = match backend {
        Backend::Sqlite => built.sql().as_str().to_owned(),
        Backend::Postgres => renumber(built.sql().as_str()),
    };
    Ok(Numbered { sql, args })
}

impl Numbered {
    /// The query, to execute or fetch rows.
    pub(crate) fn query(self) -> Query<'static, Any, AnyArguments> {
        sqlx::query_with(AssertSqlSafe(self.sql), self.args)
    }

    /// The query, reading one column of each row as `T`.
    pub(crate) fn scalar<T>(self) -> QueryScalar<'static, Any, T, AnyArguments>
    where
        (T,): for<'r> FromRow<'r, AnyRow>,
    {
        sqlx::query_scalar_with(AssertSqlSafe(self.sql), self.args)
    }

    /// The query, reading each row as `T`.
    pub(crate) fn query_as<T>(self) -> QueryAs<'static, Any, T, AnyArguments>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        sqlx::query_as_with(AssertSqlSafe(self.sql), self.args)
    }
}

/// `sql` with each `?` outside quotes replaced by `$1`, `$2`, … in order.
fn renumber(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '?') => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
                continue;
            }
            (None, _) => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::renumber;

    #[test]
    fn placeholders_are_numbered_outside_quotes_only() {
        assert_eq!(
            renumber("SELECT a FROM t WHERE b = ? AND c LIKE '%?%' AND \"d?\" IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c LIKE '%?%' AND \"d?\" IN ($2, $3)"
        );
    }
}
