//! Queries put together with sqlx's `QueryBuilder` (filters, batched `IN (…)` lists, multi-row
//! inserts), made readable by both backends.
//!
//! `QueryBuilder<Any>` writes every bound value as `?`, which PostgreSQL does not read; both
//! backends read `$1, $2, …`. [`numbered`] takes the built query apart and numbers its
//! placeholders, so such a query is still written once for SQLite and PostgreSQL.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Any, AssertSqlSafe, Execute as _, FromRow, QueryBuilder};
use supportops_ports::StoreError;

/// A built query whose placeholders are `$1, $2, …`, with its bound values.
pub(crate) struct Numbered {
    sql: String,
    args: AnyArguments,
}

/// Builds `q` and numbers its `?` placeholders (a `?` inside a quoted literal or identifier is
/// left alone).
pub(crate) fn numbered(q: &mut QueryBuilder<Any>) -> Result<Numbered, StoreError> {
    let mut built = q.build();
    let args = built
        .take_arguments()
        .map_err(|e| StoreError::Query {
            doing: "binding a query's values".to_owned(),
            message: e.to_string(),
        })?
        .unwrap_or_default();
    let sql = renumber(built.sql().as_str());
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
