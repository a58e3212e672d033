//! How domain values are written into columns and read back: timestamps as RFC 3339 text,
//! formula values as small JSON objects, lists as JSON arrays. Kept in one place so a second
//! backend stores the same text.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use supportops_formula::{ErrorKind, Value};
use supportops_ports::StoreError;

/// A formula value as stored: `{"number":1}`, `{"text":"x"}`, `{"bool":true}`,
/// `{"error":"#VALUE!"}` or `"blank"`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum StoredValue {
    Blank,
    Number(f64),
    Bool(bool),
    Text(String),
    Error(String),
}

const ERROR_KINDS: [ErrorKind; 7] = [
    ErrorKind::Value,
    ErrorKind::Div0,
    ErrorKind::NA,
    ErrorKind::Num,
    ErrorKind::Ref,
    ErrorKind::Name,
    ErrorKind::Error,
];

/// Encodes a formula value.
pub(crate) fn value_to_text(value: &Value) -> String {
    let stored = match value {
        Value::Blank => StoredValue::Blank,
        Value::Number(n) => StoredValue::Number(*n),
        Value::Bool(b) => StoredValue::Bool(*b),
        Value::Text(t) => StoredValue::Text(t.clone()),
        Value::Error(e) => StoredValue::Error(e.as_str().to_owned()),
    };
    serde_json::to_string(&stored).unwrap_or_else(|_| "\"blank\"".to_owned())
}

/// Decodes a formula value written by [`value_to_text`].
pub(crate) fn value_from_text(text: &str) -> Result<Value, StoreError> {
    let stored: StoredValue =
        serde_json::from_str(text).map_err(|e| corrupt("a score", text, e))?;
    Ok(match stored {
        StoredValue::Blank => Value::Blank,
        StoredValue::Number(n) => Value::Number(n),
        StoredValue::Bool(b) => Value::Bool(b),
        StoredValue::Text(t) => Value::Text(t),
        StoredValue::Error(e) => Value::Error(
            ERROR_KINDS
                .into_iter()
                .find(|k| k.as_str() == e)
                .unwrap_or(ErrorKind::Error),
        ),
    })
}

/// Encodes a timestamp.
pub(crate) fn time_to_text(at: Timestamp) -> String {
    at.to_string()
}

/// An instant as SQL compares stored timestamps with it: RFC 3339 in UTC to the second, without
/// the `Z`. A timestamp written by [`time_to_text`] (`…T15:00:00Z`, `…T15:00:00.25Z`) is in that
/// second or later exactly when its text sorts at or after this one, so `column >= ?` can read
/// an index range (finer than the second, the caller compares the values read).
pub(crate) fn second_text(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Decodes a timestamp written by [`time_to_text`].
pub(crate) fn time_from_text(text: &str) -> Result<Timestamp, StoreError> {
    text.parse().map_err(|e| corrupt("a timestamp", text, e))
}

/// Encodes a list.
pub(crate) fn list_to_text<T: Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

/// Decodes a list written by [`list_to_text`].
pub(crate) fn list_from_text<T: for<'de> Deserialize<'de>>(
    text: &str,
) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt("a list", text, e))
}

/// A stored value that cannot be read back.
pub(crate) fn corrupt(what: &str, text: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Query {
        doing: format!("reading {what} stored as `{text}`"),
        message: e.to_string(),
    }
}

/// Converts a count or id read from an `BIGINT` column.
pub(crate) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Converts an id for an `BIGINT` column.
pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips() {
        let mut values = vec![
            Value::Blank,
            Value::Number(-1.5),
            Value::Bool(true),
            Value::Text("It was solved".into()),
        ];
        values.extend(ERROR_KINDS.into_iter().map(Value::Error));
        for v in values {
            let text = value_to_text(&v);
            assert_eq!(
                value_from_text(&text).expect("the value decodes"),
                v,
                "{text}"
            );
        }
        assert_eq!(value_to_text(&Value::Number(2.0)), r#"{"number":2.0}"#);
    }

    #[test]
    fn unreadable_values_name_the_text() {
        let err = value_from_text("nonsense")
            .expect_err("nonsense is refused")
            .to_string();
        assert!(err.contains("`nonsense`"), "{err}");
    }
}
